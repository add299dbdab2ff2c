#!/usr/bin/env bash
# Brings the broker up on its own database and runs the demonstration.
#   npm run demo                      run it and stop
#   npm run demo -- --keep-running    leave the broker running afterwards (Ctrl-C stops it)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ]; then
  echo "installing dependencies"
  bash scripts/install.sh
fi
echo "building"
npm run --silent build
bash scripts/services.sh
exec node dist/apps/cli/src/main.js demo "$@"
