import { describe, expect, it } from "vitest";
import { tierName, waitInWords, waited } from "./format";

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
});
