#pragma once
// An undirected graph with non-negative edge weights, stored as an edge list, plus the vertex
// adjacency (CSR) that the partition algorithms walk.

#include <cstddef>
#include <cstdint>
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

/// Renumbers arbitrary labels 0..S-1 in order of each label's smallest vertex; returns S.
std::size_t relabelByFirstVertex(std::vector<std::int32_t>& labels);

}  // namespace s4
