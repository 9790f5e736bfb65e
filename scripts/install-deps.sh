#!/usr/bin/env bash
# Installs neuroshop's build and test dependencies from Debian 12's archive.
# Usage: scripts/install-deps.sh [--no-torch] [--fuzz] [--e2e]
#   --no-torch  skip libtorch-dev (only the LibTorch cross-check tests and the benchmark need it)
#   --fuzz      also clang and its libFuzzer runtime (scripts/fuzz.sh; CI does not need them)
#   --e2e       also Chromium, Node.js and tests/e2e's playwright-core (scripts/e2e.sh; scripts/test.sh asks for them)
set -euo pipefail

packages=(build-essential cmake pkg-config libopencv-dev libcli11-dev nlohmann-json3-dev googletest libgtest-dev)
packages+=(libcpp-httplib-dev)  # neuroshop serve
torch=1
e2e=0
for arg in "$@"; do
  case "$arg" in
    --no-torch) torch=0 ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --e2e) e2e=1; packages+=(chromium); command -v npm >/dev/null || packages+=(nodejs npm) ;;
    *) echo "usage: scripts/install-deps.sh [--no-torch] [--fuzz] [--e2e]" >&2; exit 2 ;;
  esac
done
if [[ $torch -eq 1 ]]; then
  # OpenBLAS, so LibTorch's matrix products are not left on the reference BLAS it pulls in
  # (the benchmark compares against LibTorch at its best).
  packages+=(libtorch-dev libopenblas0-pthread)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [[ $e2e -eq 1 && ! -d "$(dirname "$0")/../tests/e2e/node_modules/playwright-core" ]]; then
  npm ci --prefix "$(dirname "$0")/../tests/e2e" --no-audit --no-fund
fi
