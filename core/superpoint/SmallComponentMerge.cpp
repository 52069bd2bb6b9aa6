#include "core/superpoint/SmallComponentMerge.h"

#include "core/common/Error.h"
#include "core/common/MappedBuffer.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <utility>

namespace s4 {

namespace {

// Weight of one edge from a small component to component `to`.
struct SharedEdge {
    std::int32_t to;
    float weight;
    bool operator<(const SharedEdge& o) const { return to != o.to ? to < o.to : weight < o.weight; }
};

// For every small component (as of a pass's start), one entry (neighbour, weight) per edge leaving it:
// the entries of component c are entry[start[c] .. start[c+1]), sorted by (neighbour, weight), the
// order in which the weights of a pair are summed. Laid out by component, so the list holds 8 bytes per
// entry rather than 12 with the component in each; it is the merge's memory peak (~37 bytes per point
// on ScanNet, counted before it is stored).
struct SharedWeights {
    MappedBuffer<std::uint32_t> start;  ///< count + 1 offsets
    MappedBuffer<SharedEdge> entry;
};

template <typename Root, typename IsSmall>
SharedWeights sharedWeightsOfSmall(const WeightedGraph& graph, const std::vector<std::int32_t>& component,
                                   std::size_t count, Root&& root, IsSmall&& isSmall) {
    SharedWeights out;
    out.start.assign(count + 1, 0);
    auto forEachEntry = [&](auto&& visit) {
        graph.forEachEdge([&](std::uint32_t u, std::uint32_t v, std::size_t e) {
            const auto a = root(component[u]), b = root(component[v]);
            if (a == b) return;
            if (isSmall(a)) visit(a, b, graph.edgeWeight[e]);
            if (isSmall(b)) visit(b, a, graph.edgeWeight[e]);
        });
    };
    forEachEntry([&](std::int32_t from, std::int32_t, float) { ++out.start[std::size_t(from) + 1]; });
    for (std::size_t c = 0; c < count; ++c) out.start[c + 1] += out.start[c];
    out.entry.resize(out.start[count]);
    {
        MappedBuffer<std::uint32_t> fill(out.start.begin(), out.start.end() - 1);
        forEachEntry([&](std::int32_t from, std::int32_t to, float w) { out.entry[fill[std::size_t(from)]++] = {to, w}; });
    }
    for (std::size_t c = 0; c < count; ++c)
        std::sort(out.entry.begin() + out.start[c], out.entry.begin() + out.start[c + 1]);
    return out;
}

}  // namespace

std::size_t mergeSmallComponents(const WeightedGraph& graph, std::vector<std::int32_t>& component,
                                 std::size_t minSize, SmallMergeRule rule, const SmallMergeEnergy* energy) {
    graph.validate();  // its rows are walked unchecked below
    if (component.size() != graph.vertexCount)
        throw InvalidArgument("small-component merge: one label per vertex expected");
    const bool byEnergy = rule == SmallMergeRule::Energy;
    if (byEnergy &&
        (energy == nullptr || energy->dim == 0 || energy->features.size() != graph.vertexCount * energy->dim))
        throw InvalidArgument("small-component merge: the energy rule needs N × dim features");
    std::size_t count = relabelByFirstVertex(component);
    if (minSize <= 1 || count <= 1) return count;

    MappedBuffer<std::int32_t> parent(count);
    std::iota(parent.begin(), parent.end(), 0);
    auto root = [&](std::int32_t c) {
        while (parent[std::size_t(c)] != c) {
            parent[std::size_t(c)] = parent[std::size_t(parent[std::size_t(c)])];  // path halving
            c = parent[std::size_t(c)];
        }
        return c;
    };
    MappedBuffer<std::size_t> size(count, 0);
    for (auto c : component) ++size[std::size_t(c)];
    // Feature means per component (kept for roots as merges happen), for the energy rule. Stored as
    // float: with a small ρ there are ~40,000 components on ScanNet, and these means sit beside the
    // shared-weight lists at the superpoint stage's memory peak. The first means are summed in double a
    // component at a time (its members listed in point order, the order the sums always had).
    const std::size_t dim = byEnergy ? energy->dim : 0;
    MappedBuffer<float> mean(count * dim);
    if (byEnergy) {
        const auto [start, members] = membersByLabel(component, count);
        std::vector<double> sum(dim);
        for (std::size_t c = 0; c < count; ++c) {
            std::fill(sum.begin(), sum.end(), 0.0);
            for (std::uint32_t m = start[c]; m < start[c + 1]; ++m)
                for (std::size_t k = 0; k < dim; ++k) sum[k] += energy->features[std::size_t(members[m]) * dim + k];
            for (std::size_t k = 0; k < dim; ++k) mean[c * dim + k] = float(sum[k] / double(size[c]));
        }
    }
    auto mergeCost = [&](std::int32_t a, std::int32_t b, double w) {
        if (!byEnergy) return -w;  // most shared weight = lowest cost
        const double na = double(size[std::size_t(a)]), nb = double(size[std::size_t(b)]);
        double dist = 0.0;
        for (std::size_t k = 0; k < dim; ++k) {
            const double t = double(mean[std::size_t(a) * dim + k]) - double(mean[std::size_t(b) * dim + k]);
            dist += t * t;
        }
        return na * nb / (na + nb) * dist - energy->regularization * w;
    };

    // Repeat passes until nothing changes: a pass decides each small component's target from the shared
    // weights at the start of the pass, smallest first, and follows earlier merges through `root`.
    auto isSmall = [&](std::int32_t c) { return size[std::size_t(c)] < minSize; };
    for (bool changed = true; changed;) {
        changed = false;
        const SharedWeights shared = sharedWeightsOfSmall(graph, component, count, root, isSmall);
        MappedBuffer<std::int32_t> small;
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
            for (std::size_t k = shared.start[std::size_t(c0)]; k < shared.start[std::size_t(c0) + 1]; ++k) {
                const auto r = root(shared.entry[k].to);
                if (r != c) byRoot[r] += double(shared.entry[k].weight);
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
            const double nBest = double(size[std::size_t(best)]), nC = double(size[std::size_t(c)]);
            for (std::size_t k = 0; k < dim; ++k) {
                float& m = mean[std::size_t(best) * dim + k];
                m = float((nBest * m + nC * mean[std::size_t(c) * dim + k]) / (nBest + nC));
            }
            size[std::size_t(best)] += size[std::size_t(c)];
            changed = true;
        }
    }
    for (auto& c : component) c = root(c);
    return relabelByFirstVertex(component);
}

}  // namespace s4
