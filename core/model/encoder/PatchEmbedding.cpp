#include "core/model/encoder/PatchEmbedding.h"

#include "core/common/Error.h"
#include "core/model/clip/ClipConfig.h"

#include <ATen/ATen.h>

#include <cmath>
#include <limits>
#include <string>

namespace s4::encoder {

namespace {

// PyTorch's defaults for nn.LayerNorm and nn.BatchNorm1d, which the pretraining job uses.
constexpr double kNormEps = 1e-5;

// A container module so that children are named "<name>.<i>.…" like a PyTorch nn.Sequential/ModuleList.
std::vector<PointwiseLayer> registerStack(torch::nn::Module& owner, const std::string& name, int in,
                                          const std::vector<int>& outs, PointNetNorm norm) {
    auto stack = owner.register_module(name, std::make_shared<torch::nn::Module>());
    std::vector<PointwiseLayer> layers;
    for (std::size_t i = 0; i < outs.size(); ++i) {
        const bool hidden = i + 1 < outs.size();
        layers.push_back(
            stack->register_module(std::to_string(i), PointwiseLayer(in, outs[i], hidden, norm)));
        in = outs[i];
    }
    return layers;
}

// Max over the member axis (2) of x (B×N×M×C) counting valid members only.
torch::Tensor maskedMaxPool(const torch::Tensor& x, const torch::Tensor& validMask, bool keepDim) {
    return x.masked_fill(validMask.logical_not().unsqueeze(-1), -std::numeric_limits<float>::infinity())
        .amax({2}, keepDim);
}

}  // namespace

PointNormImpl::PointNormImpl(int channels, PointNetNorm kind) : kind_(kind) {
    weight_ = register_parameter("weight", torch::ones({channels}));
    bias_ = register_parameter("bias", torch::zeros({channels}));
    if (kind == PointNetNorm::BatchNorm) {
        runningMean_ = register_buffer("running_mean", torch::zeros({channels}));
        runningVar_ = register_buffer("running_var", torch::ones({channels}));
    }
}

torch::Tensor PointNormImpl::forward(const torch::Tensor& x) {
    if (kind_ == PointNetNorm::LayerNorm) return at::layer_norm(x, {x.size(-1)}, weight_, bias_, kNormEps);
    // BatchNorm in inference form: a per-channel affine map from the running statistics.
    const torch::Tensor scale = weight_ * (runningVar_ + kNormEps).rsqrt();
    return (x - runningMean_) * scale + bias_;
}

PointwiseLayerImpl::PointwiseLayerImpl(int in, int out, bool hidden, PointNetNorm norm) : hidden_(hidden) {
    weight_ = register_parameter("weight", torch::zeros({out, in}));
    bias_ = register_parameter("bias", torch::zeros({out}));
    if (hidden && norm != PointNetNorm::None) norm_ = register_module("norm", PointNorm(out, norm));
}

torch::Tensor PointwiseLayerImpl::forward(const torch::Tensor& x) {
    torch::Tensor y = at::linear(x, weight_, bias_);
    if (!hidden_) return y;
    if (norm_) y = norm_->forward(y);
    return at::relu(y);
}

PatchEmbeddingImpl::PatchEmbeddingImpl(const PointNetConfig& config) : config_(config) {
    if (config.firstMlp.empty())
        throw InvalidArgument("PatchEmbedding: the first MLP needs at least one layer");
    first_ = registerStack(*this, "first_mlp", config.inputDim, config.firstMlp, config.norm);
    std::vector<int> second = config.secondMlp;
    second.push_back(config.output);
    second_ = registerStack(*this, "second_mlp", 2 * config.firstMlp.back(), second, config.norm);
}

torch::Tensor PatchEmbeddingImpl::forward(const torch::Tensor& features, const torch::Tensor& valid) {
    if (features.dim() != 4 || features.size(3) != config_.inputDim)
        throw InvalidArgument("PatchEmbedding: features must be B×N×M×" + std::to_string(config_.inputDim) +
                              ", got " + clip::formatShape(features.sizes().vec()));
    if (valid.dim() != 3 || valid.sizes() != features.sizes().slice(0, 3))
        throw InvalidArgument("PatchEmbedding: valid must be B×N×M matching the features " +
                              clip::formatShape(features.sizes().vec()) + ", got " + clip::formatShape(valid.sizes().vec()));
    const torch::Tensor mask = valid.to(torch::kBool);
    if (mask.numel() > 0 && !mask.any(2).all().item<bool>())
        throw InvalidArgument("PatchEmbedding: a patch has no valid member");

    torch::Tensor x = features.to(torch::kFloat32);
    for (PointwiseLayer& layer : first_) x = layer->forward(x);
    // Point-BERT order: the pooled (global) vector first, then the member's own features.
    const torch::Tensor pooled = maskedMaxPool(x, mask, /*keepDim=*/true);
    x = at::cat({pooled.expand_as(x), x}, -1);
    for (PointwiseLayer& layer : second_) x = layer->forward(x);
    return maskedMaxPool(x, mask, /*keepDim=*/false);
}

std::vector<double> positionEmbeddingFrequencies(const PositionEmbeddingConfig& config) {
    std::vector<double> omega(std::size_t(config.bands > 0 ? config.bands : 0));
    for (std::size_t k = 0; k < omega.size(); ++k)
        omega[k] = std::pow(config.maxPeriod, -double(k) / double(config.bands));
    return omega;
}

torch::Tensor sinCosPositionEmbedding(const torch::Tensor& centres, const torch::Tensor& radius,
                                      const PositionEmbeddingConfig& config, int width) {
    if (centres.dim() != 3 || centres.size(2) != 3)
        throw InvalidArgument("position embedding: centres must be B×N×3, got " + clip::formatShape(centres.sizes().vec()));
    const std::int64_t bands = config.bands;
    if (bands < 1 || 6 * bands > width)
        throw InvalidArgument("position embedding: 6 × " + std::to_string(bands) +
                              " bands do not fit width " + std::to_string(width));
    const std::int64_t batch = centres.size(0), count = centres.size(1);
    torch::Tensor delta = centres.to(torch::kFloat32);
    if (count > 0) delta = delta - delta.mean(1, /*keepdim=*/true);
    if (config.scaleByRadius) {
        if (radius.numel() != batch)
            throw InvalidArgument("position embedding: one radius per cloud expected (" +
                                  std::to_string(batch) + "), got " + clip::formatShape(radius.sizes().vec()));
        const torch::Tensor r = radius.to(torch::kFloat32).reshape({batch, 1, 1});
        if (batch > 0 && !(r > 0).all().item<bool>())
            throw InvalidArgument("position embedding: the patch radius must be positive");
        delta = delta / r;
    }
    const std::vector<double> omega = positionEmbeddingFrequencies(config);
    const torch::Tensor w =
        torch::tensor(std::vector<float>(omega.begin(), omega.end()), torch::kFloat32).to(delta.device());
    const torch::Tensor angles = delta.unsqueeze(-1) * w;  // B×N×3×B
    torch::Tensor embedding = at::cat({angles.sin(), angles.cos()}, -1).reshape({batch, count, 6 * bands});
    if (6 * bands < width)
        embedding =
            at::cat({embedding, torch::zeros({batch, count, width - 6 * bands}, embedding.options())}, -1);
    return embedding;
}

}  // namespace s4::encoder
