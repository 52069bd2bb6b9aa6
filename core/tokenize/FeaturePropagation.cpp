#include "core/tokenize/FeaturePropagation.h"

#include "core/common/Error.h"
#include "core/geometry/NeighborSearch.h"
#include "core/geometry/ParallelFor.h"

#include <cmath>
#include <string>
#include <unordered_map>

namespace s4 {

PropagationWeights runFeaturePropagation(const std::vector<Eigen::Vector3f>& points,
                                         const std::vector<std::int32_t>& superpoints,
                                         const std::vector<std::int32_t>& centres, const PropagationParams& params,
                                         const Progress& progress) {
    if (!superpoints.empty() && superpoints.size() != points.size())
        throw InvalidArgument("feature propagation: " + std::to_string(superpoints.size()) +
                              " superpoint labels for " + std::to_string(points.size()) + " points");
    if (centres.empty()) throw InvalidArgument("feature propagation: there are no centres to propagate from");
    if (!(params.epsilon > 0.0f))
        throw InvalidArgument("feature propagation: epsilon must be positive (got " + std::to_string(params.epsilon) + ")");
    if (params.fallbackNeighbours < 1)
        throw InvalidArgument("feature propagation: the fallback needs at least 1 neighbour (got " +
                              std::to_string(params.fallbackNeighbours) + ")");
    for (std::size_t i = 0; i < points.size(); ++i)
        if (!points[i].allFinite())
            throw InvalidArgument("feature propagation: point " + std::to_string(i) + " has a non-finite coordinate");
    std::vector<Eigen::Vector3f> centrePositions;
    centrePositions.reserve(centres.size());
    for (const std::int32_t c : centres) {
        if (c < 0 || static_cast<std::size_t>(c) >= points.size())
            throw InvalidArgument("feature propagation: centre index " + std::to_string(c) + " is outside the " +
                                  std::to_string(points.size()) + " points");
        centrePositions.push_back(points[static_cast<std::size_t>(c)]);
    }

    // Centres of each superpoint, as positions k in the centre list.
    std::unordered_map<std::int32_t, std::vector<std::int32_t>> centresOf;
    if (!superpoints.empty())
        for (std::size_t k = 0; k < centres.size(); ++k)
            centresOf[superpoints[static_cast<std::size_t>(centres[k])]].push_back(static_cast<std::int32_t>(k));

    const KdTree tree(centrePositions);
    const int fallbackK = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(params.fallbackNeighbours),
                                                                 centres.size()));
    PropagationWeights out;
    out.points = points.size();
    out.centres = centres.size();
    out.usedFallback.assign(points.size(), 0);

    // Row lengths first, so rows can be filled in parallel into their final places.
    out.rowStart.assign(points.size() + 1, 0);
    for (std::size_t i = 0; i < points.size(); ++i) {
        std::size_t len = static_cast<std::size_t>(fallbackK);
        if (!superpoints.empty()) {
            const auto it = centresOf.find(superpoints[i]);
            if (it != centresOf.end()) len = it->second.size();
            else out.usedFallback[i] = 1;
        } else {
            out.usedFallback[i] = 1;
        }
        out.rowStart[i + 1] = out.rowStart[i] + len;
    }
    out.centre.resize(out.rowStart.back());
    out.weight.resize(out.rowStart.back());
    progress.check();

    parallelFor(points.size(), params.threads, [&](std::size_t b, std::size_t e) {
        std::vector<std::int32_t> idx(static_cast<std::size_t>(fallbackK));
        std::vector<float> d2(static_cast<std::size_t>(fallbackK));
        std::vector<double> inv;
        for (std::size_t i = b; i < e; ++i) {
            if ((i & 4095) == 0) progress.check();
            std::int32_t* ks = out.centre.data() + out.rowStart[i];
            const std::size_t len = out.rowStart[i + 1] - out.rowStart[i];
            if (out.usedFallback[i]) {
                tree.knn(points[i], fallbackK, idx.data(), d2.data());
                for (std::size_t j = 0; j < len; ++j) ks[j] = idx[j];
            } else {
                const auto& list = centresOf.find(superpoints[i])->second;
                for (std::size_t j = 0; j < len; ++j) ks[j] = list[j];
            }
            // Eq. 4: w_ik = (1/d_ik) / Σ (1/d_ik'), d_ik = ||p_i − p̄_k|| + ε; accumulated in double.
            inv.resize(len);
            double total = 0.0;
            for (std::size_t j = 0; j < len; ++j) {
                const double d = std::sqrt(static_cast<double>(
                                     squaredDistance(points[i], centrePositions[static_cast<std::size_t>(ks[j])]))) +
                                 static_cast<double>(params.epsilon);
                inv[j] = 1.0 / d;
                total += inv[j];
            }
            float* ws = out.weight.data() + out.rowStart[i];
            for (std::size_t j = 0; j < len; ++j) ws[j] = static_cast<float>(inv[j] / total);
        }
    }, 256);
    progress.report(1.0);
    return out;
}

std::vector<float> propagateFeatures(const PropagationWeights& weights, const std::vector<float>& centreFeatures,
                                     std::size_t dim) {
    if (centreFeatures.size() != weights.centres * dim)
        throw InvalidArgument("feature propagation: the feature matrix holds " + std::to_string(centreFeatures.size()) +
                              " values, expected " + std::to_string(weights.centres) + " centres × " +
                              std::to_string(dim));
    std::vector<float> out(weights.points * dim, 0.0f);
    for (std::size_t i = 0; i < weights.points; ++i) {
        float* row = out.data() + i * dim;
        for (std::size_t j = weights.rowStart[i]; j < weights.rowStart[i + 1]; ++j) {
            const float w = weights.weight[j];
            const float* f = centreFeatures.data() + static_cast<std::size_t>(weights.centre[j]) * dim;
            for (std::size_t c = 0; c < dim; ++c) row[c] += w * f[c];
        }
    }
    return out;
}

} // namespace s4
