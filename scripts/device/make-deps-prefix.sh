#!/usr/bin/env bash
# Copies what the model-only build needs besides LibTorch (Eigen, spdlog, fmt, nlohmann_json, zlib) from
# this Debian 12 machine into a relocatable prefix, to be carried to a GPU machine that has a CUDA LibTorch
# but not these packages (scripts/device/README.md). Run after scripts/install-deps.sh.
# usage: scripts/device/make-deps-prefix.sh OUT      (about 13 MB)
set -euo pipefail
out=${1:?usage: make-deps-prefix.sh OUT}
arch=x86_64-linux-gnu
mkdir -p "$out/include" "$out/share/cmake" "$out/lib/$arch/cmake"
# Headers, and each package's CMake files at the same place relative to the prefix as under /usr: their
# imported targets locate everything relative to the config file, so the copy is relocatable.
for h in eigen3 spdlog fmt nlohmann zlib.h zconf.h; do cp -a "/usr/include/$h" "$out/include/"; done
cp -a /usr/share/eigen3 "$out/share/"
cp -a /usr/share/cmake/nlohmann_json "$out/share/cmake/"
for p in spdlog fmt; do cp -a "/usr/lib/$arch/cmake/$p" "$out/lib/$arch/cmake/"; done
# The shared libraries the spdlog/fmt configs check for (the build itself uses them header-only) and zlib.
cp -a /usr/lib/$arch/libspdlog.so* /usr/lib/$arch/libfmt.so* "$out/lib/$arch/"
cp -L /usr/lib/$arch/libz.so.1 "$out/lib/$arch/libz.so.1"
ln -sf libz.so.1 "$out/lib/$arch/libz.so"
du -sh "$out"
