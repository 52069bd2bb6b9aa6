#pragma once
// Grouping of points into patches around sampled centres, with optional relative position normalisation
// (S4TOKEN.md §3, paper §3.2 and Tab. 1): kNN, ball and superpoint-constrained ball, each ± RPN.
// "S4Token" = SuperpointBall + RPN. The centre itself is always the first member of its patch.

#include "core/common/Progress.h"

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace s4 {

/// How members are chosen around a centre p_t.
enum class GroupingMode {
    Knn,             ///< the M nearest points (Point-BERT / Point-MAE baseline)
    Ball,            ///< points with ||p_j − p_t|| ≤ r
    SuperpointBall,  ///< ball ∩ { j : ℓ_j = ℓ_t } (paper's B_t)
};

/// Parameters of the grouping (S4TOKEN.md §3).
/// Largest group size M: real tokenizers use 16–1024 points per patch.
inline constexpr int kMaxGroupSize = 1 << 16;
/// Largest N·M: the member, offset and mask tables hold this many slots (~4 GB at the limit).
inline constexpr std::size_t kMaxPatchSlots = std::size_t(1) << 28;

struct PatchGroupingParams {
    GroupingMode mode = GroupingMode::SuperpointBall;
    bool relativeNormalisation = true;  ///< RPN: offsets (p_j − p_t)/r instead of p_j − p_t
    int groupSize = 32;                 ///< M (1 to kMaxGroupSize); Point-BERT's group size [project choice]
    double alpha = 1.0;                 ///< r = α·s, α ≥ 1; the paper uses α = 1 (§4)
    std::uint64_t seed = 0;             ///< seeds the subsampling of patches larger than M
    int threads = 0;                    ///< 0 = all cores
    // Compared so callers can cache results per parameter set.
    bool operator==(const PatchGroupingParams&) const = default;
};

/// Patches around N centres, each padded to M slots. Row-major N × M tables.
struct Patches {
    std::size_t count = 0;                      ///< N
    int groupSize = 0;                          ///< M
    std::vector<std::int32_t> centres;          ///< N point indices
    std::vector<Eigen::Vector3f> centrePositions;
    std::vector<std::int32_t> members;          ///< N × M point indices; slot 0 is the centre; padding
                                                ///< repeats the valid members cyclically
    std::vector<std::uint8_t> valid;            ///< N × M: 1 for a real member, 0 for padding
    std::vector<Eigen::Vector3f> offsets;       ///< N × M: (p_j − p_t)/r with RPN, else p_j − p_t
    std::vector<std::int32_t> validCounts;      ///< N: real members per patch (≥ 1)
    float spacing = 0.0f;                       ///< s = mean distance from a centre to its nearest other centre
    float radius = 0.0f;                        ///< r = α·s
    bool normalised = false;                    ///< whether offsets are divided by r
};

/// s = (1/N) Σ_t min_{u≠t} ||p_t − p_u|| over the N distinct centre positions (centres that coincide
/// count once; 0 for fewer than 2 distinct positions).
float meanNearestCentreSpacing(const std::vector<Eigen::Vector3f>& centrePositions);

/// Groups the points around the centres (point indices). `superpoints` (one label per point) is required
/// for SuperpointBall and ignored otherwise. Throws s4::InvalidArgument for a size mismatch, a centre out
/// of range, M < 1, α < 1, or when r is needed (ball modes or RPN) but is 0 (fewer than 2 distinct
/// centres); s4::Cancelled when cancelled.
Patches runPatchGrouping(const std::vector<Eigen::Vector3f>& points, const std::vector<std::int32_t>& superpoints,
                         const std::vector<std::int32_t>& centres, const PatchGroupingParams& params,
                         const Progress& progress = {});

} // namespace s4
