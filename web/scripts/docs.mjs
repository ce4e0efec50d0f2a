// The API reference page for /docs/: our index and init script beside the files of the pinned
// swagger-ui-dist package (no CDN at run time).
import { copyFileSync, mkdirSync } from "node:fs";

const out = "dist/docs";
mkdirSync(out, { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css"]) copyFileSync(`node_modules/swagger-ui-dist/${file}`, `${out}/${file}`);
for (const file of ["index.html", "docs.js"]) copyFileSync(`docs/${file}`, `${out}/${file}`);
console.log(`API reference page in ${out}/`);
