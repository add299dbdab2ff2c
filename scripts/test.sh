#!/usr/bin/env bash
# The whole test suite: type check, lint, then unit and end-to-end tests against the local
# PostgreSQL and Redis (each test file gets its own database and Redis key prefix).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ]; then
  echo "installing dependencies"
  bash scripts/install.sh
fi
bash scripts/services.sh
bash scripts/system-tools.sh
echo "type checking"
npx tsc -p tsconfig.json --noEmit
npx tsc -p apps/console/tsconfig.json
echo "linting"
npx eslint --max-warnings 0 apps libs test bench scripts
echo "checking the formatting (npm run format fixes it)"
npx prettier --check . >/dev/null || { npx prettier --list-different .; echo "the files above are not formatted: npm run format" >&2; exit 1; }
echo "building (the crash-recovery test runs the built dispatcher process)"
npm run --silent build
exec npx vitest run "$@"
