#!/usr/bin/env bash
# Rebuilds samples/stylize/sheet.jpg, the stylize contact sheet: one row per content photo of
# samples/stylize/ (redistributable; credits in samples/CREDITS.md), and per painting the
# result of each method in $VARIANTS and the shipped fast style. The first row shows the
# paintings. Everything is stylized afresh with build/neuroshop (or $NEUROSHOP). $VARIANTS lists
# the settings shown, LABEL:ARGUMENTS separated by ';'.
#   scripts/stylize-sheet.sh                  # cells of $SIZE px (default 320): patches, optimization (pyramid, + colorizer)
#   SIZE=384 VARIANTS='default:;vgg:--method optimize --network vgg' scripts/stylize-sheet.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${NEUROSHOP:-build/neuroshop}"
size="${SIZE:-320}"
IFS=';' read -r -a variants <<<"${VARIANTS:-patches (default):;optimized:--method optimize;optimized + colorizer:--method optimize --network colorizer}"
out="${OUT:-samples/stylize/sheet.jpg}"
contents=(flower sea canyon)
styles=(starry-night great-wave kandinsky)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

tool="build/contact_sheet"
if [[ ! -x "$tool" || scripts/contact_sheet.cpp -nt "$tool" ]]; then
  g++ -O2 -std=c++17 -o "$tool" scripts/contact_sheet.cpp $(pkg-config --cflags --libs opencv4)
fi

cells=(-)
for s in "${styles[@]}"; do
  cells+=("samples/stylize/painting-$s.jpg=$s")
  for ((i = 0; i < ${#variants[@]}; ++i)); do cells+=(-); done
done
for c in "${contents[@]}"; do
  cells+=("samples/stylize/$c.jpg=$c")
  for s in "${styles[@]}"; do
    for v in "${variants[@]}"; do
      label="${v%%:*}"
      # shellcheck disable=SC2086  # the arguments are meant to split
      "$bin" --quiet stylize "samples/stylize/$c.jpg" --style "samples/stylize/painting-$s.jpg" ${v#*:} \
        --size "$size" -o "$work/$c-$label-$s.jpg" >/dev/null
      cells+=("$work/$c-$label-$s.jpg=$label")
    done
    "$bin" --quiet stylize "samples/stylize/$c.jpg" --style "$s" --size "$size" -o "$work/$c-fast-$s.jpg" >/dev/null
    cells+=("$work/$c-fast-$s.jpg=fast")
  done
done
cols=$((1 + ${#styles[@]} * (${#variants[@]} + 1)))
"$tool" "$out.tmp.jpg" "$size" $((size * 3 / 4)) "$cols" 88 "${cells[@]}"
mv "$out.tmp.jpg" "$out"
echo "$out: $(du -h "$out" | cut -f1)"
