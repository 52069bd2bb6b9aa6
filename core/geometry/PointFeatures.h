#pragma once
// Per-point geometric features for the superpoint partition (S4TOKEN.md §1.1–1.2, paper App. A.1):
// PCA normals in a sign-invariant form, and the eigenvalue shape features (linearity, planarity,
// scattering) of each point's K nearest FPS anchors.

#include "core/common/Progress.h"

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace s4 {

/// How a normal, which has no sign of its own, is made sign-invariant (S4TOKEN.md §1.2 [project choice]).
enum class NormalSign {
    /// Flip n so that its largest-magnitude component is positive (ties: the first such axis). Keeps a
    /// unit vector and the full direction; n and −n map to the same vector. The default.
    LargestComponentPositive,
    /// |n| per axis: also sign-invariant, but merges mirror-image directions such as (1,1,0) and (1,−1,0).
    AbsoluteValue,
};

/// Parameters of the PCA normal estimation (S4TOKEN.md §1.2).
struct NormalParams {
    int k = 30;              ///< neighbours including the point itself (Open3D's KDTreeSearchParamKNN default)
    NormalSign sign = NormalSign::LargestComponentPositive;
    int threads = 0;         ///< 0 = all cores
    // Compared so callers can cache results per parameter set.
    bool operator==(const NormalParams&) const = default;
};

/// Unit normal per point: the eigenvector of the smallest eigenvalue of the covariance of the point's k
/// nearest neighbours (itself included), as Open3D's EstimateNormals does, then made sign-invariant.
/// A degenerate neighbourhood (fewer than 3 points, or all coincident) gives (0, 0, 1).
/// Throws s4::InvalidArgument for k < 1 or a non-finite point, s4::Cancelled when cancelled.
std::vector<Eigen::Vector3f> runNormalEstimation(const std::vector<Eigen::Vector3f>& points,
                                                 const NormalParams& params, const Progress& progress = {});

struct NeighborLists;

/// The same normals from a precomputed kNN table of the points themselves (knnAll with SelfMatch::Exclude,
/// at least k − 1 columns): each point and its first k − 1 table neighbours, so that one kNN query can
/// serve the normals and other consumers (the superpoint graph). Equal to runNormalEstimation except
/// where distance ties at the k-th neighbour are broken differently. Throws s4::InvalidArgument for
/// k < 1, a table of another size or with fewer than k − 1 columns.
std::vector<Eigen::Vector3f> normalsFromNeighbours(const std::vector<Eigen::Vector3f>& points,
                                                   const NeighborLists& neighbours, const NormalParams& params,
                                                   const Progress& progress = {});

/// Applies a NormalSign convention to one unit normal.
Eigen::Vector3f signInvariantNormal(const Eigen::Vector3f& n, NormalSign sign);

/// Parameters of the eigenvalue features (S4TOKEN.md §1.1; the paper gives neither K nor |Q|, so both
/// defaults are [project choice]).
struct EigenFeatureParams {
    std::size_t anchorCount = 0;   ///< |Q|; 0 = round(anchorRatio · N), at least min(N, k)
    double anchorRatio = 0.1;      ///< used when anchorCount is 0
    int k = 16;                    ///< K nearest anchors per point
    std::uint64_t seed = 0;        ///< seeds the first FPS anchor
    int threads = 0;               ///< 0 = all cores
    // Compared so callers can cache results per parameter set.
    bool operator==(const EigenFeatureParams&) const = default;
};

/// Result of runEigenFeatures.
struct EigenFeatures {
    /// Per point (linearity f1, planarity f2, scattering f3); each in [0, 1]; (0, 0, 0) when λ1 = 0.
    std::vector<Eigen::Vector3f> values;
    std::vector<std::int32_t> anchors;   ///< the FPS anchor subset Q (point indices, in sampling order)
};

/// The eigenvalue features of §1.1: Q by FPS; for each point p its K nearest anchors q_k;
/// C = (1/K) Σ_k (q_k − p)(q_k − p)ᵀ; λ1 ≥ λ2 ≥ λ3 ≥ 0; f = ((λ1−λ2)/λ1, (λ2−λ3)/λ1, λ3/λ1).
/// K is clamped to |Q|. Throws s4::InvalidArgument for k < 1 or a non-finite point, s4::Cancelled.
EigenFeatures runEigenFeatures(const std::vector<Eigen::Vector3f>& points, const EigenFeatureParams& params,
                               const Progress& progress = {});

/// Eigenvalues λ1 ≥ λ2 ≥ λ3 ≥ 0 of C = (1/K) Σ_k (q_k − p)(q_k − p)ᵀ over the given neighbours
/// (computed in double; tiny negative round-off is clamped to 0).
Eigen::Vector3d neighbourhoodEigenvalues(const Eigen::Vector3f& p, const std::vector<Eigen::Vector3f>& neighbours);

/// (linearity, planarity, scattering) from eigenvalues sorted λ1 ≥ λ2 ≥ λ3 ≥ 0; (0, 0, 0) if λ1 = 0.
Eigen::Vector3f shapeFeatures(const Eigen::Vector3d& eigenvaluesDescending);

} // namespace s4
