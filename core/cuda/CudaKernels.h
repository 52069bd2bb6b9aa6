#pragma once
// Optional GPU versions of the geometric hot loops (WFPS, ball / superpoint-constrained grouping,
// superpoint-aware propagation). Host API over plain arrays: no CUDA or torch headers leak out.
// Built only with -DS4_CUDA=ON and nvcc; otherwise available() is false and every call throws.
// Each function mirrors a CPU stage in core/tokenize and must return the same result
// (tests/cuda/tst_cuda_parity.cpp checks this wherever a GPU exists).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace s4::cuda {

/// True when this build has the CUDA kernels and a CUDA device is usable.
bool available();
/// Why available() is false ("built without S4_CUDA", "no CUDA device: ..."), or the device name.
std::string describe();

/// Farthest point sampling on the GPU. xyz: n × 3 floats. scoreFactor: per-point factor φ_i multiplied
/// with the squared distance to the chosen set (nullptr = all 1, i.e. plain FPS); a negative factor marks
/// a point that is never chosen but still counts for coverage. Ties go to the smallest index.
/// Returns `count` indices starting with `first`.
std::vector<std::int32_t> farthestPointSample(const float* xyz, std::size_t n, const float* scoreFactor,
                                              std::int32_t first, std::size_t count);

/// Ball query: for each centre c (index into xyz), the points within `radius` (and, when superpoint is
/// non-null, with superpoint[j] == superpoint[c]), in ascending index order, at most maxMembers
/// (the first ones found; the caller subsamples with its own seeded RNG when it needs a random subset).
/// members: centres × maxMembers (padded with the centre index), counts: number of true members
/// found, which may exceed maxMembers.
void ballQuery(const float* xyz, std::size_t n, const std::int32_t* superpoint, const std::int32_t* centres,
               std::size_t centreCount, float radius, int maxMembers, std::int32_t* members,
               std::int32_t* counts);

/// Superpoint-aware inverse-distance propagation (S4TOKEN.md §5): f_i = Σ_k w_ik f_k over centres in
/// point i's superpoint with w ∝ 1 / (||p_i − p_k|| + eps); points whose superpoint holds no centre use
/// their 3 nearest centres. centreFeatures: centres × dim; out: n × dim.
void propagateFeatures(const float* xyz, std::size_t n, const std::int32_t* superpoint,
                       const std::int32_t* centres, std::size_t centreCount, const float* centreFeatures,
                       int dim, float eps, float* out);

} // namespace s4::cuda
