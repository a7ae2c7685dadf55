#!/usr/bin/env node
// Completes `next build`'s standalone output (.next/standalone) so that `node server.js` there runs the
// portal with no dev dependencies (Next.js docs, "output: standalone": static files and public/ are
// not copied by the build):
//   - .next/static → .next/standalone/.next/static, public/ → .next/standalone/public (if any);
//   - server/portal-server.js → .next/standalone/server.js (the entry server: peer address, request
//     ids, request logs, graceful shutdown), replacing Next's generated one.
// Runs as `npm run build`'s last step.
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const out = path.join(root, ".next", "standalone");
if (!fs.existsSync(path.join(out, ".next"))) throw new Error("standalone: .next/standalone is missing: run `next build` first (next.config.js has output: \"standalone\")");
fs.cpSync(path.join(root, ".next", "static"), path.join(out, ".next", "static"), { recursive: true });
if (fs.existsSync(path.join(root, "public"))) fs.cpSync(path.join(root, "public"), path.join(out, "public"), { recursive: true });
fs.copyFileSync(path.join(root, "server", "portal-server.js"), path.join(out, "server.js"));
console.log("standalone: .next/standalone ready (node .next/standalone/server.js)");
