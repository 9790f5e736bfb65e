#!/usr/bin/env bash
# Rebuilds samples/furniture/ (the try-on catalogue: pictures and catalogue.tsv) from a folder of
# renders with CREDITS.tsv and manifest.json, such as the shared furniture renders. Only pictures
# under a licence that allows redistribution are taken (CC0, CC-BY); the long side is shrunk to
# $SIDE px (default 512). The attribution of every item also belongs in samples/CREDITS.md: the
# script prints its table rows at the end.
#   scripts/furniture-catalogue.sh ../shared/data/furniture/renders
# Tests and the build never need the renders: the result is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -ne 1 || ! -f "$1/CREDITS.tsv" ]]; then
  echo "usage: scripts/furniture-catalogue.sh RENDERS_DIR   (a folder with CREDITS.tsv and manifest.json)" >&2
  exit 2
fi
renders="$1"
out="samples/furniture"
side="${SIDE:-512}"
mkdir -p build
tool="build/furniture_catalogue"
if [[ ! -x "$tool" || scripts/furniture_catalogue.cpp -nt "$tool" ]]; then
  g++ -O2 -std=c++17 -o "$tool" scripts/furniture_catalogue.cpp $(pkg-config --cflags --libs opencv4)
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$tool" "$renders" "$work" "$side"
rm -rf "$out"
mkdir -p "$out"
cp "$work"/* "$out"/
du -sh "$out"
echo "rows for samples/CREDITS.md:"
awk -F'\t' '!/^#/ && $1 != "name" {
  files = ""; n = split($7, views, " ")
  for (i = 1; i <= n; ++i) { split(views[i], kv, "[=@]"); files = files (i > 1 ? ", " : "") "furniture/" kv[2] }
  printf "| %s | %s (`%s`): %s | %s |\n", files, $2, $1, $12, $9
}' "$out/catalogue.tsv"
