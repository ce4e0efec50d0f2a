// The walk-in centre: staff register a customer at the desk, the customer checks in at the kiosk,
// the board shows the ticket, the desk calls it to desk 3 and marks it served.
import { expect, test } from "@playwright/test";
import { freshPage, shots, signIn } from "./support";

test("a kiosk check-in is shown on the board and called at the desk", async ({ browser }) => {
  const desk = await freshPage(browser);
  await signIn(desk, "staff", "/console/walkin/desk");
  await expect(desk.getByRole("heading", { level: 1, name: "Desk" })).toBeVisible();
  await desk.getByLabel("First name").fill("Kira");
  await desk.getByLabel("Last name").fill("Kiosk");
  await desk.getByLabel("Phone number").fill("555 010 7777");
  await desk.getByRole("button", { name: "Register" }).click();
  await expect(desk.getByText("Kira Kiosk is registered.")).toBeVisible();
  await shots(desk, "walkin-desk");

  const kiosk = await freshPage(browser);
  await kiosk.goto("/console/walkin/kiosk");
  await kiosk.getByLabel("First name").fill("Nobody");
  await kiosk.getByLabel("Last name").fill("Here");
  await kiosk.getByLabel("Phone number").fill("555 010 0000");
  await kiosk.getByRole("button", { name: "Check in" }).click();
  await expect(kiosk.getByRole("alert")).toContainText("We could not find you");
  await shots(kiosk, "walkin-kiosk-form");

  await kiosk.getByLabel("First name").fill("Kira");
  await kiosk.getByLabel("Last name").fill("Kiosk");
  await kiosk.getByLabel("Phone number").fill("5550107777");
  await kiosk.getByRole("button", { name: "Check in" }).click();
  await expect(kiosk.getByText(/Your ticket/)).toBeVisible();
  const number = (await kiosk.getByText(/Your ticket/).locator("strong").textContent())?.trim() ?? "";
  expect(number).toMatch(/^\d+$/);
  await expect(kiosk.getByText(/position 1 in line/)).toBeVisible();
  await expect(kiosk.getByText(/Estimated wait/)).toBeVisible();
  await shots(kiosk, "walkin-kiosk-ticket");

  const board = await freshPage(browser);
  await board.goto("/console/walkin/board");
  await expect(board.getByRole("listitem").filter({ hasText: new RegExp(`^${number}\\b`) })).toBeVisible();
  await expect(board.getByText("Kira")).toHaveCount(0);
  await shots(board, "walkin-board");

  await desk.getByLabel("Desk", { exact: true }).fill("3");
  await desk.getByRole("button", { name: "Call next to desk 3" }).click();
  await expect(desk.getByText(`Ticket ${number}: Kira Kiosk`)).toBeVisible();
  await expect(desk.getByText(/called to desk 3/)).toBeVisible();
  // The kiosk and the board follow the call by themselves.
  await expect(kiosk.getByText(/please go to desk 3/)).toBeVisible();
  await expect(board.getByRole("listitem").filter({ hasText: `Ticket ${number}: desk 3` })).toBeVisible();
  await shots(board, "walkin-board-called");
  await desk.getByRole("button", { name: "Served", exact: true }).click();
  await expect(desk.getByText(/Served\./)).toBeVisible();
  await expect(kiosk.getByText(/This ticket is served/)).toBeVisible();
});

test("leaving the queue with a token that is not the ticket's is refused in words", async ({ browser }) => {
  const desk = await freshPage(browser);
  await signIn(desk, "staff", "/console/walkin/desk");
  await desk.getByLabel("First name").fill("Lou");
  await desk.getByLabel("Last name").fill("Leaves");
  await desk.getByLabel("Phone number").fill("555 010 8888");
  await desk.getByRole("button", { name: "Register" }).click();
  await expect(desk.getByText("Lou Leaves is registered.")).toBeVisible();

  const kiosk = await freshPage(browser);
  await kiosk.goto("/console/walkin/kiosk");
  await kiosk.getByLabel("First name").fill("Lou");
  await kiosk.getByLabel("Last name").fill("Leaves");
  await kiosk.getByLabel("Phone number").fill("5550108888");
  await kiosk.getByRole("button", { name: "Check in" }).click();
  await expect(kiosk.getByRole("button", { name: "Leave the queue" })).toBeVisible();
  // The token kept on this device no longer matches: the API's 403 is shown as its message.
  await kiosk.evaluate(() => {
    const kept = JSON.parse(localStorage.getItem("kiosk.ticket") ?? "{}");
    localStorage.setItem("kiosk.ticket", JSON.stringify({ ...kept, cancel_token: "not-the-token" }));
  });
  await kiosk.reload();
  await kiosk.getByRole("button", { name: "Leave the queue" }).click();
  await expect(kiosk.getByRole("alert")).toContainText("cancel token");
});
