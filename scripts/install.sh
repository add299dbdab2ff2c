#!/usr/bin/env bash
# Installs the exact dependency tree of package-lock.json (npm ci).
# npm 11 refuses a lock file that lacks the optional native packages of other platforms (as
# written where the registry does not serve them); npm 10 installs the same lock file exactly,
# so it is used then.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if npm ci --no-audit --no-fund --loglevel=error 2>"$log"; then
  exit 0
fi
if grep -q "from lock file" "$log"; then
  echo "npm $(npm --version) refused the lock file over other platforms' optional packages; installing it with npm 10"
  npx --yes npm@10 ci --no-audit --no-fund --loglevel=error
else
  grep -v 'Unknown user config' "$log" >&2
  exit 1
fi
