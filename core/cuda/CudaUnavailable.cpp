// The build without CUDA: the GPU API exists so callers compile, reports why it cannot run, and
// refuses every call with a clear error instead of silently falling back.
#include "core/cuda/CudaKernels.h"

#include "core/common/Error.h"

namespace s4::cuda {
namespace {
[[noreturn]] void refuse() {
    throw Error("this S4Studio was built without CUDA kernels (configure with -DS4_CUDA=ON and nvcc)");
}
} // namespace

bool available() { return false; }
std::string describe() { return "built without S4_CUDA"; }

std::vector<std::int32_t> farthestPointSample(const float*, std::size_t, const float*, std::int32_t, std::size_t) {
    refuse();
}
void ballQuery(const float*, std::size_t, const std::int32_t*, const std::int32_t*, std::size_t, float, int,
               std::int32_t*, std::int32_t*) {
    refuse();
}
void propagateFeatures(const float*, std::size_t, const std::int32_t*, const std::int32_t*, std::size_t,
                       const float*, int, float, float*) {
    refuse();
}

} // namespace s4::cuda
