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
"$bin" tryon samples/tryon/wine_room.jpg --item samples/tryon/plant_palm_34.png --at 760,700 --item samples/tryon/lamp_floor_34.png --at 120,690 --before-after -o out/tryon.jpg > out/tryon.txt
echo "results are in out/"
