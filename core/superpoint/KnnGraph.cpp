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
    const int k = std::max(0, std::min(columns, neighbours.k));
    // Each kNN entry gives the pair (u, v), u < v. The pairs are bucketed by u (a counting sort, 8 bytes
    // per entry instead of a sorted list of 16-byte keys), each bucket sorted by (v, squared length), and
    // each pair kept once with its smallest length: the same edges, order and lengths as a global sort.
    struct Entry {
        std::uint32_t other;
        float d2;
    };
    auto forEachPair = [&](auto&& visit) {
        for (std::size_t i = 0; i < n; ++i) {
            const std::int32_t* idx = neighbours.indicesOf(i);
            const float* d2 = neighbours.sqDistancesOf(i);
            for (int j = 0; j < k; ++j) {
                if (idx[j] < 0 || std::size_t(idx[j]) == i) continue;
                const auto a = std::uint32_t(std::min<std::size_t>(i, std::size_t(idx[j])));
                const auto b = std::uint32_t(std::max<std::size_t>(i, std::size_t(idx[j])));
                visit(a, b, d2[j]);
            }
        }
    };
    std::vector<std::uint32_t> start(n + 1, 0);
    forEachPair([&](std::uint32_t a, std::uint32_t, float) { ++start[a + 1]; });
    for (std::size_t v = 0; v < n; ++v) start[v + 1] += start[v];
    std::vector<Entry> entries(start[n]);
    {
        std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
        forEachPair([&](std::uint32_t a, std::uint32_t b, float d2) { entries[fill[a]++] = {b, d2}; });
    }
    release();
    std::size_t edgeCount = 0;
    for (std::size_t u = 0; u < n; ++u) {
        Entry* first = entries.data() + start[u];
        Entry* last = entries.data() + start[u + 1];
        std::sort(first, last, [](const Entry& x, const Entry& y) {
            return x.other != y.other ? x.other < y.other : x.d2 < y.d2;
        });
        last = std::unique(first, last, [](const Entry& x, const Entry& y) { return x.other == y.other; });
        // Compact in place: bucket u moves to the front, start[u] becomes its new start.
        const std::size_t count = std::size_t(last - first);
        if (first != entries.data() + edgeCount) std::copy(first, last, entries.data() + edgeCount);
        start[u] = std::uint32_t(edgeCount);
        edgeCount += count;
    }
    start[n] = std::uint32_t(edgeCount);
    // About half the entries were duplicates: give their room back before the edge lists are allocated.
    entries.resize(edgeCount);
    entries.shrink_to_fit();

    WeightedGraph g;
    g.vertexCount = n;
    g.edgeSource.resize(edgeCount);
    g.edgeTarget.resize(edgeCount);
    g.edgeWeight.resize(edgeCount);
    double lengthSum = 0.0;
    for (std::size_t u = 0; u < n; ++u)
        for (std::size_t e = start[u]; e < start[u + 1]; ++e) {
            g.edgeSource[e] = std::uint32_t(u);
            g.edgeTarget[e] = entries[e].other;
            lengthSum += std::sqrt(double(entries[e].d2));
        }
    const double mean = edgeCount == 0 ? 0.0 : lengthSum / double(edgeCount);
    if (meanLength != nullptr) *meanLength = mean;
    for (std::size_t e = 0; e < edgeCount; ++e) {
        const float d2 = entries[e].d2;
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
