// Bundle each widget entry (js/<name>.ts) into src/graph_olap/jupyter/static/<name>.js (+ .css):
// minified ES modules with every dependency inside (no CDN), as anywidget loads them.
// `node js/build.mjs --check-size` also fails when a bundle is over the size budget.
import { build } from "esbuild";
import { mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ENTRIES = ["result", "graph", "progress"];
export const BUDGET_BYTES = 600 * 1024;

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// GOLAP_BUNDLE_DIR builds elsewhere (e.g. to benchmark a variant against the installed one).
export const OUT_DIR =
  process.env.GOLAP_BUNDLE_DIR || join(root, "src", "graph_olap", "jupyter", "static");

export async function bundle() {
  mkdirSync(OUT_DIR, { recursive: true });
  await build({
    entryPoints: Object.fromEntries(ENTRIES.map((name) => [name, join(root, "js", `${name}.ts`)])),
    outdir: OUT_DIR,
    bundle: true,
    format: "esm",
    minify: true,
    target: "es2020",
    legalComments: "none",
    logLevel: "warning",
  });
  return ENTRIES.map((name) => ({ name, bytes: statSync(join(OUT_DIR, `${name}.js`)).size }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = await bundle();
  let over = false;
  for (const { name, bytes } of sizes) {
    const flag = bytes > BUDGET_BYTES ? "  OVER BUDGET" : "";
    over ||= bytes > BUDGET_BYTES;
    console.log(`${name}.js ${(bytes / 1024).toFixed(1)} KB (budget ${BUDGET_BYTES / 1024} KB)${flag}`);
  }
  if (over && process.argv.includes("--check-size")) process.exit(1);
}
