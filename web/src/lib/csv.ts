// CSV as spreadsheets read it (RFC 4180): a header row, then one row per record, fields separated
// by commas, lines ended by CRLF. A field is quoted when it holds a comma, a quote (doubled inside),
// a line break or blanks at its ends. A text that a spreadsheet would run as a formula (starting
// with = + - @, a tab or a carriage return) gets a leading apostrophe; numbers are written as
// numbers. Pure, so it is tested without a browser.

export type Cell = string | number | boolean | null | undefined;

export type Column<T> = { header: string; value: (row: T) => Cell };

const FORMULA = /^[=+\-@\t\r]/;

/** One field, quoted and neutralised as needed. */
export function field(cell: Cell): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "number") return Number.isFinite(cell) ? String(cell) : "";
  if (typeof cell === "boolean") return cell ? "true" : "false";
  const text = FORMULA.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The whole file: the headers, then each row's cells, CRLF after every line. */
export function toCsv<T>(columns: Column<T>[], rows: T[]): string {
  const lines = [columns.map((c) => field(c.header)), ...rows.map((row) => columns.map((c) => field(c.value(row))))];
  return lines.map((cells) => `${cells.join(",")}\r\n`).join("");
}

/** A file name that says what and when: `order-value-2024-03-01-to-2024-03-07.csv`. */
export function csvName(what: string, start?: string, end?: string): string {
  const slug = what.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return `${slug}${start && end ? `-${start}-to-${end}` : ""}.csv`;
}
