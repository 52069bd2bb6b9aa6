#pragma once
// Exact minimiser of a binary labelling energy on a fixed undirected graph,
//   E(x) = Σ_i [x_i = 0]·cost0_i + [x_i = 1]·cost1_i + Σ_{(u,v)∈E} c_uv·[x_u ≠ x_v],   c_uv ≥ 0,
// by an s-t minimum cut (Boykov–Kolmogorov max-flow from Boost.Graph). The graph structure is built
// once; unary and pairwise costs can change between solves (cut pursuit solves the same graph many
// times with new costs).

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
    /// at equal cost get 1.
    const std::vector<std::uint8_t>& labels() const { return labels_; }

    std::size_t vertexCount() const { return vertexCount_; }
    std::size_t edgeCount() const { return edgeCount_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::size_t vertexCount_ = 0;
    std::size_t edgeCount_ = 0;
    std::vector<std::uint8_t> labels_;
};

}  // namespace s4
