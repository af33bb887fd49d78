#!/usr/bin/env bash
# npm test: install, start the real servers, typecheck, then every test in the repo.
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
cd "$ROOT"
bootstrap_deps
bootstrap_infra

status=0
echo "[test] typecheck" >&2
"$PNPM" -r --no-bail --workspace-concurrency=2 run typecheck || { echo "[test] typecheck failed" >&2; status=1; }

mapfile -t parallel < <(git ls-files --cached --others --exclude-standard '*.test.ts' | grep -v '\.serial\.test\.ts$' | sort)
mapfile -t serial < <(git ls-files --cached --others --exclude-standard '*.serial.test.ts' | sort)
log="$STATE/logs/test-run.log"; : >"$log"
if [ "${#parallel[@]}" -gt 0 ]; then
  npx tap --jobs=2 "${parallel[@]}" 2>&1 | tee -a "$log" || status=1
fi
# Tests that restart a shared server run one at a time, after the others.
if [ "${#serial[@]}" -gt 0 ]; then
  npx tap --jobs=1 "${serial[@]}" 2>&1 | tee -a "$log" || status=1
fi
deploy_line=""
if [ -f scripts/check-deploy.sh ]; then
  bash scripts/check-deploy.sh 2>&1 | tee "$STATE/logs/deploy-checks.log" || status=1
  deploy_line="$(grep -E '^deploy-checks: [0-9]+ passed, [0-9]+ failed' "$STATE/logs/deploy-checks.log" | tail -1 || true)"
fi
# tap prints "# { total: N, pass: P, fail: F, ... }" per run; sum them into one closing line.
node -e '
const fs = require("fs")
let pass = 0, fail = 0
for (const m of fs.readFileSync(process.argv[1], "utf8").matchAll(/^# \{ total: \d+, pass: (\d+)(?:, fail: (\d+))?/gm)) { pass += +m[1]; fail += +(m[2] ?? 0) }
const d = /deploy-checks: (\d+) passed, (\d+) failed/.exec(process.argv[2] ?? "")
if (d) { pass += +d[1]; fail += +d[2] }
console.log(`tests: ${pass} passed, ${fail} failed`)
' "$log" "$deploy_line"
exit $status
