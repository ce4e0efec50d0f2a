// Analytics: a range too long is refused in words before any call; for the week of events the
// harness ingested, the analyst sees the total and the chart, the top customer, a province's
// items, the events page by page and one as its stored JSON, and downloads a table as CSV.
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { FIXTURES, dollars, freshPage, shots, signIn } from "./support";

test("an analyst sees the total, the chart and the top customer of ingested events", async ({ browser }) => {
  const { start, end, count, total, top } = FIXTURES.analytics;
  const page = await freshPage(browser);
  await signIn(page, "analyst", "/console/analytics");
  await expect(page.getByRole("heading", { level: 1, name: "Analytics" })).toBeVisible();

  const range = page.getByRole("form", { name: "Date range" });
  // The last 30 days first (nothing in them); then no call may go out for a range refused.
  await expect(page.getByText("No events in this range.")).toBeVisible();
  await expect(page.getByText("No sales in this range.")).toBeVisible();
  await expect(page.getByText("No such customers in this range.")).toBeVisible();
  await expect(page.getByText("No orders in USD in this range.")).toBeVisible();
  let calls = 0;
  page.on("request", (request) => void (request.url().includes("/analytics/v1/") && calls++));
  await range.getByLabel("From").fill("2023-01-01");
  await range.getByLabel("To").fill("2024-03-07");
  await range.getByRole("button", { name: "Show" }).click();
  await expect(range.getByLabel("To")).toHaveAccessibleDescription("The range is 432 days long; choose days at most 366 days apart.");
  expect(calls).toBe(0);

  await range.getByLabel("From").fill(start);
  await range.getByLabel("To").fill(end);
  await range.getByRole("button", { name: "Show" }).click();
  await expect(page.getByText(`Showing ${start} to ${end}`)).toBeVisible();
  const value = page.getByRole("region", { name: "Order value by day" });
  await expect(value.getByText(`Total: ${dollars(total)} from ${count} orders`)).toBeVisible();
  await expect(value.getByRole("img", { name: /Order value by day in USD/ })).toBeVisible();
  await expect(value.locator("canvas")).toHaveCount(1);

  const customers = page.getByRole("region", { name: "Top customers" });
  await expect(customers.getByRole("row").nth(1)).toContainText(top);
  await customers.getByLabel("Who").selectOption("any");
  await expect(customers.getByRole("row")).toHaveCount(4);
  const download = page.waitForEvent("download");
  await customers.getByRole("button", { name: "Download CSV of top customers" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`top-customers-${start}-to-${end}.csv`);
  const csv = readFileSync((await file.path()) ?? "", "utf8");
  expect(csv.split("\r\n")[0]).toBe("customer_id,first_name,last_name,email,order_count,order_value_USD");
  expect(csv.split("\r\n")[1]).toMatch(/^c-ada,Ada,Lovelace,ada@example.com,\d+,[\d.]+$/);

  const provinces = page.getByRole("region", { name: "Sales by province" });
  await provinces.getByRole("button", { name: "Idaho" }).click();
  await expect(provinces.getByRole("heading", { name: "Items sold in Idaho" })).toBeVisible();
  await expect(provinces.getByRole("cell", { name: "item-1" })).toBeVisible();

  // The events, ten a page, by the API's cursors; one opened as stored.
  const events = page.getByRole("region", { name: "Events" });
  await expect(events.getByRole("row")).toHaveCount(11);
  await events.getByRole("button", { name: "Next page" }).click();
  await expect(events.getByRole("row")).toHaveCount(count - 10 + 1);
  await events.getByRole("button", { name: "First page" }).click();
  await expect(events.getByRole("row")).toHaveCount(11);
  await events.getByRole("button", { name: "console-1-c-ada" }).click();
  await expect(events.getByRole("heading", { name: "Event console-1-c-ada as stored" })).toBeVisible();
  await expect(events.locator("pre")).toContainText('"received_at"');
  await expect(events.locator("pre")).toContainText('"first_name": "Ada"');
  await page.getByRole("heading", { name: "Order value by day" }).scrollIntoViewIfNeeded();
  await shots(page, "analytics");
});
