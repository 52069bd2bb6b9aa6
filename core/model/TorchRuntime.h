#pragma once
// Where and how LibTorch runs: the compute device and the CPU thread count. Torch-free header so the
// app and the GUI can offer the choice without compiling torch.

#include <string>

namespace s4 {

enum class ComputeDevice { Cpu, Cuda };

/// "cpu" or "cuda" (case-insensitive). Throws InvalidArgument naming the accepted values otherwise.
ComputeDevice parseComputeDevice(const std::string& name);
std::string computeDeviceName(ComputeDevice device);

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
