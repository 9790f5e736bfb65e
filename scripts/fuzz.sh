#!/usr/bin/env bash
# Builds one libFuzzer target of fuzz/ and runs it for a given time.
# Usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
#   TARGET   model_file | image_header | scene   (fuzz/fuzz_TARGET.cpp)
#   SECONDS  how long to fuzz (libFuzzer's -max_total_time)
# Builds with clang (scripts/install-deps.sh --fuzz installs it) into build-fuzz/ (or $BUILD_DIR)
# with -DNEUROSHOP_FUZZ=ON (ASan + UBSan). The corpus, seeded by neuroshop_fuzz_seeds with small
# valid files, grows in BUILD/corpus/TARGET; inputs that crash land in BUILD/artifacts/TARGET/.
# One process on one core. Exits non-zero when the fuzzer found something.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 2 ]]; then
  echo "usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]" >&2
  echo "targets: $(ls fuzz/fuzz_*.cpp | sed 's#fuzz/fuzz_##; s#\.cpp##' | tr '\n' ' ')" >&2
  exit 2
fi
target="$1"
seconds="$2"
shift 2
if [[ ! -f "fuzz/fuzz_${target}.cpp" ]]; then
  echo "no fuzz target '${target}' (targets: $(ls fuzz/fuzz_*.cpp | sed 's#fuzz/fuzz_##; s#\.cpp##' | tr '\n' ' '))" >&2
  exit 2
fi
if ! command -v clang++ >/dev/null; then
  echo "clang++ is missing: run scripts/install-deps.sh --fuzz" >&2
  exit 2
fi

build="${BUILD_DIR:-build-fuzz}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DNEUROSHOP_FUZZ=ON \
  -DNEUROSHOP_TESTS=OFF -DNEUROSHOP_TORCH=OFF >/dev/null
cmake --build "$build" -j "${JOBS:-2}" --target "fuzz_${target}" neuroshop_fuzz_seeds

seeds="$build/seeds"
"$build/neuroshop_fuzz_seeds" "$seeds" >/dev/null
corpus="$build/corpus/$target"
artifacts="$build/artifacts/$target"
mkdir -p "$corpus" "$artifacts"
cp -n "$seeds/$target"/* "$corpus"/

# -rss_limit_mb / -malloc_limit_mb: an input that makes the loader allocate hundreds of MiB is a finding.
exec "$build/fuzz_${target}" "$corpus" -dict="$seeds/$target.dict" -max_total_time="$seconds" \
  -artifact_prefix="$artifacts/" -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=20 \
  -print_final_stats=1 "$@"
