#pragma once
// Where and how LibTorch runs: the compute device and the CPU thread count. Torch-free header so the
// app and the GUI can offer the choice without compiling torch.

#include <string>

namespace s4 {

enum class ComputeDevice { Cpu, Cuda };

/// Number format of the frozen CLIP's weights and activations. The S4Token adapter Θ and every
/// result handed back (embeddings, point features) stay float32 whatever is chosen.
enum class ComputePrecision {
    Auto,      ///< float16 on CUDA (tensor cores, half the memory), float32 on the CPU
    Float32,
    Float16,   ///< CUDA only: LibTorch's CPU kernels have no half-precision matrix product
    BFloat16,  ///< CPU or CUDA; 8 mantissa bits, so results differ from float32 at about 1e-2
};

/// Where and how the model runs, as the batch commands and the studio's settings give it.
struct ComputeOptions {
    ComputeDevice device = ComputeDevice::Cpu;
    ComputePrecision precision = ComputePrecision::Auto;
    int threads = 0;  ///< LibTorch intra-op threads (process-wide); 0 keeps the current setting
};

/// "cpu" or "cuda" (case-insensitive). Throws InvalidArgument naming the accepted values otherwise.
ComputeDevice parseComputeDevice(const std::string& name);
std::string computeDeviceName(ComputeDevice device);

/// "auto", "fp32", "fp16" or "bf16" (also "float32", "float16"/"half", "bfloat16"; case-insensitive).
/// Throws InvalidArgument naming the accepted values otherwise.
ComputePrecision parseComputePrecision(const std::string& name);
/// "auto", "fp32", "fp16" or "bf16".
std::string computePrecisionName(ComputePrecision precision);
/// The precision actually used on `device`: Auto becomes Float16 on CUDA and Float32 on the CPU.
/// Throws InvalidArgument for Float16 on the CPU (suggesting bf16 or fp32).
ComputePrecision resolveComputePrecision(ComputeDevice device, ComputePrecision precision);

/// True when this LibTorch was built with CUDA and sees a device (Debian's LibTorch never does).
bool torchCudaAvailable();
/// Throws InvalidArgument explaining how to get a CUDA build when `device` is Cuda and CUDA is not
/// available; does nothing otherwise.
void requireComputeDevice(ComputeDevice device);

/// Sets LibTorch's intra-op thread count; 0 keeps the default (all cores).
void setTorchThreads(int threads);
int torchThreads();

/// One line for logs and --version: LibTorch version, threads, CUDA state.
std::string torchRuntimeDescription();

} // namespace s4
