#!/usr/bin/env bash
# npm run bench            every benchmark under */bench/*.bench.ts except the event bus
# npm run bench:events     the event bus benchmark (outbox → broker → consumer vs bare amqplib)
# Loopback only; each benchmark starts what it needs and stops by itself.
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
cd "$ROOT"
bootstrap_deps
bootstrap_infra
run() { echo; echo "=== $1"; node --import tsx --conditions=@lms/source "$1"; }
if [ "${1:-}" = "events" ]; then
  run packages/events/bench/events.bench.ts
  exit 0
fi
for file in gateway/bench/*.bench.ts services/*/bench/*.bench.ts; do
  [ -f "$file" ] && run "$file"
done
