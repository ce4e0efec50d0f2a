// "Download CSV": what a table shows, as a file the browser saves (built by lib/csv).
import { type Column, csvName, toCsv } from "../lib/csv";

export function DownloadCsv<T>({ what, columns, rows, start, end }: { what: string; columns: Column<T>[]; rows: T[]; start?: string; end?: string }) {
  const save = () => {
    const blob = new Blob([toCsv(columns, rows)], { type: "text/csv;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = csvName(what, start, end);
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <button type="button" class="secondary small" onClick={save} disabled={rows.length === 0}>
      Download CSV<span class="visually-hidden"> of {what.toLowerCase()}</span>
    </button>
  );
}
