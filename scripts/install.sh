#!/usr/bin/env bash
# Installs the exact dependency tree of package-lock.json. The lock file lists every platform's
# optional native packages (SWC, esbuild, Rollup…), so npm ci takes it on Linux, macOS and Windows,
# with the npm of Node 20 and with current npm alike.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
