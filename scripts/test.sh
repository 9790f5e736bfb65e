#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (including the LibTorch
# cross-checks and the browser test of `neuroshop serve`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The browser test's Chromium and playwright-core (npm); where they cannot be had, that one test
# is skipped and says why.
scripts/install-deps.sh --e2e || echo "warning: the browser test's dependencies could not be installed; e2e_serve will be skipped" >&2
scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" --timeout 600
