import { describe, expect, it } from "vitest";
import { csvName, field, toCsv } from "./csv";

describe("CSV fields", () => {
  it("leaves plain text and numbers as they are", () => {
    expect(field("Idaho")).toBe("Idaho");
    expect(field(12.5)).toBe("12.5");
    expect(field(0)).toBe("0");
    expect(field(true)).toBe("true");
    expect(field(null)).toBe("");
    expect(field(undefined)).toBe("");
    expect(field(Number.NaN)).toBe("");
  });
  it("quotes commas, quotes, line breaks and blanks at the ends", () => {
    expect(field("Dyer, Dan")).toBe('"Dyer, Dan"');
    expect(field('the "best" one')).toBe('"the ""best"" one"');
    expect(field("two\nlines")).toBe('"two\nlines"');
    expect(field("cr\r\nlf")).toBe('"cr\r\nlf"');
    expect(field(" padded ")).toBe('" padded "');
    expect(field("")).toBe("");
  });
  it("keeps a spreadsheet from running a text as a formula", () => {
    expect(field("=SUM(A1:A2)")).toBe("'=SUM(A1:A2)");
    expect(field("+1")).toBe("'+1");
    expect(field("-cmd")).toBe("'-cmd");
    expect(field("@here")).toBe("'@here");
    expect(field("=1,2")).toBe(`"'=1,2"`);
    // A negative number is a number, not a formula.
    expect(field(-3)).toBe("-3");
  });
});

describe("CSV files", () => {
  it("writes a header and a row per record, CRLF after each line", () => {
    const rows = [
      { province: "Idaho", value: 5 },
      { province: "New York, NY", value: 15.25 },
    ];
    const csv = toCsv(
      [
        { header: "province", value: (r) => r.province },
        { header: "order value", value: (r) => r.value },
      ],
      rows,
    );
    expect(csv).toBe('province,order value\r\nIdaho,5\r\n"New York, NY",15.25\r\n');
  });
  it("writes only the header for no rows", () => {
    expect(toCsv([{ header: "a", value: () => 1 }], [])).toBe("a\r\n");
  });
  it("names files by what and when", () => {
    expect(csvName("Order value", "2024-03-01", "2024-03-07")).toBe("order-value-2024-03-01-to-2024-03-07.csv");
    expect(csvName("Items in New York")).toBe("items-in-new-york.csv");
  });
});
