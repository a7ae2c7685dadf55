// Bundles the command line into one file, dist/ckan-upload.js (Node ≥ 20, CommonJS, no dependencies
// left to install): `npm pack` in this folder gives a tarball for `npm install -g` on a server.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const { version } = JSON.parse(readFileSync(path.join(here, "package.json"), "utf8"));

await build({
  entryPoints: [path.join(here, "src/main.ts")],
  outfile: path.join(here, "dist/ckan-upload.js"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: false,
  sourcemap: false,
  legalComments: "none",
  banner: { js: "#!/usr/bin/env node" },
  define: { CLI_VERSION: JSON.stringify(version) },
  alias: { "@": repo },
  nodePaths: [path.join(repo, "node_modules")],
  logLevel: "warning",
});
console.log(`built ${path.relative(process.cwd(), path.join(here, "dist/ckan-upload.js"))} (version ${version})`);
