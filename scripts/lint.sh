#!/usr/bin/env bash
# npm run lint: one ESLint + Prettier setup for the whole tree.
set -euo pipefail
cd "$(dirname "$0")/.."
npx eslint .
