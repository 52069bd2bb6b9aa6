#include "core/superpoint/BinaryGraphCut.h"

#include "core/common/Error.h"

#include <boost/graph/boykov_kolmogorov_max_flow.hpp>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/property_map/property_map.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace s4 {

namespace {

// Arc numbering (every arc's reverse is arc ^ 1, which Boykov–Kolmogorov needs):
//   2e, 2e+1            the two directions of undirected edge e;
//   2E + 4i + {0,1}     source → i and its reverse i → source;
//   2E + 4i + {2,3}     i → sink and its reverse sink → i.
struct ArcId {
    std::uint32_t id;
};

using FlowGraph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, ArcId,
                                                     boost::no_property, std::uint32_t, std::uint32_t>;
using Vertex = boost::graph_traits<FlowGraph>::vertex_descriptor;
using Arc = boost::graph_traits<FlowGraph>::edge_descriptor;

}  // namespace

struct BinaryGraphCut::Impl {
    FlowGraph graph;
    std::vector<std::uint32_t> csrIndexOfArc;  // our arc number → CSR edge index
    std::vector<double> capacity;              // by CSR edge index
    std::vector<double> residual;
    std::vector<Arc> reverse;
    std::vector<Arc> predecessor;  // by vertex
    std::vector<boost::default_color_type> color;
    std::vector<long> distance;
};

BinaryGraphCut::BinaryGraphCut(std::size_t vertexCount, std::span<const std::uint32_t> edgeSource,
                               std::span<const std::uint32_t> edgeTarget)
    : impl_(std::make_unique<Impl>()), vertexCount_(vertexCount), edgeCount_(edgeSource.size()) {
    if (edgeSource.size() != edgeTarget.size())
        throw InvalidArgument("graph cut: edge source and target lists differ in length");
    if (vertexCount + 2 > std::size_t(UINT32_MAX) ||
        2 * edgeCount_ + 4 * vertexCount > std::size_t(UINT32_MAX))
        throw InvalidArgument("graph cut: graph too large for 32-bit indices");
    for (std::size_t e = 0; e < edgeCount_; ++e) {
        if (edgeSource[e] >= vertexCount || edgeTarget[e] >= vertexCount)
            throw InvalidArgument("graph cut: edge " + std::to_string(e) + " names a vertex outside 0.." +
                                  std::to_string(vertexCount) + "-1");
    }
    const auto source = std::uint32_t(vertexCount);
    const auto sink = std::uint32_t(vertexCount + 1);
    const std::size_t arcCount = 2 * edgeCount_ + 4 * vertexCount;

    std::vector<std::pair<std::uint32_t, std::uint32_t>> arcs;
    std::vector<ArcId> ids;
    arcs.reserve(arcCount);
    ids.reserve(arcCount);
    auto addPair = [&](std::uint32_t a, std::uint32_t b) {
        ids.push_back({std::uint32_t(arcs.size())});
        arcs.emplace_back(a, b);
        ids.push_back({std::uint32_t(arcs.size())});
        arcs.emplace_back(b, a);
    };
    for (std::size_t e = 0; e < edgeCount_; ++e) addPair(edgeSource[e], edgeTarget[e]);
    for (std::uint32_t i = 0; i < vertexCount; ++i) {
        addPair(source, i);
        addPair(i, sink);
    }

    Impl& m = *impl_;
    m.graph = FlowGraph(boost::edges_are_unsorted_multi_pass, arcs.begin(), arcs.end(), ids.begin(),
                        vertexCount + 2);
    m.csrIndexOfArc.assign(arcCount, 0);
    std::vector<Arc> arcOfId(arcCount);
    for (auto [it, end] = boost::edges(m.graph); it != end; ++it) {
        const Arc arc = *it;
        const std::uint32_t id = m.graph[arc].id;
        m.csrIndexOfArc[id] = arc.idx;  // CSR edge index, what the edge_index map returns
        arcOfId[id] = arc;
    }
    m.capacity.assign(arcCount, 0.0);
    m.residual.assign(arcCount, 0.0);
    m.reverse.resize(arcCount);
    for (std::size_t id = 0; id < arcCount; ++id) m.reverse[m.csrIndexOfArc[id]] = arcOfId[id ^ 1];
    m.predecessor.resize(vertexCount + 2);
    m.color.resize(vertexCount + 2);
    m.distance.resize(vertexCount + 2);
    labels_.assign(vertexCount, 0);
}

BinaryGraphCut::~BinaryGraphCut() = default;

double BinaryGraphCut::solve(std::span<const double> cost0, std::span<const double> cost1,
                             std::span<const double> edgeCost) {
    if (cost0.size() != vertexCount_ || cost1.size() != vertexCount_ || edgeCost.size() != edgeCount_)
        throw InvalidArgument("graph cut: cost arrays do not match the graph size");
    Impl& m = *impl_;
    double constant = 0.0;
    for (std::size_t e = 0; e < edgeCount_; ++e) {
        const double c = edgeCost[e];
        if (!(c >= 0.0) || !std::isfinite(c))
            throw InvalidArgument("graph cut: edge cost " + std::to_string(e) + " is negative or not finite");
        m.capacity[m.csrIndexOfArc[2 * e]] = c;
        m.capacity[m.csrIndexOfArc[2 * e + 1]] = c;
    }
    const std::size_t base = 2 * edgeCount_;
    for (std::size_t i = 0; i < vertexCount_; ++i) {
        if (!std::isfinite(cost0[i]) || !std::isfinite(cost1[i]))
            throw InvalidArgument("graph cut: unary cost of vertex " + std::to_string(i) + " is not finite");
        // A vertex on the sink side (label 1) cuts source → i; on the source side (label 0), i → sink.
        const double low = std::min(cost0[i], cost1[i]);
        constant += low;
        m.capacity[m.csrIndexOfArc[base + 4 * i + 0]] = cost1[i] - low;
        m.capacity[m.csrIndexOfArc[base + 4 * i + 1]] = 0.0;
        m.capacity[m.csrIndexOfArc[base + 4 * i + 2]] = cost0[i] - low;
        m.capacity[m.csrIndexOfArc[base + 4 * i + 3]] = 0.0;
    }

    const auto edgeIndex = boost::get(boost::edge_index, m.graph);
    const auto vertexIndex = boost::get(boost::vertex_index, m.graph);
    const double flow = boost::boykov_kolmogorov_max_flow(
        m.graph, boost::make_iterator_property_map(m.capacity.begin(), edgeIndex),
        boost::make_iterator_property_map(m.residual.begin(), edgeIndex),
        boost::make_iterator_property_map(m.reverse.begin(), edgeIndex),
        boost::make_iterator_property_map(m.predecessor.begin(), vertexIndex),
        boost::make_iterator_property_map(m.color.begin(), vertexIndex),
        boost::make_iterator_property_map(m.distance.begin(), vertexIndex), vertexIndex, Vertex(vertexCount_),
        Vertex(vertexCount_ + 1));

    // At termination the source tree is exactly the set reachable from the source in the residual
    // graph: the source side of a minimum cut. Boost colours it black.
    for (std::size_t i = 0; i < vertexCount_; ++i) labels_[i] = m.color[i] == boost::black_color ? 0 : 1;
    return constant + flow;
}

}  // namespace s4
