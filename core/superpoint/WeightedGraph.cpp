#include "core/superpoint/WeightedGraph.h"

#include "core/common/Error.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

namespace s4 {

void WeightedGraph::validate() const {
    if (edgeTarget.size() != edgeSource.size() || edgeWeight.size() != edgeSource.size())
        throw InvalidArgument("graph: edge source, target and weight lists differ in length");
    if (vertexCount >= std::size_t(INT32_MAX))
        throw InvalidArgument("graph: too many vertices for 32-bit labels");
    for (std::size_t e = 0; e < edgeSource.size(); ++e) {
        if (edgeSource[e] >= vertexCount || edgeTarget[e] >= vertexCount)
            throw InvalidArgument("graph: edge " + std::to_string(e) + " names a vertex outside 0.." +
                                  std::to_string(vertexCount) + "-1");
        if (edgeSource[e] == edgeTarget[e])
            throw InvalidArgument("graph: edge " + std::to_string(e) + " is a self-loop");
        if (!(edgeWeight[e] >= 0.0f) || !std::isfinite(edgeWeight[e]))
            throw InvalidArgument("graph: weight of edge " + std::to_string(e) +
                                  " is negative or not finite");
    }
}

Adjacency buildAdjacency(const WeightedGraph& graph) {
    Adjacency a;
    const std::size_t n = graph.vertexCount;
    a.offset.assign(n + 1, 0);
    for (std::size_t e = 0; e < graph.edgeCount(); ++e) {
        ++a.offset[graph.edgeSource[e] + 1];
        ++a.offset[graph.edgeTarget[e] + 1];
    }
    for (std::size_t v = 0; v < n; ++v) a.offset[v + 1] += a.offset[v];
    a.neighbour.resize(a.offset[n]);
    std::vector<std::uint32_t> fill(a.offset.begin(), a.offset.end() - 1);
    for (std::size_t e = 0; e < graph.edgeCount(); ++e) {
        const auto u = graph.edgeSource[e], v = graph.edgeTarget[e];
        a.neighbour[fill[u]++] = v;
        a.neighbour[fill[v]++] = u;
    }
    return a;
}

std::size_t connectedComponentsByKey(const Adjacency& adjacency, const std::vector<std::int64_t>& key,
                                     std::vector<std::int32_t>& component) {
    const std::size_t n = key.size();
    component.assign(n, -1);
    std::vector<std::uint32_t> stack;
    std::int32_t count = 0;
    for (std::size_t start = 0; start < n; ++start) {
        if (component[start] >= 0) continue;
        component[start] = count;
        stack.push_back(std::uint32_t(start));
        while (!stack.empty()) {
            const std::uint32_t v = stack.back();
            stack.pop_back();
            for (std::uint32_t k = adjacency.offset[v]; k < adjacency.offset[v + 1]; ++k) {
                const std::uint32_t w = adjacency.neighbour[k];
                if (component[w] < 0 && key[w] == key[v]) {
                    component[w] = count;
                    stack.push_back(w);
                }
            }
        }
        ++count;
    }
    return std::size_t(count);
}

std::size_t connectedComponentsByKey(const WeightedGraph& graph, const std::vector<std::int64_t>& key,
                                     std::vector<std::int32_t>& component) {
    return connectedComponentsWhere(
        graph, [&](std::uint32_t u, std::uint32_t v) { return key[u] == key[v]; }, component);
}

std::size_t relabelByFirstVertex(std::vector<std::int32_t>& labels) {
    // Labels in 0..N-1 (what the partition algorithms produce) are renumbered through a plain table,
    // 4 bytes per possible label instead of a hash map's ~40 per label present.
    const auto [lo, hi] = std::minmax_element(labels.begin(), labels.end());
    if (lo != labels.end() && *lo >= 0 && std::size_t(*hi) < labels.size()) {
        std::vector<std::int32_t> table(std::size_t(*hi) + 1, -1);
        std::int32_t count = 0;
        for (auto& l : labels) {
            auto& t = table[std::size_t(l)];
            if (t < 0) t = count++;
            l = t;
        }
        return std::size_t(count);
    }
    std::unordered_map<std::int32_t, std::int32_t> remap;
    for (auto& l : labels) {
        auto [it, inserted] = remap.try_emplace(l, std::int32_t(remap.size()));
        l = it->second;
    }
    return remap.size();
}

LabelMembers membersByLabel(std::span<const std::int32_t> label, std::size_t count) {
    LabelMembers out;
    out.start.assign(count + 1, 0);
    out.members.resize(label.size());
    for (const auto c : label) ++out.start[std::size_t(c) + 1];
    for (std::size_t c = 0; c < count; ++c) out.start[c + 1] += out.start[c];
    MappedBuffer<std::uint32_t> fill(out.start.begin(), out.start.end() - 1);
    for (std::size_t i = 0; i < label.size(); ++i) out.members[fill[std::size_t(label[i])]++] = std::uint32_t(i);
    return out;
}

}  // namespace s4
