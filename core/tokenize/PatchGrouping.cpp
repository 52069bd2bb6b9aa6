#include "core/tokenize/PatchGrouping.h"

#include "core/common/Error.h"
#include "core/geometry/NeighborSearch.h"
#include "core/geometry/ParallelFor.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <tuple>

namespace s4 {

float meanNearestCentreSpacing(const std::vector<Eigen::Vector3f>& centrePositions) {
    // Over distinct positions: centres at one position (more centres than distinct points, e.g. an object
    // padded by repeating its points) are 0 apart, and counting them would shrink r for every patch.
    std::vector<Eigen::Vector3f> distinct = centrePositions;
    const auto lexicographic = [](const Eigen::Vector3f& a, const Eigen::Vector3f& b) {
        return std::tie(a.x(), a.y(), a.z()) < std::tie(b.x(), b.y(), b.z());
    };
    std::sort(distinct.begin(), distinct.end(), lexicographic);
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    if (distinct.size() < 2) return 0.0f;
    const NeighborLists nb = knnAll(distinct, 1, SelfMatch::Exclude, 1);
    double sum = 0.0;
    for (std::size_t t = 0; t < nb.queries; ++t) sum += std::sqrt(static_cast<double>(nb.sqDistancesOf(t)[0]));
    return static_cast<float>(sum / static_cast<double>(nb.queries));
}

Patches runPatchGrouping(const std::vector<Eigen::Vector3f>& points, const std::vector<std::int32_t>& superpoints,
                         const std::vector<std::int32_t>& centres, const PatchGroupingParams& params,
                         const Progress& progress) {
    const int m = params.groupSize;
    if (m < 1 || m > kMaxGroupSize)
        throw InvalidArgument("patch grouping: the group size M must be from 1 to " + std::to_string(kMaxGroupSize) +
                              " (got " + std::to_string(m) + ")");
    if (centres.size() * static_cast<std::size_t>(m) > kMaxPatchSlots)
        throw InvalidArgument("patch grouping: " + std::to_string(centres.size()) + " patches of " + std::to_string(m) +
                              " points need more than " + std::to_string(kMaxPatchSlots) +
                              " member slots; use fewer tokens or a smaller group size");
    if (!(params.alpha >= 1.0))
        throw InvalidArgument("patch grouping: alpha must be at least 1 (got " + std::to_string(params.alpha) + ")");
    if (params.mode == GroupingMode::SuperpointBall && superpoints.size() != points.size())
        throw InvalidArgument("patch grouping: superpoint-constrained grouping needs one label per point (" +
                              std::to_string(superpoints.size()) + " labels for " + std::to_string(points.size()) +
                              " points)");
    for (const std::int32_t c : centres)
        if (c < 0 || static_cast<std::size_t>(c) >= points.size())
            throw InvalidArgument("patch grouping: centre index " + std::to_string(c) + " is outside the " +
                                  std::to_string(points.size()) + " points");

    Patches out;
    out.count = centres.size();
    out.groupSize = m;
    out.centres = centres;
    out.normalised = params.relativeNormalisation;
    for (const std::int32_t c : centres) out.centrePositions.push_back(points[static_cast<std::size_t>(c)]);
    out.spacing = meanNearestCentreSpacing(out.centrePositions);
    out.radius = static_cast<float>(params.alpha * static_cast<double>(out.spacing));
    const bool needsRadius = params.mode != GroupingMode::Knn || params.relativeNormalisation;
    if (needsRadius && !(out.radius > 0.0f))
        throw InvalidArgument("patch grouping: the patch radius is 0 (" + std::to_string(centres.size()) +
                              " centres, fewer than 2 distinct ones); ball grouping and RPN need a positive radius: ask for at "
                              "least 2 centres on a cloud with distinct points, or group by kNN without RPN");
    if (centres.empty()) return out;

    const std::size_t mm = static_cast<std::size_t>(m);
    out.members.resize(out.count * mm);
    out.valid.assign(out.count * mm, 0);
    out.offsets.resize(out.count * mm);
    out.validCounts.resize(out.count);
    const KdTree tree(points);
    progress.check();

    parallelFor(out.count, params.threads, [&](std::size_t b, std::size_t e) {
        std::vector<std::int32_t> idx;
        std::vector<float> d2;
        std::vector<std::int32_t> chosen;
        for (std::size_t t = b; t < e; ++t) {
            if ((t & 255) == 0) progress.check();
            const std::int32_t c = centres[t];
            const Eigen::Vector3f& pc = points[static_cast<std::size_t>(c)];
            chosen.assign(1, c);  // the centre is always a member, in slot 0
            if (params.mode == GroupingMode::Knn) {
                tree.knn(pc, m + 1, idx, d2);
                for (const std::int32_t j : idx)
                    if (j != c && chosen.size() < mm) chosen.push_back(j);
            } else {
                tree.radius(pc, out.radius, idx, d2);
                std::vector<std::int32_t> rest;
                for (const std::int32_t j : idx) {
                    if (j == c) continue;
                    if (params.mode == GroupingMode::SuperpointBall &&
                        superpoints[static_cast<std::size_t>(j)] != superpoints[static_cast<std::size_t>(c)])
                        continue;
                    rest.push_back(j);
                }
                if (rest.size() + 1 > mm) {
                    // Random subset of M − 1 (partial Fisher–Yates), seeded per patch so the result does
                    // not depend on the thread count; kept in distance order for readability.
                    std::mt19937_64 rng(params.seed ^ (0x9E3779B97F4A7C15ull * (static_cast<std::uint64_t>(t) + 1)));
                    for (std::size_t i = 0; i + 1 < mm; ++i) {
                        std::uniform_int_distribution<std::size_t> pick(i, rest.size() - 1);
                        std::swap(rest[i], rest[pick(rng)]);
                    }
                    rest.resize(mm - 1);
                    // Restore the (distance, index) order the radius query gave.
                    std::sort(rest.begin(), rest.end(), [&](std::int32_t a, std::int32_t bb) {
                        const float da = squaredDistance(points[static_cast<std::size_t>(a)], pc);
                        const float db = squaredDistance(points[static_cast<std::size_t>(bb)], pc);
                        return da < db || (da == db && a < bb);
                    });
                }
                chosen.insert(chosen.end(), rest.begin(), rest.end());
            }
            const std::size_t n = chosen.size();
            out.validCounts[t] = static_cast<std::int32_t>(n);
            const float scale = params.relativeNormalisation ? out.radius : 1.0f;
            for (std::size_t s = 0; s < mm; ++s) {
                const std::int32_t j = chosen[s % n];
                out.members[t * mm + s] = j;
                out.valid[t * mm + s] = s < n ? 1 : 0;
                out.offsets[t * mm + s] = (points[static_cast<std::size_t>(j)] - pc) / scale;
            }
        }
    }, 16);
    progress.report(1.0);
    return out;
}

} // namespace s4
