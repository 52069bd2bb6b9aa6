#include "core/geometry/FarthestPointSampling.h"

#include "core/common/Error.h"
#include "core/geometry/NeighborSearch.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>

namespace s4 {

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr std::size_t kTargetLeafSize = 48;

// The pruning structure: a complete binary tree of depth `levels` over median-split buckets. Node n has
// children 2n and 2n+1; leaves are nodes [2^levels, 2^(levels+1)). Point data is SoA in bucket order.
class ScoredSampler {
public:
    ScoredSampler(const std::vector<Eigen::Vector3f>& points, const std::vector<float>& factors) {
        const std::size_t n = points.size();
        levels_ = 0;
        while ((n >> levels_) > 2 * kTargetLeafSize && levels_ < 24) ++levels_;
        const std::size_t leaves = std::size_t{1} << levels_;
        const std::size_t nodes = 2 * leaves;
        const std::vector<std::int32_t> order = mortonOrder(points);
        leafBegin_.resize(leaves + 1);
        for (std::size_t leaf = 0; leaf <= leaves; ++leaf)
            leafBegin_[leaf] = static_cast<std::uint32_t>(leaf * n / leaves);

        x_.resize(n);
        y_.resize(n);
        z_.resize(n);
        d_.assign(n, kInf);
        phi_.resize(n);
        orig_.resize(n);
        slotOf_.resize(n);
        for (std::size_t s = 0; s < n; ++s) {
            const std::int32_t i = order[s];
            const auto& p = points[static_cast<std::size_t>(i)];
            x_[s] = p.x();
            y_[s] = p.y();
            z_[s] = p.z();
            phi_[s] = factors.empty() ? 1.0f : factors[static_cast<std::size_t>(i)];
            orig_[s] = i;
            slotOf_[static_cast<std::size_t>(i)] = static_cast<std::uint32_t>(s);
        }
        lo_.assign(3 * nodes, kInf);
        hi_.assign(3 * nodes, -kInf);
        maxD_.assign(nodes, -1.0f);
        bestScore_.assign(nodes, -kInf);
        bestSlot_.assign(nodes, kNone);
        for (std::size_t leaf = 0; leaf < leaves; ++leaf) {
            const std::size_t node = leaves + leaf;
            for (std::uint32_t s = leafBegin_[leaf]; s < leafBegin_[leaf + 1]; ++s) {
                const float v[3] = {x_[s], y_[s], z_[s]};
                for (int a = 0; a < 3; ++a) {
                    lo_[3 * node + a] = std::min(lo_[3 * node + a], v[a]);
                    hi_[3 * node + a] = std::max(hi_[3 * node + a], v[a]);
                }
            }
            rescanLeaf(node);
        }
        for (std::size_t node = leaves - 1; node >= 1; --node) {
            for (int a = 0; a < 3; ++a) {
                lo_[3 * node + a] = std::min(lo_[3 * (2 * node) + a], lo_[3 * (2 * node + 1) + a]);
                hi_[3 * node + a] = std::max(hi_[3 * (2 * node) + a], hi_[3 * (2 * node + 1) + a]);
            }
            combine(node);
        }
    }

    // Adds point `index` to the sample: it stops being a candidate and every D is lowered by it.
    // Returns its D before the update.
    float select(std::int32_t index) {
        const std::uint32_t slot = slotOf_[static_cast<std::size_t>(index)];
        const float before = d_[slot];
        phi_[slot] = -1.0f;
        sx_ = x_[slot];
        sy_ = y_[slot];
        sz_ = z_[slot];
        update(1, 0);
        // The chosen point's score changed even if no distance did (a duplicate already at D = 0):
        // rescan its leaf and refresh the path to the root.
        std::size_t node = (std::size_t{1} << levels_) + leafOf(slot);
        rescanLeaf(node);
        for (node >>= 1; node >= 1; node >>= 1) combine(node);
        return before;
    }

    // The best remaining candidate (original index), or -1 when none is left.
    std::int32_t best() const { return bestSlot_[1] == kNone ? -1 : orig_[bestSlot_[1]]; }

    bool isCandidate(std::int32_t index) const { return phi_[slotOf_[static_cast<std::size_t>(index)]] >= 0.0f; }

private:
    static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

    // Orders the points along a Morton (Z-order) curve of a 1024³ grid over their bounding box: one linear
    // pass plus an LSD radix sort, much cheaper than recursive median splits. Equal-count runs of that
    // order are spatially compact buckets; exactness does not depend on how points are bucketed.
    static std::vector<std::int32_t> mortonOrder(const std::vector<Eigen::Vector3f>& points) {
        const std::size_t n = points.size();
        Eigen::Vector3f lo = points[0], hi = lo;
        for (const auto& p : points) {
            lo = lo.cwiseMin(p);
            hi = hi.cwiseMax(p);
        }
        // In double: the extent of finite float points can exceed float (x = ±2e38), and inf · 0 would
        // give NaN grid coordinates.
        const Eigen::Vector3d extent = (hi.cast<double>() - lo.cast<double>()).cwiseMax(Eigen::Vector3d::Constant(1e-30));
        const Eigen::Vector3d scale = Eigen::Vector3d::Constant(1023.0).cwiseQuotient(extent);
        auto spread = [](std::uint32_t v) {  // 10 bits → every third bit
            v = (v | (v << 16)) & 0x030000FFu;
            v = (v | (v << 8)) & 0x0300F00Fu;
            v = (v | (v << 4)) & 0x030C30C3u;
            v = (v | (v << 2)) & 0x09249249u;
            return v;
        };
        std::vector<std::uint32_t> key(n), keyTmp(n);
        std::vector<std::int32_t> order(n), orderTmp(n);
        for (std::size_t i = 0; i < n; ++i) {
            const Eigen::Vector3d q = (points[i].cast<double>() - lo.cast<double>()).cwiseProduct(scale);
            const auto c = [&](int a) { return static_cast<std::uint32_t>(std::clamp(q[a], 0.0, 1023.0)); };
            key[i] = spread(c(0)) | (spread(c(1)) << 1) | (spread(c(2)) << 2);
            order[i] = static_cast<std::int32_t>(i);
        }
        for (int shift = 0; shift < 30; shift += 10) {
            std::vector<std::size_t> bucket(1025, 0);
            for (std::size_t i = 0; i < n; ++i) ++bucket[((key[i] >> shift) & 1023u) + 1];
            for (std::size_t b = 1; b < bucket.size(); ++b) bucket[b] += bucket[b - 1];
            for (std::size_t i = 0; i < n; ++i) {
                const std::size_t to = bucket[(key[i] >> shift) & 1023u]++;
                keyTmp[to] = key[i];
                orderTmp[to] = order[i];
            }
            key.swap(keyTmp);
            order.swap(orderTmp);
        }
        return order;
    }

    std::size_t leafOf(std::uint32_t slot) const {
        // leafBegin_ is non-decreasing: the leaf holding `slot` is the last one starting at or before it
        // that is non-empty.
        const auto it = std::upper_bound(leafBegin_.begin(), leafBegin_.end() - 1, slot);
        return static_cast<std::size_t>(it - leafBegin_.begin()) - 1;
    }

    // Same summation order as squaredDistance(), so it is a lower bound of every member's distance.
    float boxSqDistance(std::size_t node) const {
        const float q[3] = {sx_, sy_, sz_};
        float g[3];
        for (int a = 0; a < 3; ++a) {
            const float l = lo_[3 * node + a], h = hi_[3 * node + a];
            g[a] = q[a] < l ? l - q[a] : (q[a] > h ? q[a] - h : 0.0f);
        }
        return g[0] * g[0] + g[1] * g[1] + g[2] * g[2];
    }

    // Lowers D in the subtree; returns whether anything in it changed. A subtree is skipped when its box
    // is at least its max D away: then d ≥ D for every member and `if (d < D)` changes nothing.
    bool update(std::size_t node, int depth) {
        if (maxD_[node] < 0.0f) return false;  // empty
        if (boxSqDistance(node) >= maxD_[node]) return false;
        if (depth == levels_) {
            lowerLeaf(node);
            return true;
        }
        const bool l = update(2 * node, depth + 1);
        const bool r = update(2 * node + 1, depth + 1);
        if (l || r) combine(node);
        return l || r;
    }

    void lowerLeaf(std::size_t node) {
        const std::size_t leaf = node - (std::size_t{1} << levels_);
        const std::uint32_t b = leafBegin_[leaf], e = leafBegin_[leaf + 1];
        float* __restrict d = d_.data();
        const float* __restrict x = x_.data();
        const float* __restrict y = y_.data();
        const float* __restrict z = z_.data();
        const float sx = sx_, sy = sy_, sz = sz_;
        for (std::uint32_t s = b; s < e; ++s) {
            const float dx = x[s] - sx, dy = y[s] - sy, dz = z[s] - sz;
            const float dist = dx * dx + dy * dy + dz * dz;
            d[s] = dist < d[s] ? dist : d[s];
        }
        rescanLeaf(node);
    }

    void rescanLeaf(std::size_t node) {
        const std::size_t leaf = node - (std::size_t{1} << levels_);
        const std::uint32_t b = leafBegin_[leaf], e = leafBegin_[leaf + 1];
        float maxD = -1.0f;
        float bestScore = -kInf;
        std::uint32_t bestSlot = kNone;
        for (std::uint32_t s = b; s < e; ++s) {
            const float dv = d_[s];
            maxD = dv > maxD ? dv : maxD;
            if (phi_[s] < 0.0f) continue;
            const float score = dv * phi_[s];
            if (score > bestScore || (score == bestScore && orig_[s] < orig_[bestSlot])) {
                bestScore = score;
                bestSlot = s;
            }
        }
        maxD_[node] = maxD;
        bestScore_[node] = bestScore;
        bestSlot_[node] = bestSlot;
    }

    void combine(std::size_t node) {
        const std::size_t l = 2 * node, r = 2 * node + 1;
        maxD_[node] = std::max(maxD_[l], maxD_[r]);
        const bool takeRight =
            bestSlot_[r] != kNone &&
            (bestSlot_[l] == kNone || bestScore_[r] > bestScore_[l] ||
             (bestScore_[r] == bestScore_[l] && orig_[bestSlot_[r]] < orig_[bestSlot_[l]]));
        bestScore_[node] = takeRight ? bestScore_[r] : bestScore_[l];
        bestSlot_[node] = takeRight ? bestSlot_[r] : bestSlot_[l];
    }

    int levels_ = 0;
    std::vector<std::uint32_t> leafBegin_;
    std::vector<float> x_, y_, z_, d_, phi_;
    std::vector<std::int32_t> orig_;
    std::vector<std::uint32_t> slotOf_;
    std::vector<float> lo_, hi_, maxD_, bestScore_;
    std::vector<std::uint32_t> bestSlot_;
    float sx_ = 0, sy_ = 0, sz_ = 0;
};

void checkPoints(const std::vector<Eigen::Vector3f>& points) {
    if (points.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        throw InvalidArgument("farthest point sampling: " + std::to_string(points.size()) +
                              " points exceed the 2^31 - 1 limit");
    for (std::size_t i = 0; i < points.size(); ++i)
        if (!points[i].allFinite())
            throw InvalidArgument("farthest point sampling: point " + std::to_string(i) +
                                  " has a non-finite coordinate");
}

} // namespace

SampleSequence farthestPointSampleScored(const std::vector<Eigen::Vector3f>& points,
                                         const std::vector<float>& factors, std::size_t count,
                                         std::int32_t firstIndex, int threads, const Progress& progress) {
    checkPoints(points);
    if (!factors.empty() && factors.size() != points.size())
        throw InvalidArgument("farthest point sampling: " + std::to_string(factors.size()) + " factors for " +
                              std::to_string(points.size()) + " points");
    for (std::size_t i = 0; i < factors.size(); ++i)
        if (!std::isfinite(factors[i]))
            throw InvalidArgument("farthest point sampling: factor " + std::to_string(i) + " is not finite");
    SampleSequence out;
    if (count == 0 || points.empty()) return out;
    if (firstIndex < 0 || static_cast<std::size_t>(firstIndex) >= points.size())
        throw InvalidArgument("farthest point sampling: first index " + std::to_string(firstIndex) +
                              " is outside the " + std::to_string(points.size()) + " points");
    if (!factors.empty() && factors[static_cast<std::size_t>(firstIndex)] < 0.0f)
        throw InvalidArgument("farthest point sampling: first index " + std::to_string(firstIndex) +
                              " is not a candidate");

    ScoredSampler sampler(points, factors);
    out.indices.reserve(std::min(count, points.size()));
    out.selectionSqDistances.reserve(out.indices.capacity());
    std::int32_t next = firstIndex;
    while (next >= 0 && out.indices.size() < count) {
        if ((out.indices.size() & 63) == 0) {
            progress.check();
            progress.report(static_cast<double>(out.indices.size()) / static_cast<double>(count));
        }
        out.selectionSqDistances.push_back(sampler.select(next));
        out.indices.push_back(next);
        next = sampler.best();
    }
    progress.report(1.0);
    return out;
}

SampleSequence runFarthestPointSampling(const std::vector<Eigen::Vector3f>& points,
                                        const FarthestPointParams& params, const Progress& progress) {
    if (points.empty() || params.count == 0) return {};
    std::int64_t first = params.firstIndex;
    if (first < 0) {
        std::mt19937_64 rng(params.seed);
        std::uniform_int_distribution<std::int64_t> pick(0, static_cast<std::int64_t>(points.size()) - 1);
        first = pick(rng);
    }
    if (first >= static_cast<std::int64_t>(points.size()))
        throw InvalidArgument("farthest point sampling: first index " + std::to_string(first) +
                              " is outside the " + std::to_string(points.size()) + " points");
    return farthestPointSampleScored(points, {}, params.count, static_cast<std::int32_t>(first), params.threads,
                                     progress);
}

} // namespace s4
