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
# The team mailbox of the demonstration (a report arriving by encrypted e-mail) is a local Dovecot.
bash scripts/system-tools.sh dovecot-imapd || echo "continuing without the e-mail report part of the demonstration"
echo "building"
npm run --silent build
bash scripts/services.sh
exec node dist/apps/cli/src/main.js demo "$@"
