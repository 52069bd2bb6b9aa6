#include "core/superpoint/SmallComponentMerge.h"

#include "core/common/Error.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <utility>

namespace s4 {

namespace {

// Weight of one edge from component `from` to component `to`; ordered by (from, to, weight), the order
// in which the weights of a pair are summed.
struct SharedEdge {
    std::int32_t from, to;
    float weight;
    bool operator<(const SharedEdge& o) const {
        if (from != o.from) return from < o.from;
        if (to != o.to) return to < o.to;
        return weight < o.weight;
    }
};

}  // namespace

std::size_t mergeSmallComponents(const WeightedGraph& graph, std::vector<std::int32_t>& component,
                                 std::size_t minSize, SmallMergeRule rule, const SmallMergeEnergy* energy) {
    if (component.size() != graph.vertexCount)
        throw InvalidArgument("small-component merge: one label per vertex expected");
    const bool byEnergy = rule == SmallMergeRule::Energy;
    if (byEnergy &&
        (energy == nullptr || energy->dim == 0 || energy->features.size() != graph.vertexCount * energy->dim))
        throw InvalidArgument("small-component merge: the energy rule needs N × dim features");
    std::size_t count = relabelByFirstVertex(component);
    if (minSize <= 1 || count <= 1) return count;

    std::vector<std::int32_t> parent(count);
    std::iota(parent.begin(), parent.end(), 0);
    auto root = [&](std::int32_t c) {
        while (parent[std::size_t(c)] != c) {
            parent[std::size_t(c)] = parent[std::size_t(parent[std::size_t(c)])];  // path halving
            c = parent[std::size_t(c)];
        }
        return c;
    };
    std::vector<std::size_t> size(count, 0);
    for (auto c : component) ++size[std::size_t(c)];
    // Feature sums per component (kept for roots as merges happen), for the energy rule.
    const std::size_t dim = byEnergy ? energy->dim : 0;
    std::vector<double> sum(count * dim, 0.0);
    for (std::size_t i = 0; i < component.size() && byEnergy; ++i)
        for (std::size_t k = 0; k < dim; ++k)
            sum[std::size_t(component[i]) * dim + k] += energy->features[i * dim + k];
    auto mergeCost = [&](std::int32_t a, std::int32_t b, double w) {
        if (!byEnergy) return -w;  // most shared weight = lowest cost
        const double na = double(size[std::size_t(a)]), nb = double(size[std::size_t(b)]);
        double dist = 0.0;
        for (std::size_t k = 0; k < dim; ++k) {
            const double t = sum[std::size_t(a) * dim + k] / na - sum[std::size_t(b) * dim + k] / nb;
            dist += t * t;
        }
        return na * nb / (na + nb) * dist - energy->regularization * w;
    };

    // Repeat passes until nothing changes: a pass decides each small component's target from the shared
    // weights at the start of the pass, smallest first, and follows earlier merges through `root`.
    for (bool changed = true; changed;) {
        changed = false;
        // Edge weights between components, one entry (a, b, w) per direction of every edge between two
        // components, sorted; only entries whose first component is small are ever looked up, so only
        // those are kept (12 bytes each, counted before they are stored: this list is the merge's peak).
        auto isSmall = [&](std::int32_t c) { return size[std::size_t(c)] < minSize; };
        std::size_t entries = 0;
        for (std::size_t e = 0; e < graph.edgeCount(); ++e) {
            const auto a = root(component[graph.edgeSource[e]]), b = root(component[graph.edgeTarget[e]]);
            if (a != b) entries += std::size_t(isSmall(a)) + std::size_t(isSmall(b));
        }
        std::vector<SharedEdge> shared;
        shared.reserve(entries);
        for (std::size_t e = 0; e < graph.edgeCount(); ++e) {
            const auto a = root(component[graph.edgeSource[e]]), b = root(component[graph.edgeTarget[e]]);
            if (a == b) continue;
            if (isSmall(a)) shared.push_back({a, b, graph.edgeWeight[e]});
            if (isSmall(b)) shared.push_back({b, a, graph.edgeWeight[e]});
        }
        std::sort(shared.begin(), shared.end());
        std::vector<std::int32_t> small;
        for (std::size_t c = 0; c < count; ++c)
            if (parent[c] == std::int32_t(c) && size[c] < minSize) small.push_back(std::int32_t(c));
        std::stable_sort(small.begin(), small.end(), [&](std::int32_t a, std::int32_t b) {
            return size[std::size_t(a)] < size[std::size_t(b)];
        });
        for (const std::int32_t c0 : small) {
            const std::int32_t c = root(c0);
            if (size[std::size_t(c)] >= minSize) continue;  // grown by an earlier merge in this pass
            // Neighbours of c0 in this pass's snapshot, resolved to their current roots.
            std::map<std::int32_t, double> byRoot;
            auto it = std::lower_bound(shared.begin(), shared.end(), SharedEdge{c0, INT32_MIN, -1.0f});
            for (; it != shared.end() && it->from == c0; ++it) {
                const auto r = root(it->to);
                if (r != c) byRoot[r] += double(it->weight);
            }
            if (byRoot.empty()) continue;
            std::int32_t best = -1;
            double bestCost = 0.0;
            for (const auto& [r, w] : byRoot) {  // ascending label: ties keep the lower one
                const double cost = mergeCost(c, r, w);
                if (best < 0 || cost < bestCost) {
                    best = r;
                    bestCost = cost;
                }
            }
            parent[std::size_t(c)] = best;
            size[std::size_t(best)] += size[std::size_t(c)];
            for (std::size_t k = 0; k < dim; ++k)
                sum[std::size_t(best) * dim + k] += sum[std::size_t(c) * dim + k];
            changed = true;
        }
    }
    for (auto& c : component) c = root(c);
    return relabelByFirstVertex(component);
}

}  // namespace s4
