import { describe, expect, it } from "vitest";
import { change, dayLabel, dayTicks, daySeconds, money, moneyTick, priceLines, secondsDay, valueLine } from "./chart";

describe("chart data", () => {
  it("reads days as UTC midnights", () => {
    expect(daySeconds("2024-03-01")).toBe(1709251200);
    expect(secondsDay(1709251200)).toBe("2024-03-01");
    expect(daySeconds("2024-3-1")).toBeNaN();
    expect(daySeconds("")).toBeNaN();
  });
  it("makes lowest and median lines, oldest first, without unreadable days", () => {
    const lines = priceLines([
      { date: "2024-03-03", min_price: 9, median_price: 12.5 },
      { date: "2024-03-01", min_price: 10, median_price: 13 },
      { date: "garbage", min_price: 1, median_price: 1 },
    ]);
    expect(lines).toEqual([[1709251200, 1709424000], [10, 9], [13, 12.5]]);
  });
  it("makes an order value line", () => {
    expect(
      valueLine([
        { date: "2024-03-02", order_value: 0, order_count: 0 },
        { date: "2024-03-01", order_value: 5.5, order_count: 2 },
      ]),
    ).toEqual([[1709251200, 1709337600], [5.5, 0]]);
    expect(valueLine([])).toEqual([[], []]);
  });
  it("ticks every day when few, else every k-th day", () => {
    const start = daySeconds("2024-03-01");
    expect(dayTicks(start, start + 2 * 86_400, 8)).toEqual([start, start + 86_400, start + 2 * 86_400]);
    const year = dayTicks(start, start + 365 * 86_400, 6);
    expect(year.length).toBeLessThanOrEqual(6);
    expect(year[0]).toBe(start);
    // Between midnights, the first tick is the next midnight.
    expect(dayTicks(start + 3600, start + 86_400, 5)).toEqual([start + 86_400]);
    expect(dayTicks(5, 1, 5)).toEqual([]);
  });
  it("labels days and money readably", () => {
    expect(dayLabel(daySeconds("2024-03-04"))).toBe("Mar 4");
    expect(dayLabel(daySeconds("2024-12-31"), true)).toBe("Dec 31, 2024");
    expect(money(1234.5, "USD")).toBe("$1,234.50");
    expect(money(3, "EUR")).toBe("€3.00");
    expect(money(null, "USD")).toBe("—");
    expect(moneyTick(12, "USD")).toBe("$12");
    expect(moneyTick(2.5, "USD")).toBe("$2.50");
    expect(moneyTick(25_000, "USD")).toBe("$25K");
    expect(change(-3.27)).toBe("−3.27 %");
    expect(change(1.5)).toBe("+1.5 %");
    expect(change(null)).toBe("not enough days yet");
  });
});
