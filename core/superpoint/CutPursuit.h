#pragma once
// ℓ0 cut pursuit (Landrieu & Obozinski 2017; used for superpoints in Landrieu & Simonovsky, CVPR 2018):
// an approximate minimiser of the Potts-penalised quadratic problem on a graph,
//   E(y) = Σ_i n_i ||y_i − f_i||² + ρ Σ_{(u,v)∈E} w_uv [y_u ≠ y_v],
// over piecewise-constant y. The connected components of y are the output partition.
//
// The solver keeps a partition into connected components whose value is the (n-weighted) mean
// feature. Each iteration (1) tries to split every non-saturated component in two by an exact binary
// graph cut (2-means initialisation, then alternation of max-flow labelling and the two side means),
// keeping a split only when it lowers E; (2) greedily merges adjacent components while a merge lowers
// E (gain ρ·w_ab − n_a n_b/(n_a+n_b)·||μ_a − μ_b||²). It stops when E no longer decreases.

#include "core/common/Progress.h"
#include "core/superpoint/WeightedGraph.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace s4 {

struct CutPursuitParams {
    double regularization = 1.0;  ///< ρ: cost of cutting an edge of weight 1
    int maxIterations = 20;       ///< split + merge rounds
    double tolerance = 1e-4;      ///< stop when an iteration lowers E by less than tolerance · E
    int kmeansIterations = 3;     ///< 2-means iterations initialising each binary split
    int flowSteps = 3;            ///< max-flow ↔ side-mean alternations per split
    bool merge = true;            ///< run the greedy merge step after each split step
    int threads = 0;              ///< max-flow threads (0 = all cores); the result does not depend on it
    /// 0: start from the graph's connected components; the split step's flow graphs then hold every
    /// active vertex at once (the memory peak of the solver: the first split covers the whole graph).
    /// B > 0: start from breadth-first blocks of at most B vertices (the first merge step joins blocks
    /// of one object again) and solve splits in batches of about B vertices, one flow graph alive per
    /// thread, so that the flow memory is bounded by threads · max(B, largest component). The partition
    /// differs from B = 0 (another starting point), not between thread counts.
    std::size_t blockSize = 0;

    bool operator==(const CutPursuitParams&) const = default;
};

struct CutPursuitResult {
    std::vector<std::int32_t> component;  ///< per vertex, 0..S-1 numbered by smallest vertex index
    std::size_t componentCount = 0;       ///< S
    std::vector<float> values;            ///< S × D component values (weighted mean features)
    std::vector<double> energyTrace;      ///< E after initialisation, then after every iteration
    int iterations = 0;                   ///< iterations run
    bool converged = false;               ///< stopped because E stopped decreasing (not maxIterations)
};

/// Runs cut pursuit. features: N × dim row-major; nodeWeights: empty (all 1) or N positive values.
/// Deterministic. Throws s4::InvalidArgument for inconsistent sizes, non-finite values or invalid
/// parameters, s4::Cancelled through progress.
CutPursuitResult cutPursuit(const WeightedGraph& graph, std::span<const float> features, std::size_t dim,
                            std::span<const float> nodeWeights, const CutPursuitParams& params,
                            const Progress& progress = {});

}  // namespace s4
