#pragma once
// The S4Token patch embedding (S4TOKEN.md §4): Θ, a mini-PointNet that maps each patch's member
// offsets to one token of the CLIP width W, and the sin-cos embedding of the patch centres that is
// added to it. Parameter names equal the checkpoint's tensor names (tokenizerTensorSpecs) when this
// module is registered as "pointnet". Weights start at zero; load them from a checkpoint.

#include "core/model/encoder/TokenizerCheckpoint.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace s4::encoder {

/// The normalisation of a hidden layer: LayerNorm over channels, or BatchNorm with running statistics
/// (inference form). Registered as "norm" with weight, bias[, running_mean, running_var].
class PointNormImpl : public torch::nn::Module {
public:
    PointNormImpl(int channels, PointNetNorm kind);
    torch::Tensor forward(const torch::Tensor& x);  ///< x: … × channels

private:
    PointNetNorm kind_;
    torch::Tensor weight_, bias_, runningMean_, runningVar_;
};
TORCH_MODULE(PointNorm);

/// One shared pointwise layer: y = x Wᵀ + b (W: out × in), then, for hidden layers, norm and ReLU.
class PointwiseLayerImpl : public torch::nn::Module {
public:
    PointwiseLayerImpl(int in, int out, bool hidden, PointNetNorm norm);
    torch::Tensor forward(const torch::Tensor& x);  ///< x: … × in → … × out

private:
    torch::Tensor weight_, bias_;
    bool hidden_;
    PointNorm norm_{nullptr};
};
TORCH_MODULE(PointwiseLayer);

/// Θ: first MLP per member, max-pool over the valid members, [pooled, member] per member, second MLP,
/// max-pool over the valid members again (Point-BERT's encoder, with the padding masked out).
class PatchEmbeddingImpl : public torch::nn::Module {
public:
    explicit PatchEmbeddingImpl(const PointNetConfig& config);

    /// features B×N×M×C (C = inputDim: RPN offsets z_j, then normals if C = 6), valid B×N×M (bool or
    /// 0/1) → tokens B×N×W. Padding slots never influence the result. Throws InvalidArgument for wrong
    /// shapes or a patch without any valid member.
    torch::Tensor forward(const torch::Tensor& features, const torch::Tensor& valid);

    const PointNetConfig& config() const { return config_; }

private:
    PointNetConfig config_;
    std::vector<PointwiseLayer> first_;
    std::vector<PointwiseLayer> second_;
};
TORCH_MODULE(PatchEmbedding);

/// The frequencies ω_k = T^(−k/B), k = 0..B−1 (S4TOKEN.md §4, App. A.2).
std::vector<double> positionEmbeddingFrequencies(const PositionEmbeddingConfig& config);

/// Sin-cos embedding of the centres, B×N×W. Δ = p_t − mean_t(p_t) (mean over the N centres of each
/// cloud), divided by that cloud's radius r when scaleByRadius. Layout for axis a ∈ {x, y, z} and band
/// k: [a·2B + k] = sin(ω_k Δ_a), [a·2B + B + k] = cos(ω_k Δ_a); entries 6B..W−1 are 0.
/// centres B×N×3, radius B values (> 0 when scaleByRadius). Throws InvalidArgument for bad shapes, a
/// non-positive radius or 6B > W.
torch::Tensor sinCosPositionEmbedding(const torch::Tensor& centres, const torch::Tensor& radius,
                                      const PositionEmbeddingConfig& config, int width);

}  // namespace s4::encoder
