// Price alerts: a subscriber makes an alert (refusals at their fields), sees its first run in words
// without reloading, its listings, changes (when to be emailed too), pauses and deletes it; an alert
// for a phrase with price history shows the chart of its lowest and median prices; the
// insight-email switch holds; a create past the day's quota says when to try again; deleting all
// one's alert data (asked twice) leaves nothing.
import { expect, test } from "@playwright/test";
import { FIXTURES, freshPage, shots, signIn } from "./support";

test("a subscriber creates an alert, sees it listed with its listings, changes, pauses and deletes it", async ({ browser }) => {
  // The first email goes out within about a minute of the alert's creation.
  test.setTimeout(180_000);
  const page = await freshPage(browser);
  await signIn(page, "subscriber", "/console/alerts");
  await expect(page.getByRole("heading", { level: 1, name: "Price alerts" })).toBeVisible();
  await expect(page.getByText("No alerts yet")).toBeVisible();

  const form = page.getByRole("region", { name: "New alert" });
  const phrase = form.getByLabel("Search for");
  await form.getByLabel("Maximum price (optional)").fill("0");
  await form.getByRole("button", { name: "Create alert" }).click();
  await expect(phrase).toHaveAccessibleDescription(/Enter what to search for/);
  await expect(form.getByLabel("Maximum price (optional)")).toHaveAccessibleDescription(/greater than 0/);
  await shots(page, "alerts-form-errors");

  await phrase.fill("Lego castle");
  await form.getByLabel("Maximum price (optional)").fill("5000");
  await form.getByLabel("Target price (optional)").fill("90.5");
  await form.getByLabel("Search every").selectOption("10");
  const emailMe = form.getByRole("group", { name: "Email me" });
  await expect(emailMe.getByLabel("After every search")).toBeChecked();
  await emailMe.getByLabel("Only when the listings change").check();
  await form.getByRole("button", { name: "Create alert" }).click();
  await expect(page.getByText(/Alert for “Lego castle” created/)).toBeVisible();
  await expect(emailMe.getByLabel("After every search")).toBeChecked();
  const alert = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Lego castle" }) });
  await expect(alert).toContainText("Every 10 minutes · USD · at most $5,000.00 · target $90.50 · emails only when the listings change");
  await expect(alert.getByText("Active", { exact: true })).toBeVisible();

  // The API's refusal (the same phrase again) is shown at the phrase.
  await phrase.fill("  lego   CASTLE ");
  await form.getByRole("button", { name: "Create alert" }).click();
  await expect(phrase).toHaveAccessibleDescription(/already have an alert for this search phrase/);

  // The dispatcher runs every second in this stack: the first run is told on the row without a
  // reload (the list is read again a little after the alert is due), then its listings arrive.
  await expect(alert.getByText(/^Last run (just now|\d+ min ago): emailed you the cheapest listings$/)).toBeVisible({ timeout: 90_000 });
  await shots(page, "alerts-last-run");
  const listings = alert.getByRole("region", { name: "Last listings" });
  await expect(async () => {
    const button = alert.getByRole("button", { name: "Listings" });
    if ((await button.getAttribute("aria-expanded")) === "true") await button.click();
    await button.click();
    await expect(listings.getByRole("link").first()).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 120_000 });
  const first = listings.getByRole("link").first();
  await expect(first).toHaveAttribute("target", "_blank");
  await expect(first).toHaveAccessibleName(/opens in a new tab/);
  await expect(listings.getByText(/^\$[\d,]+\.\d\d/).first()).toBeVisible();
  await shots(page, "alerts-listings");

  await alert.getByRole("button", { name: "Edit" }).click();
  await expect(alert.getByRole("group", { name: "Email me" }).getByLabel("Only when the listings change")).toBeChecked();
  await alert.getByLabel("Search every").selectOption("2");
  await alert.getByRole("group", { name: "Email me" }).getByLabel("After every search").check();
  await alert.getByLabel("Target price (optional)").fill("");
  await alert.getByRole("button", { name: "Save changes" }).click();
  await expect(alert).toContainText("Every 2 minutes · USD · at most $5,000.00 · emails after every search");
  await expect(alert).not.toContainText("target");

  await alert.getByRole("button", { name: "Pause" }).click();
  await expect(alert.getByText("Paused", { exact: true })).toBeVisible();
  await alert.getByRole("button", { name: "Resume" }).click();
  await expect(alert.getByText("Active", { exact: true })).toBeVisible();

  await alert.getByRole("button", { name: "Delete" }).click();
  await alert.getByRole("button", { name: "Delete “Lego castle” for good" }).click();
  await expect(page.getByRole("heading", { name: "Lego castle" })).toHaveCount(0);
  await expect(page.getByText("No alerts yet")).toBeVisible();
});

test("an alert's insights chart the price history published to the observations queue", async ({ browser }) => {
  const page = await freshPage(browser);
  await signIn(page, "subscriber", "/console/alerts");
  const form = page.getByRole("region", { name: "New alert" });
  await form.getByLabel("Search for").fill(FIXTURES.history_phrase);
  await form.getByRole("button", { name: "Create alert" }).click();
  const alert = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: FIXTURES.history_phrase }) });
  await expect(alert).toBeVisible();

  const insights = alert.getByRole("region", { name: "Price insights" });
  const chart = insights.getByRole("img", { name: /Lowest and median price/ });
  // The recorder takes the published observations from the queue: wait until all days are in.
  await expect(async () => {
    const button = alert.getByRole("button", { name: "Insights" });
    if ((await button.getAttribute("aria-expanded")) === "true") await button.click();
    await button.click();
    await expect(chart).toHaveAccessibleName(new RegExp(`: ${FIXTURES.history_days} days`), { timeout: 3_000 });
  }).toPass({ timeout: 90_000 });
  await expect(chart.locator("canvas")).toHaveCount(1);
  await expect(insights.getByRole("term").filter({ hasText: "Median price change" })).toBeVisible();
  await expect(insights.getByRole("term").filter({ hasText: "Lowest price" })).toBeVisible();
  await expect(insights.getByRole("heading", { name: "Price drops" })).toBeVisible();
  await expect(insights.getByRole("button", { name: "14 days" })).toHaveAttribute("aria-pressed", "true");
  // The numbers behind the picture, for those who do not see it.
  await insights.getByText("Show the numbers").click();
  await expect(insights.getByRole("group").getByRole("row")).toHaveCount(FIXTURES.history_days + 1);
  await insights.getByText("Show the numbers").click();
  await insights.getByRole("button", { name: "30 days" }).click();
  await expect(insights.getByRole("img", { name: /last 30 days/ })).toBeVisible();
  await chart.scrollIntoViewIfNeeded();
  await shots(page, "alerts-insights");

  // The insight-email switch, read back after a reload.
  const toggle = page.getByRole("switch", { name: "Send me insight emails" });
  await expect(toggle).toBeChecked();
  await toggle.uncheck();
  await expect(page.getByText(/Insight emails are off/)).toBeVisible();
  await page.reload();
  await expect(page.getByRole("switch", { name: "Send me insight emails" })).not.toBeChecked();
});

test("a create past the day's quota says when to try again; deleting all my alert data leaves nothing", async ({ browser }) => {
  const page = await freshPage(browser);
  await signIn(page, "subscriber", "/console/alerts");
  const form = page.getByRole("region", { name: "New alert" });
  await form.getByLabel("Search for").fill("garden hose");
  await form.getByRole("button", { name: "Create alert" }).click();
  await expect(page.getByRole("heading", { name: "garden hose" })).toBeVisible();

  // The 101st alert of a day is refused (429 with Retry-After): told in words, with when.
  await page.route("**/alerts/v1/alerts", (route) =>
    route.request().method() === "POST"
      ? route.fulfill({
          status: 429,
          headers: { "Retry-After": "5400", "Content-Type": "application/json" },
          body: JSON.stringify({ error: { code: "quota_exceeded", message: "you have used your 100 new alerts a day; try again in 5400 s" } }),
        })
      : route.fallback(),
  );
  await form.getByLabel("Search for").fill("watering can");
  await form.getByRole("button", { name: "Create alert" }).click();
  await expect(form.getByRole("alert")).toHaveText(
    /^Error: You have used your 100 new alerts a day \(deleted alerts count too\)\. You can create another in about 1 h 30 min \(at \d\d:\d\d\)\.$/,
  );
  await expect(form.getByLabel("Search for")).toHaveValue("watering can");
  await shots(page, "alerts-quota");
  await page.unroute("**/alerts/v1/alerts");

  // The insight-email choice is part of the data: off now, back to its default afterwards.
  const toggle = page.getByRole("switch", { name: "Send me insight emails" });
  await toggle.uncheck();
  await expect(page.getByText(/Insight emails are off/)).toBeVisible();

  const data = page.getByRole("region", { name: "Your alert data" });
  await data.getByRole("button", { name: "Delete all my alert data" }).click();
  await data.getByRole("button", { name: "Keep them" }).click();
  await expect(page.getByRole("heading", { name: "garden hose" })).toBeVisible();
  await data.getByRole("button", { name: "Delete all my alert data" }).click();
  await expect(data.getByText("This cannot be undone.")).toBeVisible();
  await shots(page, "alerts-delete-all");
  await data.getByRole("button", { name: "Delete all my alerts and preferences for good" }).click();
  await expect(page.getByText(/All your alert data is deleted/)).toBeVisible();
  await expect(page.getByText("No alerts yet")).toBeVisible();
  await expect(page.getByRole("region", { name: "My alerts" }).getByRole("listitem")).toHaveCount(0);
  await expect(page.getByRole("switch", { name: "Send me insight emails" })).toBeChecked();
  await shots(page, "alerts-deleted");
  // Read back: nothing is left after a reload either.
  await page.reload();
  await expect(page.getByText("No alerts yet")).toBeVisible();
});
