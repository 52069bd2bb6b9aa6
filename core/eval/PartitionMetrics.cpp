#include "core/eval/PartitionMetrics.h"

#include "core/common/Error.h"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>

namespace s4 {

std::vector<std::int32_t> superpointMajorityLabels(std::span<const std::int32_t> superpoint,
                                                   std::span<const std::int32_t> truth,
                                                   std::int32_t ignoreLabel) {
    if (superpoint.size() != truth.size())
        throw InvalidArgument("partition metrics: " + std::to_string(superpoint.size()) +
                              " superpoint ids but " + std::to_string(truth.size()) + " ground-truth labels");
    std::unordered_map<std::int32_t, std::map<std::int32_t, std::uint64_t>> votes;
    for (std::size_t i = 0; i < superpoint.size(); ++i) {
        if (superpoint[i] < 0)
            throw InvalidArgument("partition metrics: superpoint id of point " + std::to_string(i) +
                                  " is negative");
        auto& v = votes[superpoint[i]];
        if (truth[i] != ignoreLabel) ++v[truth[i]];
    }
    std::unordered_map<std::int32_t, std::int32_t> winner;
    for (const auto& [s, v] : votes) {
        std::int32_t best = ignoreLabel;
        std::uint64_t bestCount = 0;
        for (const auto& [label, n] : v)  // ascending label: ties keep the smaller one
            if (n > bestCount) {
                best = label;
                bestCount = n;
            }
        winner[s] = best;
    }
    std::vector<std::int32_t> out(superpoint.size());
    for (std::size_t i = 0; i < superpoint.size(); ++i) out[i] = winner[superpoint[i]];
    return out;
}

BoundaryScores boundaryScores(std::span<const std::int32_t> superpoint, std::span<const std::int32_t> truth,
                              std::span<const std::int32_t> neighbours, int k, std::int32_t ignoreLabel) {
    const std::size_t n = truth.size();
    if (superpoint.size() != n || k < 0 || neighbours.size() != n * std::size_t(k))
        throw InvalidArgument("boundary metrics: expected " + std::to_string(n) + " superpoint ids and " +
                              std::to_string(n) + " × k neighbour indices");
    for (const auto j : neighbours)
        if (j >= std::int64_t(n))
            throw InvalidArgument("boundary metrics: neighbour index " + std::to_string(j) +
                                  " is out of range");
    auto nb = [&](std::size_t i) { return neighbours.subspan(i * std::size_t(k), std::size_t(k)); };
    std::vector<std::uint8_t> truthBoundary(n, 0), predBoundary(n, 0);
    for (std::size_t i = 0; i < n; ++i)
        for (const auto j : nb(i)) {
            if (j < 0) continue;
            if (superpoint[std::size_t(j)] != superpoint[i]) predBoundary[i] = 1;
            if (truth[i] != ignoreLabel && truth[std::size_t(j)] != ignoreLabel &&
                truth[std::size_t(j)] != truth[i])
                truthBoundary[i] = 1;
        }
    auto nearAny = [&](std::size_t i, const std::vector<std::uint8_t>& flag) {
        if (flag[i]) return true;
        for (const auto j : nb(i))
            if (j >= 0 && flag[std::size_t(j)]) return true;
        return false;
    };
    BoundaryScores s;
    std::uint64_t found = 0, right = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (truthBoundary[i]) {
            ++s.truthBoundaryPoints;
            found += nearAny(i, predBoundary);
        }
        if (predBoundary[i] && truth[i] != ignoreLabel) {
            ++s.predictedBoundaryPoints;
            right += nearAny(i, truthBoundary);
        }
    }
    if (s.truthBoundaryPoints > 0) s.recall = double(found) / double(s.truthBoundaryPoints);
    if (s.predictedBoundaryPoints > 0) s.precision = double(right) / double(s.predictedBoundaryPoints);
    return s;
}

PartitionScores evaluatePartition(std::span<const std::int32_t> superpoint,
                                  std::span<const std::int32_t> truth,
                                  std::span<const std::int32_t> neighbours, int k, std::int32_t ignoreLabel) {
    PartitionScores s;
    const auto oracle = superpointMajorityLabels(superpoint, truth, ignoreLabel);
    s.oracle = evaluateSegmentation(truth, oracle, ignoreLabel);
    s.boundary = boundaryScores(superpoint, truth, neighbours, k, ignoreLabel);
    std::vector<std::int32_t> ids(superpoint.begin(), superpoint.end());
    std::sort(ids.begin(), ids.end());
    s.superpointCount = std::size_t(std::unique(ids.begin(), ids.end()) - ids.begin());
    s.meanSuperpointSize =
        s.superpointCount > 0 ? double(superpoint.size()) / double(s.superpointCount) : 0.0;
    return s;
}

}  // namespace s4
