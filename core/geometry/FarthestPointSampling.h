#pragma once
// Exact farthest point sampling (FPS) and its scored generalisation, the engine behind the weighted
// sampler of S4TOKEN.md §2 (core/tokenize/WeightedFarthestPointSampler.h).
//
// The scored form picks, after the first sample, i_t = argmax_i D_i · φ_i over the candidates not yet
// chosen, where D_i = min_{s<t} ||p_i − p_{i_s}||² (float, via squaredDistance) and φ_i ≥ 0 is a per-point
// factor; φ_i < 0 marks a non-candidate, which is never picked but still counts for coverage. Ties go to
// the smaller point index. With every φ_i = 1 this is plain FPS.
//
// Speed: points are sorted along a Morton curve into equal-size buckets (SoA float arrays) under a
// complete binary tree. Each bucket and tree node keeps its bounding
// box, max D and best score; a new sample only touches buckets whose box is nearer to it than the bucket's
// max D (no other point can get closer), and the next sample is the best of the bucket bests. Both steps
// are exact (float rounding is monotonic, so a box distance never exceeds a member's distance), so the
// output equals the naive O(N·K) loop bit for bit.

#include "core/common/Progress.h"

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace s4 {

/// An ordered sample of point indices.
struct SampleSequence {
    std::vector<std::int32_t> indices;    ///< chosen points, in order; all distinct
    /// D of each chosen point at the moment it was chosen (squared distance to the earlier samples;
    /// +infinity for the first). For plain FPS this is non-increasing: the coverage radius² so far.
    std::vector<float> selectionSqDistances;
};

/// Parameters of plain FPS.
struct FarthestPointParams {
    std::size_t count = 0;         ///< samples wanted; clamped to the number of points
    std::int64_t firstIndex = -1;  ///< first sample; -1 = drawn uniformly with `seed`
    std::uint64_t seed = 0;        ///< std::mt19937_64 seed for the first sample
    int threads = 0;               ///< accepted for API stability; the sampler currently runs on one thread
    // Compared so callers can cache results per parameter set.
    bool operator==(const FarthestPointParams&) const = default;
};

/// Plain farthest point sampling. Throws s4::InvalidArgument for a non-finite point or a firstIndex out of
/// range, s4::Cancelled when cancelled.
SampleSequence runFarthestPointSampling(const std::vector<Eigen::Vector3f>& points,
                                        const FarthestPointParams& params, const Progress& progress = {});

/// Scored FPS (see the file comment). `factors` is empty (all 1) or one φ_i per point. Returns
/// min(count, number of candidates) samples starting with `firstIndex`, which must be a candidate.
/// Throws s4::InvalidArgument for a size mismatch, a non-finite point or factor, or a bad firstIndex.
SampleSequence farthestPointSampleScored(const std::vector<Eigen::Vector3f>& points,
                                         const std::vector<float>& factors, std::size_t count,
                                         std::int32_t firstIndex, int threads = 0,
                                         const Progress& progress = {});

} // namespace s4
