# Sourced by the root scripts: installs dependencies and makes sure the real
# servers answer, then exports their URLs. Idempotent; safe to run every time.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${LMS_STATE_DIR:-$ROOT/.lms}"
PNPM_VERSION="$(node -p "require('$ROOT/package.json').packageManager.split('@')[1]")"
PNPM="$STATE/tools/node_modules/.bin/pnpm"

bootstrap_deps() {
  if [ ! -x "$PNPM" ] || [ "$("$PNPM" --version)" != "$PNPM_VERSION" ]; then
    echo "[bootstrap] installing pnpm $PNPM_VERSION into $STATE/tools" >&2
    mkdir -p "$STATE/tools"
    npm install --prefix "$STATE/tools" --no-save --no-package-lock --loglevel=error "pnpm@$PNPM_VERSION" >/dev/null
  fi
  echo "[bootstrap] pnpm install" >&2
  (cd "$ROOT" && "$PNPM" install --frozen-lockfile --prefer-offline --reporter=silent)
}

bootstrap_infra() {
  bash "$ROOT/deploy/local/infra.sh" up
  # shellcheck disable=SC1091
  set -a; source "$STATE/infra.env"; set +a
}
