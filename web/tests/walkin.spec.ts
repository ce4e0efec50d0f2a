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

test("staff remove a customer by the id the desk shows: their waiting ticket is cancelled and they can no longer check in", async ({ browser }) => {
  const desk = await freshPage(browser);
  await signIn(desk, "staff", "/console/walkin/desk");
  await desk.getByLabel("First name").fill("Rae");
  await desk.getByLabel("Last name").fill("Removed");
  await desk.getByLabel("Phone number").fill("555 010 9999");
  await desk.getByRole("button", { name: "Register" }).click();
  const registered = desk.getByText("Rae Removed is registered.");
  await expect(registered).toBeVisible();
  const customerId = (await registered.locator("code").textContent())?.trim() ?? "";
  expect(customerId).toMatch(/^[0-9a-f-]{36}$/);

  const kiosk = await freshPage(browser);
  await kiosk.goto("/console/walkin/kiosk");
  const checkIn = async () => {
    await kiosk.getByLabel("First name").fill("Rae");
    await kiosk.getByLabel("Last name").fill("Removed");
    await kiosk.getByLabel("Phone number").fill("5550109999");
    await kiosk.getByRole("button", { name: "Check in" }).click();
  };
  await checkIn();
  await expect(kiosk.getByText(/Your ticket/)).toBeVisible();
  const queue = desk.getByRole("region", { name: "Queue" });
  await queue.getByRole("button", { name: "Refresh" }).click();
  await expect(queue.getByRole("cell", { name: "Rae", exact: true })).toBeVisible();

  const remove = desk.getByRole("region", { name: "Remove a customer" });
  // What cannot be an id is refused in words, before anything is asked.
  await remove.getByLabel("Customer id").fill("Rae Removed");
  await remove.getByRole("button", { name: "Remove customer" }).click();
  await expect(remove.getByRole("alert")).toContainText("That is not a customer id");
  // An id nobody has: the API's 404 in words.
  await remove.getByLabel("Customer id").fill("3b1e0f52-8d4c-4a8e-b0f1-6f2d9c7e5a13");
  await remove.getByRole("button", { name: "Remove customer" }).click();
  await remove.getByRole("button", { name: "Remove them for good" }).click();
  await expect(remove.getByRole("alert")).toContainText("No registered customer has the id 3b1e0f52-8d4c-4a8e-b0f1-6f2d9c7e5a13");

  // Asked twice: the way back keeps them.
  await remove.getByLabel("Customer id").fill(customerId);
  await remove.getByRole("button", { name: "Remove customer" }).click();
  await expect(remove.getByText(`Remove customer ${customerId} from the registry? This cannot be undone.`)).toBeVisible();
  await expect(remove.getByLabel("Customer id")).toBeDisabled();
  await shots(desk, "walkin-desk-remove");
  await remove.getByRole("button", { name: "Keep them" }).click();
  await expect(remove.getByRole("button", { name: "Remove them for good" })).toBeHidden();
  await remove.getByRole("button", { name: "Remove customer" }).click();
  await remove.getByRole("button", { name: "Remove them for good" }).click();
  await expect(remove.getByRole("status")).toContainText(`Customer ${customerId} is removed from the registry`);
  await expect(remove.getByLabel("Customer id")).toHaveValue("");
  await queue.getByRole("button", { name: "Refresh" }).click();
  await expect(queue.getByRole("cell", { name: "Rae", exact: true })).toHaveCount(0);
  await shots(desk, "walkin-desk-removed");

  // Their waiting ticket was cancelled (the kiosk follows by itself), and they are unknown now.
  // (Its closed ticket goes with the customer: the kiosk may see it cancelled, or gone.)
  await expect(kiosk.getByText(/This ticket is (cancelled|no longer in the queue)\./)).toBeVisible();
  await kiosk.getByRole("button", { name: "Done" }).click();
  await checkIn();
  await expect(kiosk.getByRole("alert")).toContainText("We could not find you");
  // Removing them again: not found, in words.
  await remove.getByLabel("Customer id").fill(customerId);
  await remove.getByRole("button", { name: "Remove customer" }).click();
  await remove.getByRole("button", { name: "Remove them for good" }).click();
  await expect(remove.getByRole("alert")).toContainText(`No registered customer has the id ${customerId}`);
});
