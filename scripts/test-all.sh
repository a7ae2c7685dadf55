#!/usr/bin/env bash
# The whole test suite (README: `npm test`). Starts the test peers it needs on 127.0.0.1 — Ceph RGW
# (S3 + STS) — and stops them afterwards; a missing peer fails the run, it never skips.
#   1. typecheck   2. unit tests   3. integration tests (RGW, demo CKAN), once on SQLite and once on
#      PostgreSQL (a throwaway cluster started by scripts/pg.sh on PG_PORT)
#   4. npm run build (standalone output)  5. service tests: the standalone build as processes (two
#      instances on PostgreSQL behind a round-robin balancer; health, metrics, logs, shutdown)
#   6. unit and integration tests (SQLite) again on Node.js 22 (scripts/node22.sh, from the npm registry)
#   7. Playwright end-to-end (Chromium): sts mode against RGW, and the demo stack.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
export NODE_NO_WARNINGS=1
export RGW_DIR="${RGW_DIR:-/tmp/ckan-portal-rgw-test}"
export RGW_PORT="${RGW_PORT:-7481}"
export RGW_MON_PORT="${RGW_MON_PORT:-16790}"
export RGW_MEMSTORE_BYTES="${RGW_MEMSTORE_BYTES:-6442450944}"
export PG_DIR="${PG_DIR:-/tmp/ckan-portal-pg-test}"
export PG_PORT="${PG_PORT:-55432}"

started=$(date +%s)
step() { echo; echo "=== $* ($(( $(date +%s) - started )) s)"; }

step "typecheck"
npx tsc --noEmit

step "unit tests"
npx vitest run --project unit

step "start Ceph RGW"
trap 'bash scripts/rgw.sh stop >/dev/null 2>&1 || true; bash scripts/pg.sh stop >/dev/null 2>&1 || true' EXIT
bash scripts/rgw.sh start >/dev/null
# shellcheck disable=SC1091
source "$RGW_DIR/env"

step "start PostgreSQL"
bash scripts/pg.sh start
# shellcheck disable=SC1091
source "$PG_DIR/env"

step "integration tests on SQLite"
rm -rf .tmp && mkdir -p .tmp
npx vitest run --project integration

step "integration tests on PostgreSQL"
TEST_DATABASE=postgresql npx vitest run --project integration

step "build (next build + standalone output)"
npm run build

step "service tests (standalone build: two instances behind a load balancer, health, metrics, logs, shutdown)"
npx vitest run --project service

step "unit and integration tests on Node.js 22 (scripts/node22.sh)"
# On SQLite only: Node 22's risk is the runtime and better-sqlite3's native addon for its ABI; the
# PostgreSQL driver (pg) is plain JavaScript, tested on Node 20 above. Saves ~5 minutes of the CI budget.
bash scripts/pg.sh stop
bash scripts/node22.sh npx vitest run --project unit --project integration

step "end-to-end tests"
npx playwright test

step "done in $(( $(date +%s) - started )) s"
