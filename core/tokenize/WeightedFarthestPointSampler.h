#pragma once
// Weighted farthest point sampling, WFPS (S4TOKEN.md §2, paper §3.2 and App. C.3): FPS biased by
// superpoint size so that small superpoints receive centres too.
//   w_i = n_{ℓ_i}^{-1} / Σ_j n_{ℓ_j}^{-1}          (n_s = number of points in superpoint s)
//   i_1 ~ Multinomial(w) over the candidates       (seeded std::mt19937_64)
//   i_t = argmax_i D_i · φ(w_i),  D_i = min_{s<t} ||p_i − p_{i_s}||²
// γ = 0 gives φ ≡ 1: exactly plain FPS (runFarthestPointSampling) from the same first index. Without
// superpoint labels every w_i is equal and WFPS is FPS with a uniformly drawn first point.

#include "core/common/Progress.h"
#include "core/geometry/FarthestPointSampling.h"

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace s4 {

/// Which φ to use (S4TOKEN.md §2, "Sign discrepancy").
enum class ExponentConvention {
    Described,  ///< φ(w) = w^{+γ}: larger γ favours small superpoints, as the paper's text and Fig. B say
    Printed,    ///< φ(w) = w^{−γ}: the formula as printed in the paper
};

/// Parameters of WFPS (S4TOKEN.md §2).
struct WfpsParams {
    std::size_t count = 512;       ///< N centres; clamped to the number of candidates [project choice]
    double gamma = 0.1;            ///< γ ∈ [0, 1]; the paper trains with 0.1 (§4 implementation details)
    ExponentConvention convention = ExponentConvention::Described;
    /// Points of superpoints with fewer points than this are not candidates but still count for coverage
    /// (App. C.3 "predefined threshold", value not given: [project choice]).
    std::size_t minSuperpointSize = 10;
    std::int64_t firstIndex = -1;  ///< first centre; -1 = drawn from Multinomial(w) with `seed`
    std::uint64_t seed = 0;
    int threads = 0;               ///< 0 = all cores
    // Compared so callers can cache results per parameter set.
    bool operator==(const WfpsParams&) const = default;
};

/// Per-point superpoint size weights w_i (they sum to 1). Every label value, negative ones included, is a
/// superpoint of its own.
std::vector<double> superpointSizeWeights(const std::vector<std::int32_t>& superpoints);

/// The per-point factors φ(w_i) for the scored FPS engine, with −1 for non-candidates. `superpoints` may
/// be empty (all factors 1, everyone a candidate).
std::vector<float> wfpsFactors(const std::vector<std::int32_t>& superpoints, const WfpsParams& params);

/// Runs WFPS. `superpoints` is empty or one label per point. Throws s4::InvalidArgument for a size
/// mismatch, γ outside [0, 1], a non-finite point, a firstIndex that is out of range or not a candidate,
/// or when no superpoint reaches minSuperpointSize; s4::Cancelled when cancelled.
SampleSequence runWeightedFarthestPointSampling(const std::vector<Eigen::Vector3f>& points,
                                                const std::vector<std::int32_t>& superpoints,
                                                const WfpsParams& params, const Progress& progress = {});

} // namespace s4
