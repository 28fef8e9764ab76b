// Bundles the web client into dist/: app.js (src/main.ts and the SDK it imports, resolved
// through tsconfig.json's paths), and the static files beside it. prim serve serves dist/.
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";

const dist = new URL("./dist/", import.meta.url);
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [new URL("./src/main.ts", import.meta.url).pathname],
  bundle: true,
  format: "esm",
  target: "es2020",
  sourcemap: true,
  minify: true,
  tsconfig: new URL("./tsconfig.json", import.meta.url).pathname,
  outfile: new URL("./app.js", dist).pathname,
  logLevel: "warning",
});
cpSync(new URL("./static/", import.meta.url), dist, { recursive: true });
