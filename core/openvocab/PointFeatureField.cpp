#include "core/openvocab/PointFeatureField.h"

#include "core/common/Error.h"
#include "core/geometry/ParallelFor.h"

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <string>

namespace s4 {

namespace {

// A propagated feature shorter than this fraction of Σ_k |w_ik|·||f̄_k|| (its largest possible length)
// has lost its direction to rounding: the terms cancelled. Such a point is stored with norm 0 and
// scored "unknown" instead of getting a direction made of rounding noise.
constexpr double kVanishingFraction = 1e-5;

// Above this many centres the Gram matrix (centres² doubles) is not worth its memory (8192² × 8 = 512 MB).
constexpr std::size_t kMaxGramCentres = 4096;

void validateWeights(const PropagationWeights& w) {
    if (w.rowStart.size() != w.points + 1)
        throw InvalidArgument("point feature field: the weights have " + std::to_string(w.rowStart.size()) +
                              " row offsets for " + std::to_string(w.points) +
                              " points (expected points + 1)");
    if (w.rowStart.front() != 0)
        throw InvalidArgument("point feature field: the first row offset of the weights is not 0");
    for (std::size_t i = 0; i < w.points; ++i)
        if (w.rowStart[i + 1] < w.rowStart[i])
            throw InvalidArgument("point feature field: the weight rows are not ordered at point " +
                                  std::to_string(i));
    if (w.rowStart.back() != w.centre.size() || w.centre.size() != w.weight.size())
        throw InvalidArgument("point feature field: the weights hold " + std::to_string(w.centre.size()) +
                              " centre indices and " + std::to_string(w.weight.size()) +
                              " weights but the rows say " + std::to_string(w.rowStart.back()));
    for (std::size_t j = 0; j < w.centre.size(); ++j) {
        if (w.centre[j] < 0 || static_cast<std::size_t>(w.centre[j]) >= w.centres)
            throw InvalidArgument("point feature field: weight entry " + std::to_string(j) +
                                  " names centre " + std::to_string(w.centre[j]) + " of " +
                                  std::to_string(w.centres));
        if (!std::isfinite(w.weight[j]))
            throw InvalidArgument("point feature field: weight entry " + std::to_string(j) +
                                  " is not finite");
    }
}

double vanishingAdjusted(double squaredNorm, double bound) {
    if (!(squaredNorm > 0.0)) return 0.0;  // also catches a slightly negative result of cancellation
    const double norm = std::sqrt(squaredNorm);
    return norm <= kVanishingFraction * bound ? 0.0 : norm;
}

// ||f_i||² = w_iᵀ G w_i with G = F̄ F̄ᵀ: a point costs len² look-ups instead of len × D multiply-adds.
// G is accumulated in double: near-cancelling rows lose only ~1e-16 of ||f̄||², not float's 1e-7.
void normsFromGram(PointFeatureField& field) {
    const std::size_t n = field.centreCount();
    const std::size_t d = static_cast<std::size_t>(field.dim);
    using RowMajorD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const RowMajorD features =
        Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            field.centreFeatures.data(), static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d))
            .cast<double>();
    Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    gram.selfadjointView<Eigen::Lower>().rankUpdate(features);  // lower triangle only: half the work
    const PropagationWeights& w = field.weights;
    parallelFor(field.pointCount(), 0, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            double sq = 0.0;
            double bound = 0.0;
            for (std::size_t p = w.rowStart[i]; p < w.rowStart[i + 1]; ++p) {
                const Eigen::Index kp = w.centre[p];
                const double wp = w.weight[p];
                sq += wp * wp * gram(kp, kp);
                bound += std::abs(wp) * std::sqrt(gram(kp, kp));
                for (std::size_t q = w.rowStart[i]; q < p; ++q) {
                    const Eigen::Index kq = w.centre[q];
                    sq += 2.0 * wp * w.weight[q] * (kp >= kq ? gram(kp, kq) : gram(kq, kp));
                }
            }
            field.pointNorms[i] = static_cast<float>(vanishingAdjusted(sq, bound));
        }
    });
}

// f_i accumulated explicitly, one point at a time (never the whole points × D matrix), in double for
// the same cancellation reason as above.
void normsDirect(PointFeatureField& field) {
    const std::size_t d = static_cast<std::size_t>(field.dim);
    const PropagationWeights& w = field.weights;
    std::vector<double> centreNorms(field.centreCount());
    for (std::size_t k = 0; k < centreNorms.size(); ++k) {
        double s = 0.0;
        for (std::size_t c = 0; c < d; ++c)
            s += double(field.centreFeatures[k * d + c]) * field.centreFeatures[k * d + c];
        centreNorms[k] = std::sqrt(s);
    }
    parallelFor(
        field.pointCount(), 0,
        [&](std::size_t b, std::size_t e) {
            std::vector<double> f(d);
            for (std::size_t i = b; i < e; ++i) {
                std::fill(f.begin(), f.end(), 0.0);
                double bound = 0.0;
                for (std::size_t p = w.rowStart[i]; p < w.rowStart[i + 1]; ++p) {
                    const std::size_t k = static_cast<std::size_t>(w.centre[p]);
                    const double wp = w.weight[p];
                    const float* src = field.centreFeatures.data() + k * d;
                    for (std::size_t c = 0; c < d; ++c) f[c] += wp * src[c];
                    bound += std::abs(wp) * centreNorms[k];
                }
                double sq = 0.0;
                for (std::size_t c = 0; c < d; ++c) sq += f[c] * f[c];
                field.pointNorms[i] = static_cast<float>(vanishingAdjusted(sq, bound));
            }
        },
        256);
}

}  // namespace

PointFeatureField makePointFeatureField(PropagationWeights weights, std::vector<float> centreFeatures,
                                        int dim, std::vector<float> cls) {
    if (dim < 1)
        throw InvalidArgument("point feature field: the feature dimension must be at least 1 (got " +
                              std::to_string(dim) + ")");
    const std::size_t d = static_cast<std::size_t>(dim);
    if (weights.centres > std::numeric_limits<std::size_t>::max() / d ||
        centreFeatures.size() != weights.centres * d)
        throw InvalidArgument("point feature field: " + std::to_string(centreFeatures.size()) +
                              " centre feature values for " + std::to_string(weights.centres) +
                              " centres × " + std::to_string(dim) + " dimensions");
    if (!cls.empty() && cls.size() != d)
        throw InvalidArgument("point feature field: the [cls] feature has " + std::to_string(cls.size()) +
                              " values, not " + std::to_string(dim));
    validateWeights(weights);
    for (std::size_t j = 0; j < centreFeatures.size(); ++j)
        if (!std::isfinite(centreFeatures[j]))
            throw InvalidArgument("point feature field: centre " + std::to_string(j / d) +
                                  " has a non-finite feature");
    for (const float v : cls)
        if (!std::isfinite(v)) throw InvalidArgument("point feature field: the [cls] feature is not finite");

    PointFeatureField field;
    field.weights = std::move(weights);
    field.dim = dim;
    field.centreFeatures = std::move(centreFeatures);
    field.cls = std::move(cls);
    field.pointNorms.assign(field.pointCount(), 0.0f);

    // Pick the cheaper exact route: the Gram matrix costs centres²·D/2 once plus Σ len_i² per point,
    // the direct sum Σ len_i · D.
    const std::size_t n = field.centreCount();
    double pairWork = 0.0;
    for (std::size_t i = 0; i < field.pointCount(); ++i) {
        const double len = double(field.weights.rowStart[i + 1] - field.weights.rowStart[i]);
        pairWork += len * len;
    }
    const double gramWork = 0.5 * double(n) * double(n) * double(d) + pairWork;
    const double directWork = double(field.weights.centre.size()) * double(d);
    if (n <= kMaxGramCentres && gramWork < directWork)
        normsFromGram(field);
    else
        normsDirect(field);
    return field;
}

}  // namespace s4
