#include "core/superpoint/WeightedGraph.h"

#include "core/common/Error.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

namespace s4 {

std::uint32_t WeightedGraph::edgeSource(std::size_t e) const {
    if (e >= edgeCount()) throw InvalidArgument("graph: edge " + std::to_string(e) + " does not exist");
    // The last row whose first edge is ≤ e (rows of isolated vertices are empty and skipped).
    const auto it = std::upper_bound(firstEdge.begin(), firstEdge.end(), std::uint32_t(e));
    return std::uint32_t(it - firstEdge.begin() - 1);
}

WeightedGraph WeightedGraph::fromEdges(const GraphEdges& edges) {
    const std::size_t m = edges.source.size();
    if (edges.target.size() != m || edges.weight.size() != m)
        throw InvalidArgument("graph: edge source, target and weight lists differ in length");
    if (m >= std::size_t(UINT32_MAX))
        throw InvalidArgument("graph: too many edges for 32-bit offsets (" + std::to_string(m) + ")");
    if (edges.vertexCount >= std::size_t(INT32_MAX))
        throw InvalidArgument("graph: too many vertices for 32-bit labels");
    const std::size_t n = edges.vertexCount;
    for (std::size_t e = 0; e < m; ++e) {  // checked here so that errors name the given edge index
        if (edges.source[e] >= n || edges.target[e] >= n)
            throw InvalidArgument("graph: edge " + std::to_string(e) + " names a vertex outside 0.." +
                                  std::to_string(n) + "-1");
        if (edges.source[e] == edges.target[e])
            throw InvalidArgument("graph: edge " + std::to_string(e) + " is a self-loop");
        if (!(edges.weight[e] >= 0.0f) || !std::isfinite(edges.weight[e]))
            throw InvalidArgument("graph: weight of edge " + std::to_string(e) + " is negative or not finite");
    }
    WeightedGraph g;
    g.vertexCount = n;
    g.firstEdge.assign(n + 1, 0);
    for (const std::uint32_t u : edges.source) ++g.firstEdge[u + 1];
    for (std::size_t v = 0; v < n; ++v) g.firstEdge[v + 1] += g.firstEdge[v];
    g.edgeTarget.resize(m);
    g.edgeWeight.resize(m);
    std::vector<std::uint32_t> fill(g.firstEdge.begin(), g.firstEdge.end() - 1);
    for (std::size_t e = 0; e < m; ++e) {
        const std::uint32_t at = fill[edges.source[e]]++;
        g.edgeTarget[at] = edges.target[e];
        g.edgeWeight[at] = edges.weight[e];
    }
    g.validate();
    return g;
}

void WeightedGraph::checkRowCount() const {
    if (firstEdge.size() != vertexCount + 1)
        throw InvalidArgument("graph: " + std::to_string(firstEdge.size()) + " row offsets for " +
                              std::to_string(vertexCount) + " vertices (expected one more than the vertices)");
}

void WeightedGraph::validate() const {
    if (vertexCount >= std::size_t(INT32_MAX))
        throw InvalidArgument("graph: too many vertices for 32-bit labels");
    if (edgeWeight.size() != edgeTarget.size())
        throw InvalidArgument("graph: edge target and weight lists differ in length");
    if (firstEdge.size() != vertexCount + 1 || firstEdge.front() != 0 || firstEdge.back() != edgeTarget.size())
        throw InvalidArgument("graph: the row offsets must be vertexCount + 1 values from 0 to the edge count");
    for (std::size_t u = 0; u < vertexCount; ++u)  // all offsets first: a row is walked only once all are sound
        if (firstEdge[u + 1] < firstEdge[u])
            throw InvalidArgument("graph: the row offsets decrease at vertex " + std::to_string(u));
    for (std::size_t u = 0; u < vertexCount; ++u) {
        for (std::size_t e = firstEdge[u]; e < firstEdge[u + 1]; ++e) {
            if (edgeTarget[e] >= vertexCount)
                throw InvalidArgument("graph: edge " + std::to_string(e) + " names a vertex outside 0.." +
                                      std::to_string(vertexCount) + "-1");
            if (edgeTarget[e] == u) throw InvalidArgument("graph: edge " + std::to_string(e) + " is a self-loop");
            if (!(edgeWeight[e] >= 0.0f) || !std::isfinite(edgeWeight[e]))
                throw InvalidArgument("graph: weight of edge " + std::to_string(e) +
                                      " is negative or not finite");
        }
    }
}

Adjacency buildAdjacency(const WeightedGraph& graph) {
    Adjacency a;
    const std::size_t n = graph.vertexCount;
    a.offset.assign(n + 1, 0);
    graph.forEachEdge([&](std::uint32_t u, std::uint32_t v, std::size_t) {
        ++a.offset[u + 1];
        ++a.offset[v + 1];
    });
    for (std::size_t v = 0; v < n; ++v) a.offset[v + 1] += a.offset[v];
    a.neighbour.resize(a.offset[n]);
    std::vector<std::uint32_t> fill(a.offset.begin(), a.offset.end() - 1);
    graph.forEachEdge([&](std::uint32_t u, std::uint32_t v, std::size_t) {
        a.neighbour[fill[u]++] = v;
        a.neighbour[fill[v]++] = u;
    });
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

CrossingEdgeBlocks crossingEdgeBlocks(const WeightedGraph& graph, std::span<const std::int32_t> label) {
    if (label.size() != graph.vertexCount)
        throw InvalidArgument("graph: one label per vertex expected for the crossing-edge blocks");
    CrossingEdgeBlocks blocks;
    const std::size_t count = (graph.vertexCount + CrossingEdgeBlocks::kRows - 1) / CrossingEdgeBlocks::kRows;
    blocks.lowest.assign(count, INT32_MAX);
    blocks.highest.assign(count, -1);
    graph.forEachEdge([&](std::uint32_t u, std::uint32_t v, std::size_t) {
        const std::int32_t a = label[u], b = label[v];
        if (a == b) return;
        const std::size_t block = u / CrossingEdgeBlocks::kRows;
        blocks.lowest[block] = std::min({blocks.lowest[block], a, b});
        blocks.highest[block] = std::max({blocks.highest[block], a, b});
    });
    return blocks;
}

void checkCrossingEdgeBlocks(const WeightedGraph& graph, std::span<const std::int32_t> label,
                             const CrossingEdgeBlocks& blocks) {
    graph.checkRowCount();
    const std::size_t count = (graph.vertexCount + CrossingEdgeBlocks::kRows - 1) / CrossingEdgeBlocks::kRows;
    if (label.size() != graph.vertexCount || blocks.lowest.size() != count || blocks.highest.size() != count)
        throw InvalidArgument("graph: labels or crossing-edge blocks do not match the graph");
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
