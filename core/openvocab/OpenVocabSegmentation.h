#pragma once
// Open-vocabulary scoring of a PointFeatureField against class text embeddings (S4TOKEN.md §6):
//   logit_ic = logitScale · (f_i / ||f_i||) · t_c,   p_ic = softmax over the rows c (classes + negatives).
// Everything but the norm is linear in f_i = Σ_k w_ik f̄_k, so the logits are computed as
// logitScale · (W · (F̄ · Tᵀ))_ic / ||f_i||: a centres × D × rows dense product, then a sparse one —
// the points × D matrix is never formed. A new prompt set costs milliseconds per million points.

#include "core/common/Progress.h"
#include "core/openvocab/ClassEmbeddings.h"
#include "core/openvocab/PointFeatureField.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace s4 {

/// Parameters of segmentPoints.
struct OpenVocabParams {
    float logitScale = 100.0f;         ///< CLIP's exp(logit_scale): 100 for the released ViT-B/16
    float confidenceThreshold = 0.0f;  ///< a winning probability below this makes the point unknown
    bool keepProbabilities = false;    ///< also return the points × rows probabilities (4·rows bytes/point)
    int threads = 0;                   ///< 0 = all cores
};

/// Per-point result of segmentPoints.
struct OpenVocabResult {
    std::vector<std::int32_t> label;   ///< class index in [0, realCount), or -1 = unknown
    std::vector<float> confidence;     ///< softmax probability of the winning row; 0 where ||f_i|| = 0
    std::vector<std::int32_t> winner;  ///< winning row (a class or a negative prompt); -1 where ||f_i|| = 0
    std::vector<float> probabilities;  ///< points × rows, row-major, only with keepProbabilities
                                       ///< (a zero-norm point's row is all 0)
    std::size_t rows = 0;              ///< rows scored: classes + negative prompts
};

/// Labels every point with its best class. A point is unknown (-1) when its norm is 0, when a negative
/// prompt wins, or when the winner's probability is below confidenceThreshold. Throws
/// s4::InvalidArgument if the dimensions differ, there is no class row, or logitScale is not positive
/// and finite; s4::Cancelled when cancelled.
OpenVocabResult segmentPoints(const PointFeatureField& field, const ClassEmbeddings& classes,
                              const OpenVocabParams& params, const Progress& progress = {});

/// Cosine similarity of every point's feature with one embedding (normalised here), for a heatmap of
/// a single prompt; 0 where ||f_i|| = 0. Throws s4::InvalidArgument for a wrong size or a zero embedding.
std::vector<float> promptHeatmap(const PointFeatureField& field, const std::vector<float>& embedding,
                                 int threads = 0);

/// One row's score in a zero-shot classification.
struct ZeroShotScore {
    std::size_t row = 0;  ///< row in the ClassEmbeddings
    std::string name;
    bool negative = false;     ///< a negative prompt rather than a class
    float cosine = 0.0f;       ///< cos([cls], t_row)
    float probability = 0.0f;  ///< softmax over all rows with the logit scale
};

/// Zero-shot classification of a whole cloud from its [cls] feature (S4TOKEN.md §6): every row, most
/// probable first. Throws s4::InvalidArgument for a size mismatch, a zero feature, no rows, or a
/// logitScale that is not positive and finite.
std::vector<ZeroShotScore> zeroShotClassify(const std::vector<float>& cls, const ClassEmbeddings& classes,
                                            float logitScale = 100.0f);

}  // namespace s4
