#pragma once
// Piecewise-planar merge: the last step of the superpoint stage [project addition, bench/README.md
// "Superpoints", round 7]. Adjacent components are joined greedily, cheapest first, while a join lowers
//
//   E = Σ_S [ SSE_plane(S) / ℓ²  +  μ · Σ_{i∈S} ||f_i − f̄_S||² ]  +  λ · (number of components),
//
// where SSE_plane(S) is the sum of squared distances of S's points to their best-fitting plane (the least
// eigenvalue of S's scatter matrix), ℓ the length scale (the graph's mean edge length, so λ and μ do not
// depend on the cloud's units or density), f the partition features of the cut pursuit and f̄_S their mean
// over S. Joining a and b changes E by
//
//   ΔE = [SSE_plane(a ∪ b) − SSE_plane(a) − SSE_plane(b)] / ℓ²  +  μ · n_a n_b / (n_a + n_b) · ||f̄_a − f̄_b||²  −  λ,
//
// so a join is made while the cheapest pair's cost (the two first terms) is below λ. Why: the cut pursuit
// leaves many small pieces at object boundaries that matter for the quality, and large flat surfaces
// (walls, floors, table tops) cut into many pieces by shading. A minimum size spends the superpoint
// budget on absorbing the small pieces; this merge spends it on joining coplanar pieces of one surface,
// which costs almost nothing in E, and keeps the small pieces where the geometry changes.
//
// Exact greedy: after every join the costs of the joined component's pairs are recomputed; ties go to the
// pair with fewer points, then to the lower internal ids (a joined component keeps the id of the part with
// more neighbours).
// Deterministic; scatter matrices are kept about each component's
// mean, so large coordinates (georeferenced clouds) lose no precision.

#include "core/common/MappedBuffer.h"
#include "core/common/Progress.h"
#include "core/superpoint/WeightedGraph.h"

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace s4 {

struct PlanarMergeParams {
    /// λ: a join is made while its cost is below λ (units of ℓ² for the plane term); 0 = no merge.
    /// 0.3 on ScanNet scene0000_00 with the stage's defaults: mean size 20.5, oracle mIoU 0.903.
    double penalty = 0.3;
    /// μ: weight of the feature term against the plane term. Plane fit alone joins the small pieces
    /// with no regard to colour; 0.03–0.12 all give 0.900–0.905 on ScanNet; 0.05 also keeps Kinect
    /// table-top scenes (mOSD, where colour separates touching objects) at the quality of the minimum-size
    /// merge (bench/README.md).
    double featureWeight = 0.05;
    bool operator==(const PlanarMergeParams&) const = default;
};

/// Throws s4::InvalidArgument unless λ and μ are finite and ≥ 0.
void checkPlanarMergeParams(const PlanarMergeParams& params);

/// The plane fit of one component in scaled coordinates (p − origin) / ℓ: point count, mean, and the
/// scatter matrix about the mean, Σ (p − mean)(p − mean)ᵀ, as its six distinct entries (xx, yy, zz, xy,
/// xz, yz), whose least eigenvalue is the component's SSE_plane / ℓ². Kept about the mean rather than as
/// raw moments, so that joining two (Chan's pairwise update) loses no precision to large coordinates.
struct ComponentPlaneFit {
    double n = 0.0;
    Eigen::Vector3d mean = Eigen::Vector3d::Zero();
    double scatter[6] = {0, 0, 0, 0, 0, 0};
    double sse = 0.0;
};

/// Everything the merge needs of the cloud, per component (~90 + 8·dim bytes each, plus the component
/// adjacency): summarised from the points, so that a caller can release its graph and features before
/// the merge runs (the superpoint stage does; its memory peak stays in the cut pursuit).
struct PlanarMergeInput {
    std::size_t dim = 0;
    MappedBuffer<ComponentPlaneFit> fit;        ///< per component
    MappedBuffer<double> featureMean;           ///< components × dim
    MappedBuffer<std::uint32_t> adjacencyStart;  ///< components + 1 offsets into adjacency
    MappedBuffer<std::int32_t> adjacency;       ///< the adjacent components of each, ascending
};

/// Renumbers `component` (any labels ≥ 0, one per vertex of `graph`) 0..S-1 by smallest vertex and
/// summarises the components, consuming the graph and the features: each is released as soon as it has
/// been read (both are left empty), so their memory is free for the merge. features: N × dim row-major
/// (dim may be 0); positions: one per vertex; lengthScale ℓ > 0. Throws s4::InvalidArgument for
/// mismatched sizes, a negative label, a non-finite position or a non-finite or non-positive ℓ.
PlanarMergeInput summarisePlanarMergeInput(WeightedGraph&& graph, std::vector<float>&& features, std::size_t dim,
                                           const std::vector<Eigen::Vector3f>& positions, double lengthScale,
                                           std::vector<std::int32_t>& component);

/// What a merge did, for logs and tests.
struct PlanarMergeStats {
    std::size_t joins = 0;
    /// Times the candidate queue was rebuilt from the current pairs because stale candidates (of
    /// components changed since they were queued) outnumbered them by more than four to one.
    std::size_t queueRebuilds = 0;
};

/// Joins the components of `component` (as renumbered by summarisePlanarMergeInput, with `input` its
/// summary) as described above and renumbers the result 0..S'-1 by smallest vertex; returns S'.
/// Throws s4::InvalidArgument for negative or non-finite λ or μ or an input that does not match the
/// labels; s4::Cancelled through progress. `stats`, if given, receives what the merge did.
std::size_t mergePiecewisePlanar(PlanarMergeInput&& input, std::vector<std::int32_t>& component,
                                 const PlanarMergeParams& params, const Progress& progress = {},
                                 PlanarMergeStats* stats = nullptr);

/// Both steps at once, on copies of the graph and the features.
std::size_t mergePiecewisePlanar(const WeightedGraph& graph, const std::vector<Eigen::Vector3f>& positions,
                                 std::span<const float> features, std::size_t dim, double lengthScale,
                                 std::vector<std::int32_t>& component, const PlanarMergeParams& params,
                                 const Progress& progress = {});

}  // namespace s4
