#!/usr/bin/env bash
# Generates the Prisma clients for both providers (SQLite: the embedded default; PostgreSQL: production).
# Runs offline: engine "js" + driver adapters (see prisma.config.ts). Called by `npm install` (postinstall).
set -euo pipefail
cd "$(dirname "$0")/.."
DATABASE_URL="file:./data/portal.db" npx prisma generate >/dev/null
DATABASE_URL="postgresql://generate@127.0.0.1:1/none" npx prisma generate >/dev/null
echo "prisma clients generated (sqlite, postgresql)"
