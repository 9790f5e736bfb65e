#!/usr/bin/env bash
# Turns folders of photos into a colorize training set: colour photos only (gray, sepia and
# near-gray ones skipped), short side at most 256 px, near-duplicates dropped by difference hash,
# and anything resembling a photo under --exclude (test sets) left out; writes OUT_DIR/*.jpg and
# OUT_DIR/manifest.tsv (output file, source path, size, hash). Builds neuroshop first if needed.
#
# Usage: scripts/prepare-photos.sh OUT_DIR SRC... [--exclude TEST_DIR...] [--short-side N] [--min-chroma C]
#
# The public sets named in models/colorize.md, brought in as git repositories (outside this one):
#   git --git-dir=imagenette.git archive HEAD train val | tar -x -C raw/imagenette
#   scripts/prepare-photos.sh data/imagenette raw/imagenette --exclude raw/kodak raw/CSun_Hays80
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ $# -lt 2 ]]; then
  echo "usage: scripts/prepare-photos.sh OUT_DIR SRC... [--exclude DIR...] [--short-side N] [--min-chroma C]" >&2
  exit 2
fi
out="$1"
shift
bin="${NEUROSHOP:-$root/${BUILD_DIR:-build}/neuroshop}"
[[ -x "$bin" ]] || "$root/scripts/build.sh" >&2
# SRC... up to the first option, then the options
srcs=()
while [[ $# -gt 0 && "$1" != --* ]]; do srcs+=("$1"); shift; done
exec "$bin" prepare-photos --data "${srcs[@]}" "$@" -o "$out"
