import { describe, expect, it } from "vitest";
import { ago, lastRunInWords, notifyOnInWords, quotaInWords, refreshDelay, waitInWords } from "./format";

const NOW = Date.parse("2026-11-24T10:30:00Z");
const before = (ms: number) => new Date(NOW - ms).toISOString();
const MIN = 60_000;

describe("alert words", () => {
  it("says how long ago", () => {
    expect(ago(before(20_000), NOW)).toBe("just now");
    expect(ago(before(-5_000), NOW)).toBe("just now");
    expect(ago("garbage", NOW)).toBe("just now");
    expect(ago(before(5 * MIN + 59_000), NOW)).toBe("5 min ago");
    expect(ago(before(3 * 60 * MIN), NOW)).toBe("3 h ago");
    expect(ago(before(25 * 60 * MIN), NOW)).toBe("yesterday");
    expect(ago(before(4 * 24 * 60 * MIN), NOW)).toBe("4 days ago");
  });

  it("says what each last run did", () => {
    const run = (outcome: "sent" | "unchanged" | "no_listings" | "budget_exhausted" | "failed") => ({ at: before(5 * MIN), outcome });
    expect(lastRunInWords({ last_run: run("sent"), last_sent_at: before(5 * MIN) }, NOW)).toBe("Last run 5 min ago: emailed you the cheapest listings");
    expect(lastRunInWords({ last_run: run("unchanged"), last_sent_at: before(120 * MIN) }, NOW)).toBe(
      "Last run 5 min ago: nothing changed, no email (last email 2 h ago)",
    );
    expect(lastRunInWords({ last_run: run("no_listings") }, NOW)).toBe("Last run 5 min ago: no listings found, no email");
    expect(lastRunInWords({ last_run: run("no_listings"), max_price: 20 }, NOW)).toBe(
      "Last run 5 min ago: no listings at or under the maximum price, no email",
    );
    expect(lastRunInWords({ last_run: run("budget_exhausted") }, NOW)).toBe(
      "Last run 5 min ago: skipped: the day's marketplace budget is spent, next run as scheduled",
    );
    expect(lastRunInWords({ last_run: run("failed") }, NOW)).toBe("Last run 5 min ago: the email could not be sent, next run as scheduled");
  });

  it("says when an alert never ran, or only its last email is known", () => {
    expect(lastRunInWords({}, NOW)).toBe("Not run yet, no email yet");
    expect(lastRunInWords({ last_sent_at: before(3 * 60 * MIN) }, NOW)).toBe("Last email 3 h ago");
  });

  it("says when it emails", () => {
    expect(notifyOnInWords("changes")).toBe("emails only when the listings change");
    expect(notifyOnInWords("every_run")).toBe("emails after every search");
  });

  it("says waits", () => {
    expect(waitInWords(12)).toBe("a moment");
    expect(waitInWords(61)).toBe("2 min");
    expect(waitInWords(3600)).toBe("about 1 h");
    expect(waitInWords(43_210)).toBe("about 12 h 1 min");
  });

  it("says when alerts can be created again, from Retry-After or else the message", () => {
    const message = "you have used your 100 new alerts a day; try again in 5400 s";
    expect(quotaInWords(message, 5400, NOW, "UTC")).toBe(
      "You have used your 100 new alerts a day (deleted alerts count too). You can create another in about 1 h 30 min (at 12:00).",
    );
    expect(quotaInWords(message, undefined, NOW, "UTC")).toMatch(/in about 1 h 30 min \(at 12:00\)\.$/);
    expect(quotaInWords(message, 600, NOW, "Europe/Paris")).toMatch(/in 10 min \(at 11:40\)\.$/);
    expect(quotaInWords("too many", undefined, NOW, "UTC")).toBe("Too many (deleted alerts count too). Try again later.");
  });

  it("reads the list again a little after the next run, never too often", () => {
    const at = (ms: number) => new Date(NOW + ms).toISOString();
    expect(refreshDelay([], NOW)).toBeUndefined();
    expect(refreshDelay([{ status: "paused", next_run_at: at(MIN) }], NOW)).toBeUndefined();
    const alerts = [
      { status: "active" as const, next_run_at: at(2 * MIN) },
      { status: "active" as const, next_run_at: at(MIN) },
      { status: "paused" as const, next_run_at: at(1_000) },
    ];
    expect(refreshDelay(alerts, NOW)).toBe(MIN + 10_000);
    expect(refreshDelay([{ status: "active", next_run_at: at(1_000) }], NOW)).toBe(20_000);
    expect(refreshDelay([{ status: "active", next_run_at: at(-5_000) }], NOW)).toBe(30_000);
    expect(refreshDelay([{ status: "active", next_run_at: at(-4 * MIN) }], NOW)).toBe(2 * MIN);
    expect(refreshDelay([{ status: "active", next_run_at: at(-60 * MIN) }], NOW)).toBe(5 * MIN);
    expect(refreshDelay([{ status: "active", next_run_at: at(30 * MIN) }], NOW)).toBe(5 * MIN);
  });
});
