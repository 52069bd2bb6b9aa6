#include "core/superpoint/KnnGraph.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace s4 {

WeightedGraph buildKnnGraph(const NeighborLists& neighbours, EdgeWeighting weighting, double* meanLength) {
    return buildKnnGraph(neighbours, neighbours.k, weighting, meanLength);
}

namespace {

// The builder behind both overloads; release() is called once the kNN lists are no longer read.
template <typename Release>
WeightedGraph buildGraph(const NeighborLists& neighbours, int columns, EdgeWeighting weighting, double* meanLength,
                         Release&& release) {
    const std::size_t n = neighbours.queries;
    const std::size_t k = std::size_t(std::max(0, std::min(columns, neighbours.k)));
    // Each kNN entry j of row i names the pair {i, j}; a pair may be listed by both rows, and a row may
    // repeat an entry. The edges are written straight into the graph's lists, bucketed by the smaller
    // endpoint: an entry is written only if it is the pair's first entry in the smaller endpoint's row
    // (or, when that row does not list the pair, the first in the larger one's), with the shortest
    // length listed for the pair. Rows are short (k entries), so these checks are a scan; the lists are
    // allocated once, exactly sized, beside the kNN table (no intermediate pair list).
    auto valid = [&](std::size_t i, std::int32_t j) { return j >= 0 && std::size_t(j) != i && std::size_t(j) < n; };
    auto rowFind = [&](std::size_t row, std::size_t other, std::size_t limit, float* shortest) {
        const std::int32_t* idx = neighbours.indicesOf(row);
        const float* d2 = neighbours.sqDistancesOf(row);
        bool found = false;
        for (std::size_t j = 0; j < limit; ++j)
            if (idx[j] >= 0 && std::size_t(idx[j]) == other) {
                found = true;
                if (shortest != nullptr) *shortest = std::min(*shortest, d2[j]);
            }
        return found;
    };
    // Calls visit(a, b, shortest squared length) once per pair, a < b, rows in ascending order.
    auto forEachEdge = [&](auto&& visit) {
        for (std::size_t i = 0; i < n; ++i) {
            const std::int32_t* idx = neighbours.indicesOf(i);
            for (std::size_t j = 0; j < k; ++j) {
                if (!valid(i, idx[j])) continue;
                const auto other = std::size_t(idx[j]);
                if (rowFind(i, other, j, nullptr)) continue;  // repeated in this row
                const std::size_t a = std::min(i, other), b = std::max(i, other);
                if (i == b && rowFind(a, b, k, nullptr)) continue;  // the smaller endpoint's row lists it
                float shortest = neighbours.sqDistancesOf(i)[j];
                rowFind(i, other, k, &shortest);
                rowFind(other, i, k, &shortest);
                visit(std::uint32_t(a), std::uint32_t(b), shortest);
            }
        }
    };
    WeightedGraph g;
    g.vertexCount = n;
    std::vector<std::uint32_t>& start = g.firstEdge;  // each edge's row is its smaller endpoint
    start.assign(n + 1, 0);
    forEachEdge([&](std::uint32_t a, std::uint32_t, float) { ++start[a + 1]; });
    for (std::size_t v = 0; v < n; ++v) start[v + 1] += start[v];
    const std::size_t edgeCount = start[n];

    g.edgeTarget.resize(edgeCount);
    g.edgeWeight.resize(edgeCount);  // holds the squared lengths until the weights are known
    {
        std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
        forEachEdge([&](std::uint32_t a, std::uint32_t b, float d2) {
            const std::uint32_t e = fill[a]++;
            g.edgeTarget[e] = b;
            g.edgeWeight[e] = d2;
        });
    }
    release();
    // Each bucket by target (targets are distinct within a bucket).
    std::vector<std::pair<std::uint32_t, float>> bucket;
    for (std::size_t u = 0; u < n; ++u) {
        bucket.clear();
        for (std::size_t e = start[u]; e < start[u + 1]; ++e) bucket.emplace_back(g.edgeTarget[e], g.edgeWeight[e]);
        std::sort(bucket.begin(), bucket.end());
        for (std::size_t e = start[u]; e < start[u + 1]; ++e) {
            g.edgeTarget[e] = bucket[e - start[u]].first;
            g.edgeWeight[e] = bucket[e - start[u]].second;
        }
    }
    double lengthSum = 0.0;
    for (std::size_t e = 0; e < edgeCount; ++e) lengthSum += std::sqrt(double(g.edgeWeight[e]));
    const double mean = edgeCount == 0 ? 0.0 : lengthSum / double(edgeCount);
    if (meanLength != nullptr) *meanLength = mean;
    for (std::size_t e = 0; e < edgeCount; ++e) {
        const float d2 = g.edgeWeight[e];
        const double d = std::sqrt(double(d2));
        double w = 1.0;
        if (mean > 0.0 && weighting == EdgeWeighting::InverseDistance)
            w = 1.0 / (1.0 + d / mean);
        else if (mean > 0.0 && weighting == EdgeWeighting::Gaussian)
            w = std::exp(-double(d2) / (mean * mean));
        g.edgeWeight[e] = float(w);
    }
    return g;
}

}  // namespace

WeightedGraph buildKnnGraph(const NeighborLists& neighbours, int columns, EdgeWeighting weighting,
                            double* meanLength) {
    return buildGraph(neighbours, columns, weighting, meanLength, [] {});
}

WeightedGraph buildKnnGraph(NeighborLists&& neighbours, int columns, EdgeWeighting weighting, double* meanLength) {
    return buildGraph(neighbours, columns, weighting, meanLength, [&] { neighbours = NeighborLists{}; });
}

}  // namespace s4
