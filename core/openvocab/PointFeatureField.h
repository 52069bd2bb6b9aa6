#pragma once
// Per-point CLIP-space features of a scene, kept in factored form: the encoder's features of the N patch
// centres and the sparse propagation weights (S4TOKEN.md §5). A point's feature is f_i = Σ_k w_ik f̄_k;
// its norm is cached, so scoring a new prompt costs (N × D)·(D × C) plus a sparse product — never the
// points × D matrix (2 GB for 1M points at D = 512).

#include "core/tokenize/FeaturePropagation.h"

#include <cstddef>
#include <vector>

namespace s4 {

struct PointFeatureField {
    PropagationWeights weights;        ///< points × centres, rows sum to 1
    int dim = 0;                       ///< D (512 for ViT-B/16)
    std::vector<float> centreFeatures; ///< centres × D, row-major, as the encoder produced them
    std::vector<float> pointNorms;     ///< ||f_i|| per point (0 where the propagated feature vanishes)
    std::vector<float> cls;            ///< the [cls] feature (D values) for classification; may be empty

    std::size_t pointCount() const { return weights.points; }
    std::size_t centreCount() const { return weights.centres; }
};

/// Builds the field and computes the point norms. Throws InvalidArgument if centreFeatures is not
/// weights.centres × dim, dim < 1, or cls is neither empty nor dim values.
/// Also throws InvalidArgument for inconsistent weights (row offsets, a centre index out of range) and
/// non-finite weights or features. A norm below 1e-5 of Σ_k |w_ik|·||f̄_k|| (the terms cancelled, the
/// direction is rounding noise) is stored as 0. Uses all cores.
PointFeatureField makePointFeatureField(PropagationWeights weights, std::vector<float> centreFeatures, int dim,
                                        std::vector<float> cls = {});

} // namespace s4
