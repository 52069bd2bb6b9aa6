#include "core/tokenize/WeightedFarthestPointSampler.h"

#include "core/common/Error.h"

#include <cmath>
#include <random>
#include <string>
#include <unordered_map>

namespace s4 {

std::vector<double> superpointSizeWeights(const std::vector<std::int32_t>& superpoints) {
    std::unordered_map<std::int32_t, std::size_t> sizes;
    for (const std::int32_t l : superpoints) ++sizes[l];
    // Σ_j n_{ℓ_j}^{-1}, summed over points in index order as the formula reads.
    double total = 0.0;
    for (const std::int32_t l : superpoints) total += 1.0 / static_cast<double>(sizes[l]);
    std::vector<double> w(superpoints.size());
    for (std::size_t i = 0; i < superpoints.size(); ++i)
        w[i] = (1.0 / static_cast<double>(sizes[superpoints[i]])) / total;
    return w;
}

std::vector<float> wfpsFactors(const std::vector<std::int32_t>& superpoints, const WfpsParams& params) {
    if (!(params.gamma >= 0.0 && params.gamma <= 1.0))
        throw InvalidArgument("WFPS: gamma must be in [0, 1] (got " + std::to_string(params.gamma) + ")");
    if (superpoints.empty()) return {};
    std::unordered_map<std::int32_t, std::size_t> sizes;
    for (const std::int32_t l : superpoints) ++sizes[l];
    const std::vector<double> w = superpointSizeWeights(superpoints);
    const double exponent = params.convention == ExponentConvention::Described ? params.gamma : -params.gamma;
    std::vector<float> phi(superpoints.size());
    for (std::size_t i = 0; i < superpoints.size(); ++i)
        phi[i] = sizes[superpoints[i]] < params.minSuperpointSize ? -1.0f
                                                                   : static_cast<float>(std::pow(w[i], exponent));
    return phi;
}

SampleSequence runWeightedFarthestPointSampling(const std::vector<Eigen::Vector3f>& points,
                                                const std::vector<std::int32_t>& superpoints,
                                                const WfpsParams& params, const Progress& progress) {
    if (!superpoints.empty() && superpoints.size() != points.size())
        throw InvalidArgument("WFPS: " + std::to_string(superpoints.size()) + " superpoint labels for " +
                              std::to_string(points.size()) + " points");
    const std::vector<float> phi = wfpsFactors(superpoints, params);
    if (points.empty() || params.count == 0) return {};

    std::int64_t first = params.firstIndex;
    if (first >= static_cast<std::int64_t>(points.size()))
        throw InvalidArgument("WFPS: first index " + std::to_string(first) + " is outside the " +
                              std::to_string(points.size()) + " points");
    if (first < 0) {
        // i_1 ~ Multinomial(w) restricted to the candidates, by inverse CDF on one uniform draw.
        std::vector<double> w = superpoints.empty() ? std::vector<double>(points.size(), 1.0)
                                                    : superpointSizeWeights(superpoints);
        double total = 0.0;
        for (std::size_t i = 0; i < w.size(); ++i) {
            if (!phi.empty() && phi[i] < 0.0f) w[i] = 0.0;
            total += w[i];
        }
        if (!(total > 0.0))
            throw InvalidArgument("WFPS: no superpoint has at least " + std::to_string(params.minSuperpointSize) +
                                  " points (the minimum candidate size), so there is no candidate to sample; "
                                  "lower that size (--min-candidate-size in --batch commands)");
        std::mt19937_64 rng(params.seed);
        const double u = std::uniform_real_distribution<double>(0.0, total)(rng);
        double acc = 0.0;
        first = -1;
        for (std::size_t i = 0; i < w.size(); ++i) {
            if (w[i] <= 0.0) continue;
            first = static_cast<std::int64_t>(i);
            acc += w[i];
            if (u < acc) break;
        }
    }
    return farthestPointSampleScored(points, phi, params.count, static_cast<std::int32_t>(first), params.threads,
                                     progress);
}

} // namespace s4
