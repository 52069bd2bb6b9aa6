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
  file
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

# As root directly; otherwise through sudo, which must work without asking (this script is run by CI
# and by scripts, where nobody would type a password). sudo resets the environment, so the
# non-interactive frontend is passed through env.
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1 || ! sudo -n true 2>/dev/null; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run this script as root (or with sudo that needs no password) to install them" >&2
    exit 1
  fi
  SUDO=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
