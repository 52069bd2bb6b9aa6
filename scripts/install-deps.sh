#!/usr/bin/env bash
# Installs every Debian 12 package S4Studio needs to build, test and take Xvfb screenshots.
# Non-interactive and idempotent: safe to run again on a machine that already has everything.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev
  libvtk9-dev
  libtorch-dev libopenblas0-openmp
  libopen3d-dev libeigen3-dev
  libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev libboost-graph-dev zlib1g-dev
  libgtest-dev libbenchmark-dev
  xvfb xauth
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
