// After `vite build`: each view's first load in gzipped bytes (its HTML-entry chunks and CSS plus
// the view's own chunk and what that imports), checked against the budget, printed as a table. A
// view that draws charts loads the chart library (its own chunk) when it draws the first one: its
// row "+ chart" counts that too, against the same budget.
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const BUDGET = 100 * 1024;
const dist = "dist/console";
const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8"));
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;

/** Every file a chunk loads before it runs: itself, its CSS and its static imports. */
function closure(key, seen = new Set()) {
  const chunk = manifest[key];
  if (!chunk || seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  for (const css of chunk.css ?? []) seen.add(css);
  for (const dep of chunk.imports ?? []) closure(dep, seen);
  return seen;
}

const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
const base = closure(entry);
const CHART = "src/components/uplot.ts";
const views = Object.keys(manifest).filter((k) => manifest[k].isDynamicEntry && k !== CHART);
const rows = [["(entry: sign-in, home)", base]];
for (const view of views) {
  const files = closure(view, new Set(base));
  rows.push([view.replace(/^src\//, ""), files]);
  const keys = Object.keys(manifest).filter((k) => files.has(manifest[k].file));
  if (keys.some((k) => (manifest[k].dynamicImports ?? []).includes(CHART))) {
    rows.push([`${view.replace(/^src\//, "")} + chart`, closure(CHART, new Set(files))]);
  }
}
let over = false;
console.log("| view | first load, gzipped |\n|---|---:|");
for (const [name, files] of rows) {
  const bytes = [...files].reduce((sum, f) => sum + gz(f), 0);
  over ||= bytes > BUDGET;
  console.log(`| ${name} | ${(bytes / 1024).toFixed(1)} KB${bytes > BUDGET ? " (over budget)" : ""} |`);
}
const all = readdirSync(join(dist, "assets")).length;
console.log(`${all} hashed assets; budget ${BUDGET / 1024} KB per view's first load`);
if (over) process.exit(1);
