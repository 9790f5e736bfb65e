#!/usr/bin/env bash
# The browser test of `neuroshop serve` (tests/e2e/tryon.e2e.mjs): Debian's headless Chromium driven
# by playwright-core uploads a room, places a sofa by dragging, renders, downloads, and compares the
# download with `neuroshop tryon`'s output for the same placement; then runs the colorize and stylize pages.
# Usage: scripts/e2e.sh [--binary PATH] [--skip-missing]
#   --binary PATH   the neuroshop to test (default: ${BUILD_DIR:-build}/neuroshop, built first if needed)
#   --skip-missing  exit 77 (CTest's "skipped") when Chromium, Node.js or tests/e2e/node_modules is
#                   missing, instead of failing (or running npm ci); CTest runs it this way
# What it needs comes with scripts/install-deps.sh --e2e (chromium, nodejs, npm ci in tests/e2e).
set -euo pipefail
cd "$(dirname "$0")/.."

binary=""
skip_missing=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --skip-missing) skip_missing=1; shift ;;
    *) echo "usage: scripts/e2e.sh [--binary PATH] [--skip-missing]" >&2; exit 2 ;;
  esac
done
chromium="${CHROMIUM:-/usr/bin/chromium}"

missing() {
  if [[ $skip_missing -eq 1 ]]; then
    echo "e2e skipped: $1 (scripts/install-deps.sh --e2e installs it)"
    exit 77
  fi
  echo "error: $1 (run scripts/install-deps.sh --e2e)" >&2
  exit 1
}
[[ -x "$chromium" ]] || missing "no Chromium at $chromium"
command -v node >/dev/null || missing "no Node.js"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' || missing "Node.js 18 or newer is needed"
if [[ ! -d tests/e2e/node_modules/playwright-core ]]; then
  [[ $skip_missing -eq 1 ]] && missing "tests/e2e/node_modules (playwright-core) is not installed"
  command -v npm >/dev/null || missing "no npm"
  npm ci --prefix tests/e2e --no-audit --no-fund
fi

if [[ -z "$binary" ]]; then
  build_dir="${BUILD_DIR:-build}"
  [[ -f "$build_dir/CMakeCache.txt" ]] || cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" --target neuroshop -j "$(nproc)"
  binary="$build_dir/neuroshop"
fi
NEUROSHOP_BINARY="$(realpath "$binary")" CHROMIUM="$chromium" exec node tests/e2e/tryon.e2e.mjs
