#!/usr/bin/env bash
# Screenshots of the built docs (site/) in headless Chromium, to look at before a release:
# the home page, a theory page, an API page and a rendered notebook.
#   usage: [SITE=site] scripts/screenshot_docs.sh [OUTDIR]   (default: build/screenshots)
# Needs `chromium` (Debian: apt-get install -y chromium) and a built site (make docs).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/screenshots}
site=$(cd "${SITE:-site}" 2>/dev/null && pwd || true)
mkdir -p "$out"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "no chromium found (apt-get install -y chromium)" >&2; exit 1; }
[ -n "$site" ] && [ -f "$site/index.html" ] || { echo "no ${SITE:-site}/index.html: run make docs first" >&2; exit 1; }
shot() {  # $1: page under site/, $2: png name, $3: window height
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --virtual-time-budget=15000 --window-size=1280,"${3:-1400}" \
        --screenshot="$out/$2" "file://$site/$1" 2>/dev/null
    echo "$out/$2  <- $site/$1"
}
shot index.html home.png 1400
shot theory/rf.html theory_rf.png 2400
shot api/vortex.html api_vortex.png 1800
shot "${NOTEBOOK:-notebooks/03_surface_resistance_alpha_fit.html}" notebook.png 3000
