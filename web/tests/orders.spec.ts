// Orders: a buyer places an order and sees it processed; an analyst is not offered the generation
// switch; an admin starts generation, and a refused attempt (made with a staff member's token, as
// for a user whose admin rights were withdrawn since they signed in) is shown in words.
import { expect, test } from "@playwright/test";
import { freshPage, shots, signIn } from "./support";

test("a buyer places an order and sees it processed", async ({ browser }) => {
  const page = await freshPage(browser);
  await signIn(page, "buyer", "/console/orders");
  await expect(page.getByRole("heading", { level: 1, name: "Orders" })).toBeVisible();
  await expect(page.getByText("No orders yet.")).toBeVisible();
  await page.getByLabel("Quantity").fill("11");
  await page.getByLabel("Symbol (optional)").fill("ab");
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByLabel("Quantity")).toHaveAccessibleDescription(/whole number from 1 to 10/);
  await expect(page.getByLabel("Symbol (optional)")).toHaveAccessibleDescription(/3 letters or digits/);

  await page.getByLabel("Quantity").fill("3");
  await page.getByLabel("Symbol (optional)").fill("abc");
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByText(/^Processed: 3 × ABC for \$\d+\.\d\d\.$/)).toBeVisible({ timeout: 60_000 });
  const mine = page.getByRole("region", { name: "My orders" });
  await expect(mine.getByRole("listitem")).toHaveCount(1);
  await expect(mine.getByRole("listitem").first()).toContainText(/3 × ABC.*processed, \$\d+\.\d\d/);
  // A buyer is offered neither the metrics nor the generation.
  await expect(page.getByRole("heading", { name: "Processing metrics" })).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Order generation" })).toHaveCount(0);
  await shots(page, "orders-buyer");
});

test("an analyst is not offered the switch; a non-admin's attempt is refused in words", async ({ browser }) => {
  const analyst = await freshPage(browser);
  await signIn(analyst, "analyst", "/console/orders");
  await expect(analyst.getByRole("heading", { name: "Place an order" })).toBeVisible();
  await expect(analyst.getByRole("button", { name: /generating orders/ })).toHaveCount(0);
  await expect(analyst.getByRole("heading", { name: "Order generation" })).toHaveCount(0);

  const staff = await freshPage(browser);
  await signIn(staff, "staff", "/console/orders");
  await expect(staff.getByRole("heading", { name: "Order generation" })).toBeVisible();
  await expect(staff.getByText(/^(Running|Stopped)$/)).toBeVisible();
  await expect(staff.getByRole("button", { name: /generating orders/ })).toHaveCount(0);
  await expect(staff.getByText("Orders processed")).toBeVisible();
  const staffToken = await staff.evaluate(() => JSON.parse(sessionStorage.getItem("console.session") ?? "{}").idToken as string);

  const admin = await freshPage(browser);
  await signIn(admin, "admin", "/console/orders");
  const generation = admin.getByRole("region", { name: "Order generation" });
  // A new stack generates orders: stopped first, so that the admin starts it here.
  const toggle = generation.getByRole("button", { name: /generating orders/ });
  await expect(toggle).toBeVisible();
  if ((await toggle.textContent()) === "Stop generating orders") {
    await toggle.click();
    await expect(generation.getByText("Stopped", { exact: true })).toBeVisible({ timeout: 45_000 });
  }
  await generation.getByRole("button", { name: "Start generating orders" }).click();
  await expect(generation.getByText("Running", { exact: true })).toBeVisible({ timeout: 45_000 });

  // The same button, the request carrying a staff member's token: the API refuses, in words.
  await admin.route("**/orders/v1/generation/stop", (route) =>
    route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${staffToken}` } }),
  );
  await generation.getByRole("button", { name: "Stop generating orders" }).click();
  await expect(generation.getByRole("alert")).toHaveText("Error: this route is for `admin` only", { timeout: 45_000 });
  await expect(generation.getByText("Running", { exact: true })).toBeVisible({ timeout: 45_000 });
  await shots(admin, "orders-admin");
  await admin.unroute("**/orders/v1/generation/stop");
  await generation.getByRole("button", { name: "Stop generating orders" }).click();
  await expect(generation.getByText("Stopped", { exact: true })).toBeVisible({ timeout: 45_000 });
  await expect(generation.getByRole("alert")).toHaveCount(0);
});
