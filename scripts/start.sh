#!/usr/bin/env bash
# npm start: install, start the real servers, then every service and the gateway.
#   npm start -- --seed   also creates demo accounts and prints their credentials
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
cd "$ROOT"
bootstrap_deps
bootstrap_infra
exec node --import tsx --conditions=@lms/source scripts/dev/run.ts "$@"
