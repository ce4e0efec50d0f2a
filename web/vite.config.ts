// The console is one single-page application served at /console/ on the API's origin. Each view
// is its own chunk (lazy routes), so a kiosk loads only the kiosk; the chart library only comes
// with the views that draw charts. Hashed file names let the server cache assets for a year.
import { defineConfig } from "vitest/config";
import preact from "@preact/preset-vite";

export default defineConfig({
  base: "/console/",
  plugins: [preact()],
  build: {
    outDir: "dist/console",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    manifest: true,
  },
  server: {
    // `npm run dev` for console work: the API (make dev) answers the rest.
    proxy: { "^/(walkin|booking|orders|analytics|alerts)/": "http://127.0.0.1:9000", "/openapi.json": "http://127.0.0.1:9000" },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
