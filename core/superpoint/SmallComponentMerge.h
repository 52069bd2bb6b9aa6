#pragma once
// Minimum superpoint size: components with fewer than minSize vertices are merged into an adjacent
// component, until no small component has a neighbour. Two rules pick the neighbour:
//  - SharedWeight: the neighbour sharing the most edge weight (plain, feature-blind);
//  - Energy: the neighbour whose merge raises the cut pursuit energy least,
//      ΔE = n_a n_b / (n_a + n_b) · ||μ_a − μ_b||² − ρ · w_ab,
//    i.e. a trade-off of feature similarity and shared boundary (the rule of Landrieu's parallel
//    cut pursuit for its minimum component weight).

#include "core/superpoint/WeightedGraph.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace s4 {

enum class SmallMergeRule { SharedWeight, Energy };

/// What the Energy rule needs: the per-vertex features (N × dim) and ρ.
struct SmallMergeEnergy {
    std::span<const float> features;
    std::size_t dim = 0;
    double regularization = 0.0;
};

/// Merges small components of `component` (any labels per vertex) in place and renumbers the result
/// 0..S'-1 by smallest vertex; returns S'. Smallest components are absorbed first (ties: lower label);
/// ties between neighbours go to the lower label. A small component with no edge to another one (an
/// isolated piece of the graph) is kept as it is. `energy` is required for SmallMergeRule::Energy.
/// Throws s4::InvalidArgument for mismatched sizes.
std::size_t mergeSmallComponents(const WeightedGraph& graph, std::vector<std::int32_t>& component,
                                 std::size_t minSize, SmallMergeRule rule = SmallMergeRule::SharedWeight,
                                 const SmallMergeEnergy* energy = nullptr);

}  // namespace s4
