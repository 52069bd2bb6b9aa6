#pragma once
// An undirected graph with non-negative edge weights. Each edge is stored once, under one of its endpoints
// (its source), in compressed rows: the edges of source u are [firstEdge[u], firstEdge[u + 1]), and
// "edge order" is the order of these rows. The rows cost 4 bytes per vertex where a source per edge
// cost 4 bytes per edge (~18 bytes per point on the superpoint stage's kNN graph, at the stage's
// memory peak: bench/README.md "Whole tokenization"). Graphs given as edge lists in any order are
// built with fromEdges().

#include "core/common/Error.h"
#include "core/common/MappedBuffer.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace s4 {

/// Edges in any order, the way importers and tests write a graph down; WeightedGraph::fromEdges
/// turns them into rows.
struct GraphEdges {
    std::size_t vertexCount = 0;
    std::vector<std::uint32_t> source;
    std::vector<std::uint32_t> target;
    std::vector<float> weight;

    void add(std::uint32_t u, std::uint32_t v, float w) {
        source.push_back(u);
        target.push_back(v);
        weight.push_back(w);
    }
};

struct WeightedGraph {
    std::size_t vertexCount = 0;
    std::vector<std::uint32_t> firstEdge{0};  ///< vertexCount + 1 row offsets; the last is edgeCount()
    std::vector<std::uint32_t> edgeTarget;
    std::vector<float> edgeWeight;  ///< w_uv ≥ 0, one per edge

    std::size_t edgeCount() const { return edgeTarget.size(); }

    /// The source of edge e, found by binary search over the rows (O(log V)): for checks and tests;
    /// algorithms walk the rows with forEachEdge.
    std::uint32_t edgeSource(std::size_t e) const;

    /// visit(u, v, e) for every edge e = (u, v), in edge order. Throws s4::InvalidArgument if the rows do
    /// not cover vertexCount vertices (e.g. a vertex count set without rows); validate() checks the rest.
    template <typename Visit>
    void forEachEdge(Visit&& visit) const {
        checkRowCount();
        for (std::uint32_t u = 0; u < vertexCount; ++u)
            for (std::uint32_t e = firstEdge[u]; e < firstEdge[u + 1]; ++e) visit(u, edgeTarget[e], std::size_t(e));
    }

    /// The graph of the given edges, grouped by source (a stable counting sort: edges of one source keep
    /// their given order). Throws s4::InvalidArgument for mismatched lists, out-of-range endpoints or
    /// more edges than 32-bit offsets hold; the result is validated.
    static WeightedGraph fromEdges(const GraphEdges& edges);

    /// Throws s4::InvalidArgument for malformed rows, mismatched lists, out-of-range endpoints,
    /// self-loops or negative / non-finite weights.
    void validate() const;

    /// Throws s4::InvalidArgument unless firstEdge has vertexCount + 1 entries (O(1)).
    void checkRowCount() const;
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

/// The same partition and numbering from the graph's rows directly (union–find), without an adjacency.
std::size_t connectedComponentsByKey(const WeightedGraph& graph, const std::vector<std::int64_t>& key,
                                     std::vector<std::int32_t>& component);

namespace detail {

/// Union–find over the edges that forEachEdge(visit) hands to visit(u, v), keeping those for which
/// joined(u, v) holds; see connectedComponentsWhere.
template <typename ForEachEdge, typename Joined>
std::size_t joinedComponents(std::size_t n, ForEachEdge&& forEachEdge, Joined&& joined,
                             std::vector<std::int32_t>& component) {
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
    forEachEdge([&](std::uint32_t u, std::uint32_t v) {
        if (!joined(u, v)) return;
        const std::uint32_t a = find(u), b = find(v);
        if (a < b)
            parent[b] = a;
        else if (b < a)
            parent[a] = b;
    });
    component.assign(n, -1);
    std::int32_t count = 0;
    for (std::size_t v = 0; v < n; ++v) {
        const std::uint32_t root = find(std::uint32_t(v));
        component[v] = root == v ? count++ : component[root];  // root < v is numbered already
    }
    return std::size_t(count);
}

}  // namespace detail

/// Connected components of the graph restricted to the edges (u, v) for which joined(u, v) holds
/// (union–find, 4 bytes per vertex besides the result); numbered 0.. in order of their smallest
/// vertex; returns the count. For callers whose key would be computed per vertex (the cut pursuit's
/// (component, side)), so that no key array is stored.
template <typename Joined>
std::size_t connectedComponentsWhere(const WeightedGraph& graph, Joined&& joined, std::vector<std::int32_t>& component) {
    return detail::joinedComponents(
        graph.vertexCount,
        [&](auto&& visit) { graph.forEachEdge([&](std::uint32_t u, std::uint32_t v, std::size_t) { visit(u, v); }); },
        std::forward<Joined>(joined), component);
}

/// The same for a graph given as plain edge lists (edge e joins edgeSource[e] and edgeTarget[e]).
template <typename Joined>
std::size_t connectedComponentsWhere(std::size_t vertexCount, std::span<const std::uint32_t> edgeSource,
                                     std::span<const std::uint32_t> edgeTarget, Joined&& joined,
                                     std::vector<std::int32_t>& component) {
    return detail::joinedComponents(
        vertexCount,
        [&](auto&& visit) {
            for (std::size_t e = 0; e < edgeSource.size(); ++e) visit(edgeSource[e], edgeTarget[e]);
        },
        std::forward<Joined>(joined), component);
}

/// For passes over the edges that join two different labels and touch one range of labels at a time
/// (the merge steps build their per-component lists a range of components at a time, one pass each):
/// per block of kRows consecutive rows, the lowest and highest label at either end of the block's
/// crossing edges, so that a pass skips the blocks that cannot touch its range. Components numbered by
/// their smallest vertex on a spatially ordered cloud leave most blocks out of most ranges (on the
/// ScanNet scene ~78 % of the edges per range, with 16 ranges); any vertex order gives the same
/// visits, only fewer skips.
struct CrossingEdgeBlocks {
    static constexpr std::uint32_t kRows = 64;
    MappedBuffer<std::int32_t> lowest, highest;  ///< per block; lowest > highest where it has no crossing edge
};

/// The blocks of `graph` under `label` (one per vertex, ≥ 0).
CrossingEdgeBlocks crossingEdgeBlocks(const WeightedGraph& graph, std::span<const std::int32_t> label);

/// Throws s4::InvalidArgument unless graph, labels and blocks agree in size (O(1)).
void checkCrossingEdgeBlocks(const WeightedGraph& graph, std::span<const std::int32_t> label,
                             const CrossingEdgeBlocks& blocks);

/// visit(u, v, e, a, b) for every edge e = (u, v) with a = label[u] ≠ b = label[v] and a or b in
/// [lo, hi), in edge order; `blocks` are those of the same graph and labels. Returns the number of
/// blocks read (the others are skipped).
template <typename Visit>
std::size_t forEachCrossingEdgeTouching(const WeightedGraph& graph, std::span<const std::int32_t> label,
                                        const CrossingEdgeBlocks& blocks, std::int32_t lo, std::int32_t hi,
                                        Visit&& visit) {
    checkCrossingEdgeBlocks(graph, label, blocks);
    const std::size_t n = graph.vertexCount;
    std::size_t read = 0;
    for (std::size_t block = 0; block < blocks.lowest.size(); ++block) {
        if (blocks.highest[block] < lo || blocks.lowest[block] >= hi) continue;
        ++read;
        const std::size_t end = std::min(n, (block + 1) * CrossingEdgeBlocks::kRows);
        for (std::size_t u = block * CrossingEdgeBlocks::kRows; u < end; ++u) {
            const std::int32_t a = label[u];
            for (std::uint32_t e = graph.firstEdge[u]; e < graph.firstEdge[u + 1]; ++e) {
                const std::uint32_t v = graph.edgeTarget[e];
                const std::int32_t b = label[v];
                if (a != b && ((a >= lo && a < hi) || (b >= lo && b < hi))) visit(std::uint32_t(u), v, std::size_t(e), a, b);
            }
        }
    }
    return read;
}

/// The ends of the edges between different labels (0..labelCount-1, one per vertex), gathered a range of
/// labels at a time so that they are never all held at once — how the merge steps build their
/// per-component neighbour lists. first[c] .. first[c+1] is label c's share of all ends (first has
/// labelCount + 1 entries). For consecutive ranges [lo, hi) holding about 1/parts of the ends each (at
/// least 4,096), calls take(lo, hi, first, ends), where label c's ends are ends[first[c] − first[lo] ..
/// first[c+1] − first[lo]), each make(other label, edge) in edge order. Each range's pass over the rows
/// skips the blocks that cannot touch it (CrossingEdgeBlocks). Throws s4::InvalidArgument if the ends
/// overflow 32-bit offsets.
template <typename Entry, typename Make, typename Take>
void forEachRangeOfCrossingEnds(const WeightedGraph& graph, std::span<const std::int32_t> label,
                                std::size_t labelCount, std::size_t parts, Make&& make, Take&& take) {
    MappedBuffer<std::uint32_t> first(labelCount + 1, 0);
    graph.forEachEdge([&](std::uint32_t u, std::uint32_t v, std::size_t) {
        const std::int32_t a = label[u], b = label[v];
        if (a == b) return;
        ++first[std::size_t(a) + 1];
        ++first[std::size_t(b) + 1];
    });
    for (std::size_t c = 0; c < labelCount; ++c) {
        if (std::uint64_t(first[c + 1]) + first[c] > UINT32_MAX)
            throw InvalidArgument("graph: too many edges between labels for 32-bit offsets");
        first[c + 1] += first[c];
    }
    const std::size_t chunk = std::max<std::size_t>(first[labelCount] / std::max<std::size_t>(parts, 1), 4096);
    const CrossingEdgeBlocks blocks = crossingEdgeBlocks(graph, label);
    MappedBuffer<Entry> ends;
    for (std::size_t lo = 0; lo < labelCount;) {
        std::size_t hi = lo + 1;
        while (hi < labelCount && first[hi + 1] - first[lo] <= chunk) ++hi;
        ends.assign(first[hi] - first[lo], Entry{});  // exactly sized: resize would grow geometrically
        MappedBuffer<std::uint32_t> fill(first.begin() + std::ptrdiff_t(lo), first.begin() + std::ptrdiff_t(hi));
        forEachCrossingEdgeTouching(graph, label, blocks, std::int32_t(lo), std::int32_t(hi),
                                    [&](std::uint32_t, std::uint32_t, std::size_t e, std::int32_t a, std::int32_t b) {
                                        if (std::size_t(a) >= lo && std::size_t(a) < hi)
                                            ends[fill[std::size_t(a) - lo]++ - first[lo]] = make(b, e);
                                        if (std::size_t(b) >= lo && std::size_t(b) < hi)
                                            ends[fill[std::size_t(b) - lo]++ - first[lo]] = make(a, e);
                                    });
        take(lo, hi, std::span<const std::uint32_t>(first.data(), first.size()), std::span<Entry>(ends.data(), ends.size()));
        lo = hi;
    }
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
