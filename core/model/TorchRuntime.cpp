#include "core/model/TorchRuntime.h"

#include "core/common/Error.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <cctype>

namespace s4 {

ComputeDevice parseComputeDevice(const std::string& name) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (lower == "cpu") return ComputeDevice::Cpu;
    if (lower == "cuda" || lower == "gpu") return ComputeDevice::Cuda;
    throw InvalidArgument("unknown device '" + name + "': use cpu or cuda");
}

std::string computeDeviceName(ComputeDevice device) { return device == ComputeDevice::Cuda ? "cuda" : "cpu"; }

bool torchCudaAvailable() { return torch::cuda::is_available(); }

void requireComputeDevice(ComputeDevice device) {
    if (device == ComputeDevice::Cuda && !torchCudaAvailable())
        throw InvalidArgument("--device cuda: this LibTorch has no usable CUDA device (Debian's LibTorch is CPU "
                              "only; configure with -DTorch_DIR=<a CUDA LibTorch>/share/cmake/Torch on a machine "
                              "with an NVIDIA GPU), use --device cpu");
}

void setTorchThreads(int threads) {
    if (threads < 0) throw InvalidArgument("thread count must be 0 (all cores) or positive, not " + std::to_string(threads));
    if (threads > 0) at::set_num_threads(threads);
}

int torchThreads() { return at::get_num_threads(); }

std::string torchRuntimeDescription() {
    return "LibTorch " TORCH_VERSION ", " + std::to_string(torchThreads()) + " threads, CUDA " +
           (torchCudaAvailable() ? "available" : "not available");
}

} // namespace s4
