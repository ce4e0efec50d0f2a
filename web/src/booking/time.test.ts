import { describe, expect, it } from "vitest";
import { byDay, countdown, dayOf } from "./time";

describe("booking times", () => {
  it("groups slots by the viewer's day, not UTC's", () => {
    const slots = [
      { start_time: "2026-12-08T23:30:00Z" },
      { start_time: "2026-12-08T09:00:00Z" },
      { start_time: "2026-12-09T01:00:00Z" },
    ];
    expect(byDay(slots, "UTC").map(([day, items]) => [day, items.length])).toEqual([
      ["2026-12-08", 2],
      ["2026-12-09", 1],
    ]);
    // In New York (UTC-5) 23:30Z and 01:00Z are both on the 8th.
    expect(byDay(slots, "America/New_York").map(([day, items]) => [day, items.length])).toEqual([["2026-12-08", 3]]);
    expect(dayOf("2026-12-08T23:30:00Z", "Asia/Tokyo")).toBe("2026-12-09");
  });

  it("counts a hold down to zero", () => {
    const now = Date.parse("2026-12-08T10:00:00Z");
    expect(countdown("2026-12-08T10:29:59Z", now)).toBe("29:59");
    expect(countdown("2026-12-08T10:00:05Z", now)).toBe("0:05");
    expect(countdown("2026-12-08T09:00:00Z", now)).toBe("0:00");
  });
});
