#include "core/model/TorchRuntime.h"

#include "core/common/Error.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <cctype>

namespace s4 {

namespace {

std::string lowerCase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

}  // namespace

ComputeDevice parseComputeDevice(const std::string& name) {
    const std::string lower = lowerCase(name);
    if (lower == "cpu") return ComputeDevice::Cpu;
    if (lower == "cuda" || lower == "gpu") return ComputeDevice::Cuda;
    throw InvalidArgument("unknown device '" + name + "': use cpu or cuda");
}

std::string computeDeviceName(ComputeDevice device) { return device == ComputeDevice::Cuda ? "cuda" : "cpu"; }

ComputePrecision parseComputePrecision(const std::string& name) {
    const std::string lower = lowerCase(name);
    if (lower == "auto") return ComputePrecision::Auto;
    if (lower == "fp32" || lower == "float32" || lower == "float") return ComputePrecision::Float32;
    if (lower == "fp16" || lower == "float16" || lower == "half") return ComputePrecision::Float16;
    if (lower == "bf16" || lower == "bfloat16") return ComputePrecision::BFloat16;
    throw InvalidArgument("unknown precision '" + name + "': use auto, fp32, fp16 or bf16");
}

std::string computePrecisionName(ComputePrecision precision) {
    switch (precision) {
    case ComputePrecision::Float32: return "fp32";
    case ComputePrecision::Float16: return "fp16";
    case ComputePrecision::BFloat16: return "bf16";
    case ComputePrecision::Auto: break;
    }
    return "auto";
}

ComputePrecision resolveComputePrecision(ComputeDevice device, ComputePrecision precision) {
    if (precision == ComputePrecision::Auto)
        return device == ComputeDevice::Cuda ? ComputePrecision::Float16 : ComputePrecision::Float32;
    if (precision == ComputePrecision::Float16 && device == ComputeDevice::Cpu)
        throw InvalidArgument("--precision fp16 needs --device cuda: LibTorch's CPU kernels have no half-precision "
                              "matrix product; on the CPU use bf16 or fp32");
    return precision;
}

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
