#pragma once
// Exact minimiser of a binary labelling energy on a fixed undirected graph,
//   E(x) = Σ_i [x_i = 0]·cost0_i + [x_i = 1]·cost1_i + Σ_{(u,v)∈E} c_uv·[x_u ≠ x_v],   c_uv ≥ 0,
// by an s-t minimum cut (Boykov–Kolmogorov max-flow from Boost.Graph). The graph structure is built
// once; unary and pairwise costs can change between solves (cut pursuit solves the same graph many
// times with new costs).
//
// Before the max-flow, each connected piece of the graph is checked for a labelling that is optimal
// without it: with A = Σ_i max(0, cost0_i − cost1_i), B = Σ_i max(0, cost1_i − cost0_i) over the piece
// and c the piece's smallest edge cost, every labelling that is not constant on the piece cuts at least
// one edge, so costs at least Σ min(cost0, cost1) + c, while the constant ones cost that sum + A (all 0)
// or + B (all 1). If min(A, B) ≤ c the better constant labelling is optimal and the piece is left out of
// the flow. Why: cut pursuit proposes splits of near-constant components whose two candidate values
// nearly coincide; their unary costs then differ by ~1e-9 everywhere and Boykov–Kolmogorov pushes the
// tiny total flow one augmenting path at a time — seconds for one 20,000-point piece of a flat,
// uniformly coloured surface, growing with the square of its size.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace s4 {

class BinaryGraphCut {
public:
    /// Graph with vertexCount vertices and the undirected edges (source[e], target[e]).
    /// Throws s4::InvalidArgument if the spans differ in length or an endpoint is out of range.
    BinaryGraphCut(std::size_t vertexCount, std::span<const std::uint32_t> edgeSource,
                   std::span<const std::uint32_t> edgeTarget);
    ~BinaryGraphCut();
    BinaryGraphCut(const BinaryGraphCut&) = delete;
    BinaryGraphCut& operator=(const BinaryGraphCut&) = delete;

    /// Minimises E for the given costs (cost0/cost1 per vertex, edgeCost per edge, all finite, edge
    /// costs ≥ 0) and returns the minimum energy. labels() then holds an optimal labelling.
    double solve(std::span<const double> cost0, std::span<const double> cost1,
                 std::span<const double> edgeCost);

    /// Label (0 or 1) of every vertex after the last solve(); vertices free to take either label
    /// at equal cost get 1 (a piece decided before the flow takes all 1 when B ≤ A).
    const std::vector<std::uint8_t>& labels() const { return labels_; }

    /// Vertices of the pieces the last solve() left to the max-flow (the others were decided before it).
    std::size_t flowVertexCount() const { return flowVertexCount_; }

    std::size_t vertexCount() const { return vertexCount_; }
    std::size_t edgeCount() const { return edgeCount_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::size_t vertexCount_ = 0;
    std::size_t edgeCount_ = 0;
    std::vector<std::uint8_t> labels_;
    std::vector<std::int32_t> vertexPiece_;   ///< connected piece of every vertex (0..pieceCount_-1)
    std::vector<std::uint32_t> edgePiece_;    ///< piece of every edge
    std::size_t pieceCount_ = 0;
    std::size_t flowVertexCount_ = 0;
};

}  // namespace s4
