#include "core/superpoint/BinaryGraphCut.h"

#include "core/common/Error.h"
#include "core/superpoint/WeightedGraph.h"

#include <boost/graph/boykov_kolmogorov_max_flow.hpp>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/iterator/counting_iterator.hpp>
#include <boost/iterator/transform_iterator.hpp>
#include <boost/property_map/property_map.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace s4 {

namespace {

// Arc numbering of the input list (every undirected edge and terminal link as a pair of opposite arcs):
//   2e, 2e+1            the two directions of undirected edge e;
//   2E + 4i + {0,1}     source → i and its reverse i → source;
//   2E + 4i + {2,3}     i → sink and its reverse sink → i.
// Boost's CSR construction sorts the arcs by source with a stable counting sort, so the CSR index of
// every arc follows from the per-vertex arc counts; nothing per arc beyond the CSR itself is stored
// except the reverse index and one residual capacity.
using FlowGraph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                                     boost::no_property, std::uint32_t, std::uint32_t>;
using Vertex = boost::graph_traits<FlowGraph>::vertex_descriptor;
using Arc = boost::graph_traits<FlowGraph>::edge_descriptor;
using ArcEnds = std::pair<std::uint32_t, std::uint32_t>;

// Endpoints of input arc `id` (numbering above), computed on the fly so the arc list is never stored.
struct ArcOfId {
    const std::uint32_t* source = nullptr;
    const std::uint32_t* target = nullptr;
    std::uint32_t edgeCount = 0;
    std::uint32_t vertexCount = 0;
    ArcEnds operator()(std::uint32_t id) const {
        if (id < 2 * edgeCount) {
            const std::uint32_t e = id / 2;
            return id % 2 == 0 ? ArcEnds(source[e], target[e]) : ArcEnds(target[e], source[e]);
        }
        const std::uint32_t t = id - 2 * edgeCount, i = t / 4;
        const std::uint32_t s = vertexCount, k = vertexCount + 1;
        switch (t % 4) {
        case 0: return {s, i};
        case 1: return {i, s};
        case 2: return {i, k};
        default: return {k, i};
        }
    }
};

// Reverse arc of a CSR arc: the reverse starts where the arc ends; its CSR index is tabulated.
struct ReverseArcMap {
    using key_type = Arc;
    using value_type = Arc;
    using reference = Arc;
    using category = boost::readable_property_map_tag;
    const FlowGraph* graph = nullptr;
    const std::uint32_t* reverse = nullptr;
    friend Arc get(const ReverseArcMap& m, const Arc& a) {
        return Arc(boost::target(a, *m.graph), m.reverse[a.idx]);
    }
};

}  // namespace

struct BinaryGraphCut::Impl {
    FlowGraph graph;
    std::vector<std::uint32_t> rowStart;       // CSR row starts (n + 3), kept to address terminal arcs
    std::vector<std::uint32_t> edgeArc;        // CSR index of arcs 2e, 2e+1
    std::vector<std::uint32_t> reverse;        // by CSR index: CSR index of the reverse arc
    std::vector<double> residual;              // by CSR index; also the capacity map (read once, at start)
    std::vector<Arc> predecessor;              // by vertex
    std::vector<boost::default_color_type> color;
    std::vector<long> distance;

    std::uint32_t sourceArc(std::size_t i) const { return rowStart[rowStart.size() - 3] + std::uint32_t(i); }
    std::uint32_t sinkArc(std::size_t i) const { return rowStart[rowStart.size() - 2] + std::uint32_t(i); }
    // A vertex's row ends with its arcs to the source, then to the sink (they come last in the input).
    std::uint32_t toSourceArc(std::size_t i) const { return rowStart[i + 1] - 2; }
    std::uint32_t toSinkArc(std::size_t i) const { return rowStart[i + 1] - 1; }
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
    const std::size_t arcCount = 2 * edgeCount_ + 4 * vertexCount;
    const ArcOfId arcOfId{edgeSource.data(), edgeTarget.data(), std::uint32_t(edgeCount_),
                          std::uint32_t(vertexCount)};
    const auto first = boost::make_transform_iterator(boost::counting_iterator<std::uint32_t>(0), arcOfId);
    const auto last = boost::make_transform_iterator(
        boost::counting_iterator<std::uint32_t>(std::uint32_t(arcCount)), arcOfId);

    Impl& m = *impl_;
    m.graph = FlowGraph(boost::edges_are_unsorted_multi_pass, first, last, vertexCount + 2);

    // Replay the stable counting sort: arcs of one source keep their input order.
    m.rowStart.assign(vertexCount + 3, 0);
    for (std::size_t e = 0; e < edgeCount_; ++e) {
        ++m.rowStart[edgeSource[e] + 1];
        ++m.rowStart[edgeTarget[e] + 1];
    }
    for (std::size_t i = 0; i < vertexCount; ++i) m.rowStart[i + 1] += 2;
    m.rowStart[vertexCount + 1] += std::uint32_t(vertexCount);
    m.rowStart[vertexCount + 2] += std::uint32_t(vertexCount);
    for (std::size_t v = 0; v < vertexCount + 2; ++v) m.rowStart[v + 1] += m.rowStart[v];
    m.edgeArc.resize(2 * edgeCount_);
    m.reverse.resize(arcCount);
    {
        std::vector<std::uint32_t> cursor(m.rowStart.begin(), m.rowStart.begin() + vertexCount);
        for (std::size_t e = 0; e < edgeCount_; ++e) {
            m.edgeArc[2 * e] = cursor[edgeSource[e]]++;
            m.edgeArc[2 * e + 1] = cursor[edgeTarget[e]]++;
            m.reverse[m.edgeArc[2 * e]] = m.edgeArc[2 * e + 1];
            m.reverse[m.edgeArc[2 * e + 1]] = m.edgeArc[2 * e];
        }
    }
    for (std::size_t i = 0; i < vertexCount; ++i) {
        m.reverse[m.sourceArc(i)] = m.toSourceArc(i);
        m.reverse[m.toSourceArc(i)] = m.sourceArc(i);
        m.reverse[m.toSinkArc(i)] = m.sinkArc(i);
        m.reverse[m.sinkArc(i)] = m.toSinkArc(i);
    }
    if (boost::num_edges(m.graph) != arcCount)
        throw InvalidArgument("graph cut: the flow graph does not have the expected arcs");
    // Connected pieces, for the check before the flow.
    pieceCount_ = connectedComponentsWhere(
        vertexCount, edgeSource, edgeTarget, [](std::uint32_t, std::uint32_t) { return true; }, vertexPiece_);
    edgePiece_.resize(edgeCount_);
    for (std::size_t e = 0; e < edgeCount_; ++e) edgePiece_[e] = std::uint32_t(vertexPiece_[edgeSource[e]]);
    m.residual.assign(arcCount, 0.0);
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
    }
    for (std::size_t i = 0; i < vertexCount_; ++i)
        if (!std::isfinite(cost0[i]) || !std::isfinite(cost1[i]))
            throw InvalidArgument("graph cut: unary cost of vertex " + std::to_string(i) + " is not finite");

    // Pieces decided before the flow (see the header): 0 or 1 = all that label, 2 = left to the flow.
    std::vector<double> toZero(pieceCount_, 0.0), toOne(pieceCount_, 0.0);  // A and B per piece
    std::vector<double> cheapestEdge(pieceCount_, std::numeric_limits<double>::infinity());
    for (std::size_t i = 0; i < vertexCount_; ++i) {
        toZero[vertexPiece_[i]] += std::max(0.0, cost0[i] - cost1[i]);
        toOne[vertexPiece_[i]] += std::max(0.0, cost1[i] - cost0[i]);
    }
    for (std::size_t e = 0; e < edgeCount_; ++e)
        cheapestEdge[edgePiece_[e]] = std::min(cheapestEdge[edgePiece_[e]], edgeCost[e]);
    std::vector<std::uint8_t> decided(pieceCount_, 2);
    double decidedExcess = 0.0;
    bool flowNeeded = false;
    for (std::size_t p = 0; p < pieceCount_; ++p) {
        const double best = std::min(toZero[p], toOne[p]);
        if (best <= cheapestEdge[p]) {
            decided[p] = toOne[p] <= toZero[p] ? 1 : 0;
            decidedExcess += best;
        } else {
            flowNeeded = true;
        }
    }

    for (std::size_t e = 0; e < edgeCount_; ++e) {
        const double c = decided[edgePiece_[e]] == 2 ? edgeCost[e] : 0.0;
        m.residual[m.edgeArc[2 * e]] = c;
        m.residual[m.edgeArc[2 * e + 1]] = c;
    }
    flowVertexCount_ = 0;
    for (std::size_t i = 0; i < vertexCount_; ++i) {
        // A vertex on the sink side (label 1) cuts source → i; on the source side (label 0), i → sink.
        const double low = std::min(cost0[i], cost1[i]);
        constant += low;
        const bool inFlow = decided[vertexPiece_[i]] == 2;
        flowVertexCount_ += inFlow;
        m.residual[m.sourceArc(i)] = inFlow ? cost1[i] - low : 0.0;
        m.residual[m.toSourceArc(i)] = 0.0;
        m.residual[m.toSinkArc(i)] = inFlow ? cost0[i] - low : 0.0;
        m.residual[m.sinkArc(i)] = 0.0;
    }
    if (!flowNeeded) {
        for (std::size_t i = 0; i < vertexCount_; ++i) labels_[i] = decided[vertexPiece_[i]];
        return constant + decidedExcess;
    }

    // Boykov–Kolmogorov reads the capacity map only to initialise the residuals (residual := capacity),
    // so one array holding the capacities serves as both.
    const auto edgeIndex = boost::get(boost::edge_index, m.graph);
    const auto vertexIndex = boost::get(boost::vertex_index, m.graph);
    const auto residual = boost::make_iterator_property_map(m.residual.begin(), edgeIndex);
    const double flow = boost::boykov_kolmogorov_max_flow(
        m.graph, residual, residual, ReverseArcMap{&m.graph, m.reverse.data()},
        boost::make_iterator_property_map(m.predecessor.begin(), vertexIndex),
        boost::make_iterator_property_map(m.color.begin(), vertexIndex),
        boost::make_iterator_property_map(m.distance.begin(), vertexIndex), vertexIndex, Vertex(vertexCount_),
        Vertex(vertexCount_ + 1));

    // At termination the source tree is exactly the set reachable from the source in the residual
    // graph: the source side of a minimum cut. Boost colours it black.
    for (std::size_t i = 0; i < vertexCount_; ++i) {
        const std::uint8_t d = decided[vertexPiece_[i]];
        labels_[i] = d != 2 ? d : m.color[i] == boost::black_color ? 0 : 1;
    }
    return constant + flow + decidedExcess;
}

}  // namespace s4
