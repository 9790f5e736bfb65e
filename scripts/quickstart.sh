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
"$bin" stylize samples/stylize/sea.jpg --style great-wave -o out/stylize-sea-great-wave.jpg
"$bin" items > out/items.txt
# two catalogue items by name, the beanbag and the table kept in front of what stands behind them
"$bin" tryon samples/tryon/wine_room.jpg --item plant-tree --at 740,645 --item chair-cushion --at 690,960 \
  --in-front 300,1100 --in-front 470,520 --before-after -o out/tryon.jpg > out/tryon.txt
echo "results are in out/"
