#pragma once
// An undirected graph with non-negative edge weights, stored as an edge list, plus the vertex
// adjacency (CSR) that the partition algorithms walk.

#include "core/common/MappedBuffer.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace s4 {

struct WeightedGraph {
    std::size_t vertexCount = 0;
    std::vector<std::uint32_t> edgeSource;
    std::vector<std::uint32_t> edgeTarget;
    std::vector<float> edgeWeight;  ///< w_uv ≥ 0, one per edge

    std::size_t edgeCount() const { return edgeSource.size(); }
    /// Throws s4::InvalidArgument for mismatched lists, out-of-range endpoints, self-loops or
    /// negative / non-finite weights.
    void validate() const;
};

/// Vertex → neighbours (CSR, both directions of every edge): neighbours of v are
/// neighbour[offset[v] .. offset[v+1]), in edge order.
struct Adjacency {
    std::vector<std::uint32_t> offset;
    std::vector<std::uint32_t> neighbour;
};

/// Builds the adjacency of a (validated) graph.
Adjacency buildAdjacency(const WeightedGraph& graph);

/// Connected components of the graph restricted to edges whose endpoints satisfy same(u, v) — here
/// always "equal key": vertices u, v joined by an edge with key[u] == key[v] are in one component.
/// Components are numbered 0.. in order of their smallest vertex; returns the component count.
std::size_t connectedComponentsByKey(const Adjacency& adjacency, const std::vector<std::int64_t>& key,
                                     std::vector<std::int32_t>& component);

/// The same partition and numbering from the edge list directly (union–find), without an adjacency.
std::size_t connectedComponentsByKey(const WeightedGraph& graph, const std::vector<std::int64_t>& key,
                                     std::vector<std::int32_t>& component);

/// Connected components of the graph restricted to the edges (u, v) for which joined(u, v) holds, from
/// the edge list (union–find, 4 bytes per vertex besides the result); numbered 0.. in order of their
/// smallest vertex; returns the count. For callers whose key would be computed per vertex (the cut
/// pursuit's (component, side)), so that no key array is stored.
template <typename Joined>
std::size_t connectedComponentsWhere(std::size_t vertexCount, std::span<const std::uint32_t> edgeSource,
                                     std::span<const std::uint32_t> edgeTarget, Joined&& joined,
                                     std::vector<std::int32_t>& component) {
    const std::size_t n = vertexCount;
    // Union–find whose root is always the smallest vertex of its set (the larger root is linked under
    // the smaller), so a single ascending pass numbers the sets by their smallest vertex.
    std::vector<std::uint32_t> parent(n);
    for (std::size_t v = 0; v < n; ++v) parent[v] = std::uint32_t(v);
    auto find = [&](std::uint32_t v) {
        while (parent[v] != v) {
            parent[v] = parent[parent[v]];  // path halving
            v = parent[v];
        }
        return v;
    };
    for (std::size_t e = 0; e < edgeSource.size(); ++e) {
        const std::uint32_t u = edgeSource[e], v = edgeTarget[e];
        if (!joined(u, v)) continue;
        const std::uint32_t a = find(u), b = find(v);
        if (a < b)
            parent[b] = a;
        else if (b < a)
            parent[a] = b;
    }
    component.assign(n, -1);
    std::int32_t count = 0;
    for (std::size_t v = 0; v < n; ++v) {
        const std::uint32_t root = find(std::uint32_t(v));
        component[v] = root == v ? count++ : component[root];  // root < v is numbered already
    }
    return std::size_t(count);
}

/// The same for a WeightedGraph.
template <typename Joined>
std::size_t connectedComponentsWhere(const WeightedGraph& graph, Joined&& joined, std::vector<std::int32_t>& component) {
    return connectedComponentsWhere(graph.vertexCount, graph.edgeSource, graph.edgeTarget,
                                    std::forward<Joined>(joined), component);
}

/// The vertices of each label (labels 0..count-1, one per vertex), contiguous: those of label c are
/// members[start[c] .. start[c+1]), ascending (a counting sort).
struct LabelMembers {
    MappedBuffer<std::uint32_t> start;    ///< count + 1 offsets
    MappedBuffer<std::uint32_t> members;  ///< one per vertex
};
LabelMembers membersByLabel(std::span<const std::int32_t> label, std::size_t count);

/// Renumbers arbitrary labels 0..S-1 in order of each label's smallest vertex; returns S.
std::size_t relabelByFirstVertex(std::vector<std::int32_t>& labels);

}  // namespace s4
