#!/usr/bin/env bash
# npm run migrate: provisions each PostgreSQL service's role and schema and applies its migrations.
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
cd "$ROOT"
bootstrap_deps
bootstrap_infra
LMS_MIGRATE_ONLY=1 exec node --import tsx --conditions=@lms/source scripts/dev/run.ts "$@"
