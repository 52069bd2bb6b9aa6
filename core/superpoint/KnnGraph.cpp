#include "core/superpoint/KnnGraph.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace s4 {

WeightedGraph buildKnnGraph(const NeighborLists& neighbours, EdgeWeighting weighting, double* meanLength) {
    const std::size_t n = neighbours.queries;
    const int k = neighbours.k;
    // (u << 32 | v, squared length) with u < v, then sort and keep each pair once.
    std::vector<std::pair<std::uint64_t, float>> pairs;
    pairs.reserve(n * std::size_t(std::max(k, 0)));
    for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t* idx = neighbours.indicesOf(i);
        const float* d2 = neighbours.sqDistancesOf(i);
        for (int j = 0; j < k; ++j) {
            if (idx[j] < 0 || std::size_t(idx[j]) == i) continue;
            const auto a = std::uint64_t(std::min<std::size_t>(i, std::size_t(idx[j])));
            const auto b = std::uint64_t(std::max<std::size_t>(i, std::size_t(idx[j])));
            pairs.emplace_back(a << 32 | b, d2[j]);
        }
    }
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end(),
                            [](const auto& x, const auto& y) { return x.first == y.first; }),
                pairs.end());

    WeightedGraph g;
    g.vertexCount = n;
    g.edgeSource.reserve(pairs.size());
    g.edgeTarget.reserve(pairs.size());
    g.edgeWeight.reserve(pairs.size());
    double lengthSum = 0.0;
    for (const auto& [key, d2] : pairs) {
        g.edgeSource.push_back(std::uint32_t(key >> 32));
        g.edgeTarget.push_back(std::uint32_t(key & 0xffffffffu));
        lengthSum += std::sqrt(double(d2));
    }
    const double mean = pairs.empty() ? 0.0 : lengthSum / double(pairs.size());
    if (meanLength != nullptr) *meanLength = mean;
    for (const auto& [key, d2] : pairs) {
        const double d = std::sqrt(double(d2));
        double w = 1.0;
        if (mean > 0.0 && weighting == EdgeWeighting::InverseDistance)
            w = 1.0 / (1.0 + d / mean);
        else if (mean > 0.0 && weighting == EdgeWeighting::Gaussian)
            w = std::exp(-double(d2) / (mean * mean));
        g.edgeWeight.push_back(float(w));
    }
    return g;
}

}  // namespace s4
