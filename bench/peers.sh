#!/usr/bin/env bash
# Install the benchmark's peer tools (pa11y-ci, @axe-core/cli) into bench/.peers, idempotently.
#
#     bash bench/peers.sh install     # no-op when bench/.peers already matches bench/peers/
#
# No browser or driver is downloaded: both tools are run against the system Chromium and
# chromedriver (/usr/bin/chromium, /usr/bin/chromedriver) by bench/peers.py.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/peers"
dest="$here/.peers"

case "${1:-}" in
  install) ;;
  *) echo "usage: bash bench/peers.sh install" >&2; exit 2 ;;
esac

command -v npm >/dev/null || { echo "npm not found (apt-get install -y nodejs npm)" >&2; exit 1; }
stamp() { { cat "$src/package.json"; cat "$src/package-lock.json" 2>/dev/null || true; } | sha256sum | cut -d' ' -f1; }
if [ -f "$dest/.stamp" ] && [ "$(cat "$dest/.stamp")" = "$(stamp)" ] \
   && [ -x "$dest/node_modules/.bin/pa11y-ci" ] && [ -x "$dest/node_modules/.bin/axe" ]; then
  echo "peers already installed in $dest"
  exit 0
fi

mkdir -p "$dest"
cp "$src/package.json" "$dest/package.json"
export PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROME_DOWNLOAD=1 PUPPETEER_SKIP_CHROME_HEADLESS_SHELL_DOWNLOAD=1
export CHROMEDRIVER_SKIP_DOWNLOAD=true
flags=(--prefix "$dest" --no-audit --no-fund --loglevel=error)
if [ -f "$src/package-lock.json" ]; then
  cp "$src/package-lock.json" "$dest/package-lock.json"
  npm ci "${flags[@]}"
else
  npm install "${flags[@]}"
  cp "$dest/package-lock.json" "$src/package-lock.json"   # first install: keep the lock beside package.json
fi
stamp > "$dest/.stamp"
echo "installed: $("$dest/node_modules/.bin/pa11y-ci" --version 2>/dev/null | tail -1) pa11y-ci," \
     "$("$dest/node_modules/.bin/axe" --version 2>/dev/null | tail -1) @axe-core/cli into $dest"
