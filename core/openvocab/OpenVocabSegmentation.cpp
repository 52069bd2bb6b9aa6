#include "core/openvocab/OpenVocabSegmentation.h"

#include "core/common/Error.h"
#include "core/geometry/ParallelFor.h"

#include <Eigen/Core>

#include <algorithm>
#include <bit>
#include <cmath>

namespace s4 {

namespace {

using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// exp(x) for x ≤ 0 (Cephes' expf: range reduction by ln 2, degree-5 polynomial; relative error below
// 1e-7, far under what a softmax probability needs). Branch-free so the loop over rows vectorises; the
// per-point softmax would otherwise spend most of a query in the scalar libm exp.
inline float expNonPositive(float x) {
    // Clamp to [−87, 0] (exp(−87) ≈ 1.6e-38 is still a normal float and negligible next to the winner's 1)
    // on the bit pattern of −x, which orders like the value for non-negative floats: an integer compare,
    // which the vectoriser accepts where a float compare (it may trap) is not.
    constexpr std::int32_t kLimit = std::bit_cast<std::int32_t>(87.0f);
    const std::int32_t m = std::bit_cast<std::int32_t>(-x);
    x = -std::bit_cast<float>(m < kLimit ? m : kLimit);
    const float n =
        (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;   // round(x / ln 2) (1.5·2^23 trick)
    const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;  // x − n·ln 2 in two parts
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    return p * std::bit_cast<float>((static_cast<std::int32_t>(n) + 127) << 23);  // · 2^n, n ∈ [−126, 0]
}

// Points per block between two cancellation checks and progress reports.
constexpr std::size_t kBlockPoints = std::size_t{1} << 17;

void validateField(const PointFeatureField& field, const char* what) {
    const std::size_t d = static_cast<std::size_t>(std::max(field.dim, 0));
    if (field.dim < 1 || field.centreFeatures.size() != field.centreCount() * d ||
        field.pointNorms.size() != field.pointCount() ||
        field.weights.rowStart.size() != field.pointCount() + 1)
        throw InvalidArgument(
            std::string(what) +
            ": the point feature field is inconsistent (build it with makePointFeatureField)");
}

void validateScale(float logitScale, const char* what) {
    if (!(logitScale > 0.0f) || !std::isfinite(logitScale))
        throw InvalidArgument(std::string(what) + ": the logit scale must be positive and finite (got " +
                              std::to_string(logitScale) + ")");
}

void validateClasses(const ClassEmbeddings& classes, int dim, const char* what) {
    if (classes.rowCount() == 0 || classes.realCount == 0 || classes.realCount > classes.rowCount())
        throw InvalidArgument(std::string(what) + ": there is no class to score");
    if (classes.dim != dim)
        throw InvalidArgument(std::string(what) + ": the class embeddings have " +
                              std::to_string(classes.dim) + " dimensions but the features " +
                              std::to_string(dim));
    if (classes.rows.size() != classes.rowCount() * static_cast<std::size_t>(dim))
        throw InvalidArgument(std::string(what) +
                              ": the class embedding matrix does not hold one row per name");
}

// S = F̄ · Tᵀ: centres × rows cosines-to-be (row-major), the only dense product of a query.
RowMajorF centreScores(const PointFeatureField& field, const float* rows, std::size_t rowCount) {
    const Eigen::Map<const RowMajorF> features(field.centreFeatures.data(),
                                               static_cast<Eigen::Index>(field.centreCount()), field.dim);
    const Eigen::Map<const RowMajorF> text(rows, static_cast<Eigen::Index>(rowCount), field.dim);
    return features * text.transpose();
}

}  // namespace

OpenVocabResult segmentPoints(const PointFeatureField& field, const ClassEmbeddings& classes,
                              const OpenVocabParams& params, const Progress& progress) {
    validateField(field, "open-vocabulary segmentation");
    validateClasses(classes, field.dim, "open-vocabulary segmentation");
    validateScale(params.logitScale, "open-vocabulary segmentation");
    const std::size_t n = field.pointCount();
    const std::size_t rows = classes.rowCount();
    const RowMajorF scores = centreScores(field, classes.rows.data(), rows);
    progress.check();

    OpenVocabResult out;
    out.rows = rows;
    out.label.assign(n, -1);
    out.confidence.assign(n, 0.0f);
    out.winner.assign(n, -1);
    if (params.keepProbabilities) out.probabilities.assign(n * rows, 0.0f);

    const PropagationWeights& w = field.weights;
    const float* s = scores.data();
    auto scoreRange = [&](std::size_t b, std::size_t e) {
        std::vector<float> z(rows);
        std::vector<float> ez(rows);
        for (std::size_t i = b; i < e; ++i) {
            const float norm = field.pointNorms[i];
            if (!(norm > 0.0f)) continue;  // no direction: stays unknown with confidence 0
            std::fill(z.begin(), z.end(), 0.0f);
            for (std::size_t p = w.rowStart[i]; p < w.rowStart[i + 1]; ++p) {
                const float wp = w.weight[p];
                const float* sk = s + static_cast<std::size_t>(w.centre[p]) * rows;
                for (std::size_t c = 0; c < rows; ++c) z[c] += wp * sk[c];
            }
            std::size_t best = 0;
            float top = z[0];
            for (std::size_t c = 1; c < rows; ++c)
                if (z[c] > top) {
                    top = z[c];
                    best = c;
                }
            // Softmax of logitScale·z/||f_i|| shifted by the largest logit: every term is ≤ 1, the
            // winner's 1.
            const float scale = params.logitScale / norm;
            for (std::size_t c = 0; c < rows; ++c) ez[c] = expNonPositive(scale * (z[c] - top));
            float partial[4] = {0.0f, 0.0f, 0.0f, 0.0f};  // four chains: the sum is not one long dependency
            std::size_t c = 0;
            for (; c + 4 <= rows; c += 4)
                for (std::size_t j = 0; j < 4; ++j) partial[j] += ez[c + j];
            for (; c < rows; ++c) partial[0] += ez[c];
            const float sum = (partial[0] + partial[1]) + (partial[2] + partial[3]);
            const float confidence = 1.0f / sum;
            out.winner[i] = static_cast<std::int32_t>(best);
            out.confidence[i] = confidence;
            if (!classes.isNegative(best) && confidence >= params.confidenceThreshold)
                out.label[i] = static_cast<std::int32_t>(best);
            if (params.keepProbabilities) {
                float* prob = out.probabilities.data() + i * rows;
                for (std::size_t k = 0; k < rows; ++k) prob[k] = ez[k] * confidence;
            }
        }
    };
    for (std::size_t b = 0; b < n; b += kBlockPoints) {
        progress.check();
        parallelFor(std::min(kBlockPoints, n - b), params.threads,
                    [&](std::size_t lo, std::size_t hi) { scoreRange(b + lo, b + hi); });
        progress.report(double(std::min(n, b + kBlockPoints)) / double(n));
    }
    return out;
}

std::vector<float> promptHeatmap(const PointFeatureField& field, const std::vector<float>& embedding,
                                 int threads) {
    validateField(field, "prompt heatmap");
    if (embedding.size() != static_cast<std::size_t>(field.dim))
        throw InvalidArgument("prompt heatmap: the embedding has " + std::to_string(embedding.size()) +
                              " values but the features " + std::to_string(field.dim));
    double sq = 0.0;
    for (const float v : embedding) sq += double(v) * v;
    if (!(sq > 0.0) || !std::isfinite(sq))
        throw InvalidArgument("prompt heatmap: the embedding is zero or not finite");
    std::vector<float> unit(embedding.size());
    for (std::size_t c = 0; c < unit.size(); ++c) unit[c] = static_cast<float>(embedding[c] / std::sqrt(sq));

    const RowMajorF scores = centreScores(field, unit.data(), 1);
    const PropagationWeights& w = field.weights;
    std::vector<float> out(field.pointCount(), 0.0f);
    parallelFor(field.pointCount(), threads, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            const float norm = field.pointNorms[i];
            if (!(norm > 0.0f)) continue;
            float dot = 0.0f;
            for (std::size_t p = w.rowStart[i]; p < w.rowStart[i + 1]; ++p)
                dot += w.weight[p] * scores(w.centre[p], 0);
            out[i] = dot / norm;
        }
    });
    return out;
}

std::vector<ZeroShotScore> zeroShotClassify(const std::vector<float>& cls, const ClassEmbeddings& classes,
                                            float logitScale) {
    validateScale(logitScale, "zero-shot classification");
    validateClasses(classes, static_cast<int>(cls.size()), "zero-shot classification");
    double sq = 0.0;
    for (const float v : cls) sq += double(v) * v;
    if (!(sq > 0.0) || !std::isfinite(sq))
        throw InvalidArgument("zero-shot classification: the [cls] feature is zero or not finite");
    const double norm = std::sqrt(sq);

    std::vector<ZeroShotScore> out(classes.rowCount());
    std::vector<double> logits(out.size());
    for (std::size_t r = 0; r < out.size(); ++r) {
        double dot = 0.0;
        const float* t = classes.row(r);
        for (std::size_t c = 0; c < cls.size(); ++c) dot += double(cls[c]) * t[c];
        out[r].row = r;
        out[r].name = classes.names[r];
        out[r].negative = classes.isNegative(r);
        out[r].cosine = static_cast<float>(dot / norm);
        logits[r] = logitScale * dot / norm;
    }
    const double best = *std::max_element(logits.begin(), logits.end());
    double sum = 0.0;
    for (const double z : logits) sum += std::exp(z - best);
    for (std::size_t r = 0; r < out.size(); ++r)
        out[r].probability = static_cast<float>(std::exp(logits[r] - best) / sum);
    std::stable_sort(out.begin(), out.end(), [](const ZeroShotScore& a, const ZeroShotScore& b) {
        return a.probability > b.probability;
    });
    return out;
}

}  // namespace s4
