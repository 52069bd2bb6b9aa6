#pragma once
// Superpoint-aware feature propagation from centres back to every point (S4TOKEN.md §5, paper §3.3 Eq. 4):
//   d_ik = ||p_i − p̄_k|| + ε,   w_ik = (1/d_ik) / Σ_k' (1/d_ik')   over centres k with ℓ̄_k = ℓ_i,
//   f_i = Σ_k w_ik f̄_k.
// [project choice] A point whose superpoint holds no centre uses inverse-distance weights over its
// `fallbackNeighbours` nearest centres instead; without superpoint labels every point does.

#include "core/common/Progress.h"

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace s4 {

/// Parameters of the propagation (S4TOKEN.md §5).
struct PropagationParams {
    float epsilon = 1e-4f;       ///< ε of Eq. 4 (paper: 1e-4)
    int fallbackNeighbours = 3;  ///< nearest centres used where the superpoint holds none [project choice]
    int threads = 0;             ///< 0 = all cores
    // Compared so callers can cache results per parameter set.
    bool operator==(const PropagationParams&) const = default;
};

/// Sparse points × centres weight matrix in CSR form; each row sums to 1.
struct PropagationWeights {
    std::size_t points = 0;
    std::size_t centres = 0;
    std::vector<std::size_t> rowStart;        ///< points + 1 offsets into centre/weight
    std::vector<std::int32_t> centre;         ///< centre index k (0-based position in the centre list)
    std::vector<float> weight;                ///< w_ik
    std::vector<std::uint8_t> usedFallback;   ///< per point: 1 if its superpoint held no centre
};

/// Weights for propagating from `centres` (point indices) to all points. `superpoints` is empty or one
/// label per point. Throws s4::InvalidArgument for a size mismatch, a centre out of range, no centres,
/// ε ≤ 0 or fallbackNeighbours < 1; s4::Cancelled when cancelled.
PropagationWeights runFeaturePropagation(const std::vector<Eigen::Vector3f>& points,
                                         const std::vector<std::int32_t>& superpoints,
                                         const std::vector<std::int32_t>& centres, const PropagationParams& params,
                                         const Progress& progress = {});

/// f_i = Σ_k w_ik f̄_k for a row-major centres × dim matrix; returns a row-major points × dim matrix.
/// Throws s4::InvalidArgument if the matrix size is not weights.centres × dim.
std::vector<float> propagateFeatures(const PropagationWeights& weights, const std::vector<float>& centreFeatures,
                                     std::size_t dim);

} // namespace s4
