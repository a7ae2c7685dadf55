#!/usr/bin/env bash
# Runs a command on Node.js 22 (the second supported version; README "Requirements"), with nothing
# but the npm registry: the `node-linux-<arch>` package ships the official binary and its headers.
#   bash scripts/node22.sh npx vitest run --project unit
# better-sqlite3's native addon is built for one Node ABI (Node 20: 115, Node 22: 127): a copy of it is
# compiled for Node 22 against the package's headers (node-gyp, no download), swapped into
# node_modules for the command and restored afterwards, whatever the outcome.
# Environment: NODE22_DIR (default /tmp/ckan-portal-node22), NODE22_VERSION (default 22).
set -euo pipefail
cd "$(dirname "$0")/.."
NODE22_DIR="${NODE22_DIR:-/tmp/ckan-portal-node22}"
NODE22_VERSION="${NODE22_VERSION:-22}"
arch="$(node -p process.arch)"
pkg="node-linux-${arch}"
node22="$NODE22_DIR/node_modules/$pkg/bin/node"

if [ ! -x "$node22" ]; then
  echo "node22: installing $pkg@$NODE22_VERSION from the npm registry into $NODE22_DIR" >&2
  mkdir -p "$NODE22_DIR"
  npm install --no-save --no-audit --no-fund --prefix "$NODE22_DIR" "$pkg@$NODE22_VERSION" >/dev/null
fi
version="$("$node22" --version)"
abi="$("$node22" -p process.versions.modules)"

addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
built="$NODE22_DIR/better-sqlite3-abi$abi/build/Release/better_sqlite3.node"
if [ ! -f "$built" ]; then
  echo "node22: building better-sqlite3 for Node $version (ABI $abi)" >&2
  rm -rf "$NODE22_DIR/better-sqlite3-abi$abi"
  cp -r node_modules/better-sqlite3 "$NODE22_DIR/better-sqlite3-abi$abi"
  rm -rf "$NODE22_DIR/better-sqlite3-abi$abi/build"
  gyp="$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
  (cd "$NODE22_DIR/better-sqlite3-abi$abi" && "$node22" "$gyp" rebuild --release --jobs=2 --nodedir="$NODE22_DIR/node_modules/$pkg" >/dev/null)
fi

cp "$addon" "$addon.node20"
trap 'mv -f "$addon.node20" "$addon"' EXIT
cp "$built" "$addon"
echo "node22: running on Node $version: $*" >&2
PATH="$(dirname "$node22"):$PATH" "$@"
