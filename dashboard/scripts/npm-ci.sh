#!/usr/bin/env bash
# Installs the dashboard's packages from the committed lock file (npm ci), unless node_modules
# was installed from this very lock file already: npm ci deletes and refills node_modules, which
# costs half a minute on every build otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null 2>&1 || { echo "npm not found: the dashboard is built with Node.js 20.19+ and npm; install them" >&2; exit 1; }
stamp=node_modules/.orca-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
