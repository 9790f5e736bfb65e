#!/usr/bin/env bash
# Installs neuroshop's build and test dependencies from Debian 12's archive.
# Usage: scripts/install-deps.sh [--no-torch]
#   --no-torch  skip libtorch-dev (only the LibTorch cross-check tests and the benchmark need it)
set -euo pipefail

packages=(build-essential cmake pkg-config libopencv-dev libcli11-dev nlohmann-json3-dev googletest libgtest-dev)
if [[ "${1:-}" != "--no-torch" ]]; then
  # OpenBLAS, so LibTorch's matrix products are not left on the reference BLAS it pulls in
  # (the benchmark compares against LibTorch at its best).
  packages+=(libtorch-dev libopenblas0-pthread)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
