#!/usr/bin/env bash
# On a GPU machine with a CUDA LibTorch (e.g. PyTorch's, found through python3) but without Debian's
# desktop stack: builds the model-only configuration and runs s4modelcheck, which compares the given
# device/precision (default: CUDA in fp16) with CPU fp32 through the whole model stack. Run from the
# repository root (scripts/device/README.md).
# usage: scripts/device/model-check.sh PREFIX [s4modelcheck options...]
#   PREFIX: the folder written by make-deps-prefix.sh.  Torch_DIR overrides the LibTorch that is used.
set -euo pipefail
prefix=$(cd "${1:?usage: model-check.sh PREFIX [s4modelcheck options]}" && pwd)
shift
lib=$prefix/lib/x86_64-linux-gnu
torch_dir=${Torch_DIR:-$(python3 -c 'import os, torch; print(os.path.join(torch.utils.cmake_prefix_path, "Torch"))')}
# PyTorch keeps its libraries in torch/lib beside torch/share/cmake/Torch; a system LibTorch needs no path.
torch_lib=$lib
if [ -d "$torch_dir/../../../lib" ]; then torch_lib=$(cd "$torch_dir/../../../lib" && pwd):$lib; fi
build=${S4_BUILD_DIR:-build/modelcheck}
generator=()
if command -v ninja > /dev/null; then generator=(-G Ninja); fi
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DS4_MODEL_ONLY=ON \
  -DTorch_DIR="$torch_dir" -DCUDAToolkit_ROOT="${CUDA_HOME:-/usr/local/cuda}" \
  -DEigen3_DIR="$prefix/share/eigen3/cmake" -Dnlohmann_json_DIR="$prefix/share/cmake/nlohmann_json" \
  -Dspdlog_DIR="$lib/cmake/spdlog" -Dfmt_DIR="$lib/cmake/fmt" \
  -DZLIB_INCLUDE_DIR="$prefix/include" -DZLIB_LIBRARY="$lib/libz.so.1"
cmake --build "$build" --target s4modelcheck --parallel "$(nproc)"
LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$build/tests/devicecheck/s4modelcheck" "$@"
