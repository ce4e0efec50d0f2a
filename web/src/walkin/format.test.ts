import { describe, expect, it } from "vitest";
import { customerIdProblem, tierName, waitInWords, waited } from "./format";

describe("walk-in words", () => {
  it("says waits in minutes and hours", () => {
    expect(waitInWords(null)).toBeUndefined();
    expect(waitInWords(30)).toBe("a few moments");
    expect(waitInWords(60)).toBe("about 1 minute");
    expect(waitInWords(250)).toBe("about 4 minutes");
    expect(waitInWords(3900)).toBe("about 1 h 5 min");
  });
  it("says time waited briefly", () => {
    expect(waited(42)).toBe("42 s");
    expect(waited(125)).toBe("2 min");
    expect(waited(7260)).toBe("2 h 1 min");
  });
  it("names tiers", () => {
    expect(tierName("vip")).toBe("VIP");
    expect(tierName("regular")).toBe("Regular");
  });
  it("tells a customer id from what cannot be one", () => {
    expect(customerIdProblem(" 3b1e0f52-8d4c-4a8e-b0f1-6f2d9c7e5a13 ")).toBeUndefined();
    expect(customerIdProblem("  ")).toMatch(/^Enter the customer id/);
    expect(customerIdProblem("Kira Kiosk")).toMatch(/^That is not a customer id/);
    expect(customerIdProblem("a".repeat(65))).toMatch(/^That is not a customer id/);
  });
});
