import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import {
  ALERT_FIELDS,
  type AlertForm,
  alertChange,
  alertErrors,
  atField,
  backoff,
  hasErrors,
  lastDays,
  newAlertBody,
  orderBody,
  orderErrors,
  rangeErrors,
} from "./forms";

const good: AlertForm = { search_phrase: " lego castle ", frequency_minutes: "10", max_price: "120", target_price: "", currency: "USD", notify_on: "every_run" };

describe("alert form", () => {
  it("takes a good alert and builds its body", () => {
    expect(hasErrors(alertErrors(good))).toBe(false);
    expect(newAlertBody(good)).toEqual({ search_phrase: "lego castle", frequency_minutes: 10, max_price: "120", currency: "USD", notify_on: "every_run" });
    expect(newAlertBody({ ...good, notify_on: "changes" }).notify_on).toBe("changes");
  });
  it("says what is wrong with each field at once", () => {
    const errors = alertErrors({ search_phrase: "   ", frequency_minutes: "5", max_price: "0", target_price: "1.234", currency: "XXX", notify_on: "never" });
    expect(Object.keys(errors).sort()).toEqual(["currency", "frequency_minutes", "max_price", "notify_on", "search_phrase", "target_price"]);
    expect(errors.max_price).toMatch(/greater than 0/);
    expect(errors.target_price).toMatch(/two decimals/);
    expect(alertErrors({ ...good, search_phrase: "x".repeat(101) }).search_phrase).toMatch(/at most 100/);
    expect(alertErrors({ ...good, max_price: "1000000.01" }).max_price).toMatch(/at most 1,000,000/);
    expect(alertErrors({ ...good, max_price: "abc" }).max_price).toMatch(/such as 19.99/);
    expect(alertErrors({ ...good, max_price: ".5" }).max_price).toBeUndefined();
  });
  it("changes only what differs, and clears an emptied price", () => {
    const before: AlertForm = { ...good, target_price: "90" };
    expect(alertChange(before, { ...before })).toEqual({});
    expect(alertChange(before, { ...before, target_price: "", frequency_minutes: "2" })).toEqual({ target_price: null, frequency_minutes: 2 });
    expect(alertChange(before, { ...before, max_price: "120.00" })).toEqual({});
    expect(alertChange(before, { ...before, search_phrase: "lego ship" })).toEqual({ search_phrase: "lego ship" });
    expect(alertChange(before, { ...before, notify_on: "changes" })).toEqual({ notify_on: "changes" });
  });
  it("puts the API's refusal at the field it names", () => {
    const refused = new ApiError(400, "invalid_field", "`max_price` must be at most 1000000");
    expect(atField(refused, ALERT_FIELDS, refused.message)).toEqual({ max_price: "`max_price` must be at most 1000000" });
    const missing = new ApiError(400, "invalid_field", "missing field `search_phrase`");
    expect(atField(missing, ALERT_FIELDS, missing.message)).toEqual({ search_phrase: "missing field `search_phrase`" });
    const other = new ApiError(409, "alert_exists", "you already have an alert for this search phrase");
    expect(atField(other, ALERT_FIELDS, other.message)).toEqual({ form: other.message });
    const unknown = new ApiError(400, "invalid_field", "`body` must be an object");
    expect(atField(unknown, ALERT_FIELDS, unknown.message)).toEqual({ form: unknown.message });
  });
});

describe("analytics range", () => {
  it("takes a range of at most 366 days apart", () => {
    expect(rangeErrors("2024-01-01", "2024-12-31", "USD")).toEqual({});
    expect(rangeErrors("2024-01-01", "2025-01-01", "USD")).toEqual({}); // 366 days apart (a leap year)
    expect(rangeErrors("2024-01-01", "2025-01-02", "USD").end_date).toBe(
      "The range is 368 days long; choose days at most 366 days apart.",
    );
  });
  it("refuses reversed ranges, non-dates and bad currencies in words", () => {
    expect(rangeErrors("2024-03-02", "2024-03-01", "USD").end_date).toMatch(/not be before/);
    expect(rangeErrors("2024-02-30", "", "usd")).toEqual({
      start_date: "Enter the first day (YYYY-MM-DD).",
      end_date: "Enter the last day (YYYY-MM-DD).",
      currency: "Enter a currency code of three capital letters, such as USD.",
    });
  });
  it("gives the last days up to today", () => {
    expect(lastDays(7, new Date("2024-03-07T23:00:00Z"))).toEqual(["2024-03-01", "2024-03-07"]);
    expect(lastDays(1, new Date("2024-03-07T00:00:00Z"))).toEqual(["2024-03-07", "2024-03-07"]);
  });
});

describe("order form", () => {
  it("takes 1 to 10 and an optional symbol of three", () => {
    expect(orderErrors({ quantity: "3", symbol: "" })).toEqual({});
    expect(orderBody({ quantity: " 3 ", symbol: " abc " })).toEqual({ quantity: 3, symbol: "ABC" });
    expect(orderBody({ quantity: "10", symbol: "" })).toEqual({ quantity: 10 });
    expect(orderErrors({ quantity: "11", symbol: "AB" })).toEqual({
      quantity: "Enter a whole number from 1 to 10.",
      symbol: "Use 3 letters or digits, such as ABC, or leave it empty.",
    });
    expect(orderErrors({ quantity: "2.5", symbol: "A-C" }).quantity).toBeDefined();
  });
  it("backs off while watching an order, up to a cap", () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoff(n));
    expect(delays[0]).toBe(500);
    expect(delays[1]).toBe(800);
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(Math.max(...delays)).toBe(5_000);
  });
});
