#!/usr/bin/env bash
# A newcomer's first command: installs what is missing, builds, and runs neuroshop's main jobs on
# the shipped samples, writing the results into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
mkdir -p out
bin="${BUILD_DIR:-build}/neuroshop"
"$bin" demo xor > out/demo-xor.txt
"$bin" colorize samples/colorize -o out/colorize
echo "results are in out/"
