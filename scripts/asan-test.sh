#!/usr/bin/env bash
# Builds the test suite with AddressSanitizer + UndefinedBehaviorSanitizer (-DNEUROSHOP_SANITIZE=ON,
# no LibTorch) into build-asan/ (or $BUILD_DIR) and runs it with ctest. Any sanitizer report fails
# the test that caused it: undefined behaviour aborts, and the CLI tests see the executable's
# extra stderr lines. Prints the build and test times. Extra arguments go to ctest (e.g. -R BadInput).
set -euo pipefail
cd "$(dirname "$0")/.."

build="${BUILD_DIR:-build-asan}"
jobs="${JOBS:-$(nproc)}"
start=$(date +%s)
# -O1 with line tables only (-g1: file and line in every report's stack): what the sanitizers'
# documentation recommends, and it compiles in well under half the time of -O2 -g.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DNEUROSHOP_SANITIZE=ON -DNEUROSHOP_TORCH=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target neuroshop_tests neuroshop
built=$(date +%s)

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 1800 "$@" || status=$?
done=$(date +%s)
echo "asan-test: build $((built - start)) s, tests $((done - built)) s ($build)"
exit $status
