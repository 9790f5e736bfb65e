#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (including the LibTorch cross-checks).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" --timeout 600
