#include "core/model/clip/ClipModules.h"

#include "core/common/Error.h"

#include <ATen/ATen.h>

#include <cmath>
#include <limits>
#include <string>

namespace s4::clip {

namespace {

// N(0, std²) initial values: OpenAI's initialize_parameters() scales, so an unloaded model (benchmarks)
// has activations of realistic size.
torch::Tensor normal(at::IntArrayRef shape, double std) {
    return at::randn(shape) * std;
}

std::string shapeOf(const torch::Tensor& t) {
    return formatShape(std::vector<std::int64_t>(t.sizes().begin(), t.sizes().end()));
}

}  // namespace

torch::Tensor applyActivation(const torch::Tensor& x, Activation activation) {
    if (activation == Activation::QuickGelu) return x * at::sigmoid(1.702 * x);
    return at::gelu(x);
}

torch::Tensor causalAttentionMask(std::int64_t length, const torch::TensorOptions& options) {
    return at::full({length, length}, -std::numeric_limits<float>::infinity(), options).triu(1);
}

// ---- Building blocks ----

LinearLayerImpl::LinearLayerImpl(std::int64_t in, std::int64_t out) {
    weight = register_parameter("weight", normal({out, in}, 1.0 / std::sqrt(double(in))));
    bias = register_parameter("bias", at::zeros({out}));
}

torch::Tensor LinearLayerImpl::forward(const torch::Tensor& x) const {
    return at::linear(x, weight, bias);
}

LayerNormLayerImpl::LayerNormLayerImpl(std::int64_t width, double eps_) : eps(eps_) {
    weight = register_parameter("weight", at::ones({width}));
    bias = register_parameter("bias", at::zeros({width}));
}

torch::Tensor LayerNormLayerImpl::forward(const torch::Tensor& x) const {
    return at::layer_norm(x, {weight.size(0)}, weight, bias, eps);
}

EmbeddingTableImpl::EmbeddingTableImpl(std::int64_t count, std::int64_t width) {
    weight = register_parameter("weight", normal({count, width}, 0.02));
}

SelfAttentionImpl::SelfAttentionImpl(std::int64_t width, std::int64_t heads) : width_(width), heads_(heads) {
    in_proj_weight =
        register_parameter("in_proj_weight", normal({3 * width, width}, 1.0 / std::sqrt(double(width))));
    in_proj_bias = register_parameter("in_proj_bias", at::zeros({3 * width}));
    out_proj = register_module("out_proj", LinearLayer(width, width));
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) const {
    const std::int64_t batch = x.size(0), length = x.size(1), headWidth = width_ / heads_;
    const auto qkv = at::linear(x, in_proj_weight, in_proj_bias).chunk(3, -1);
    // B×L×W → B×H×L×D
    auto split = [&](const torch::Tensor& t) {
        return t.reshape({batch, length, heads_, headWidth}).transpose(1, 2);
    };
    const auto q = split(qkv[0]) * (1.0 / std::sqrt(double(headWidth)));
    const auto k = split(qkv[1]);
    const auto v = split(qkv[2]);
    auto scores = at::matmul(q, k.transpose(-2, -1));  // B×H×L×L
    if (mask.defined()) scores = scores + mask;
    const auto weights = at::softmax(scores, -1);
    const auto mixed = at::matmul(weights, v).transpose(1, 2).reshape({batch, length, width_});
    return out_proj->forward(mixed);
}

torch::Tensor SelfAttentionImpl::valuePath(const torch::Tensor& x) const {
    // Softmax over a single key is 1, so attention to oneself is just the value projection.
    const auto v = at::linear(x, in_proj_weight.narrow(0, 2 * width_, width_),
                              in_proj_bias.narrow(0, 2 * width_, width_));
    return out_proj->forward(v);
}

MlpImpl::MlpImpl(std::int64_t width, std::int64_t mlpWidth, Activation activation_)
    : activation(activation_) {
    c_fc = register_module("c_fc", LinearLayer(width, mlpWidth));
    c_proj = register_module("c_proj", LinearLayer(mlpWidth, width));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) const {
    return c_proj->forward(applyActivation(c_fc->forward(x), activation));
}

ResidualAttentionBlockImpl::ResidualAttentionBlockImpl(std::int64_t width, std::int64_t heads,
                                                       std::int64_t mlpWidth, Activation activation,
                                                       double eps) {
    // Registration order = OpenAI's (attn, ln_1, mlp, ln_2); names are what matter for loading.
    attn = register_module("attn", SelfAttention(width, heads));
    ln_1 = register_module("ln_1", LayerNormLayer(width, eps));
    mlp = register_module("mlp", Mlp(width, mlpWidth, activation));
    ln_2 = register_module("ln_2", LayerNormLayer(width, eps));
}

torch::Tensor ResidualAttentionBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) const {
    auto y = x + attn->forward(ln_1->forward(x), mask);
    return y + mlp->forward(ln_2->forward(y));
}

TransformerImpl::TransformerImpl(std::int64_t width, std::int64_t layers, std::int64_t heads,
                                 std::int64_t mlpWidth, Activation activation, double eps) {
    // A plain container so the names read "resblocks.<i>.…" like nn.Sequential's.
    auto container = register_module("resblocks", std::make_shared<torch::nn::Module>("resblocks"));
    for (std::int64_t i = 0; i < layers; ++i) {
        blocks_.push_back(ResidualAttentionBlock(width, heads, mlpWidth, activation, eps));
        container->register_module(std::to_string(i), blocks_.back());
    }
}

torch::Tensor TransformerImpl::forward(torch::Tensor x, const torch::Tensor& mask) const {
    return forwardFirst(std::move(x), blocks_.size(), mask);
}

torch::Tensor TransformerImpl::forwardFirst(torch::Tensor x, std::size_t count,
                                            const torch::Tensor& mask) const {
    for (std::size_t i = 0; i < count && i < blocks_.size(); ++i) x = blocks_[i]->forward(x, mask);
    return x;
}

PatchConvolutionImpl::PatchConvolutionImpl(std::int64_t width, std::int64_t patchSize_)
    : patchSize(patchSize_) {
    weight = register_parameter("weight", normal({width, 3, patchSize, patchSize}, 0.02));
}

torch::Tensor PatchConvolutionImpl::forward(const torch::Tensor& images) const {
    // B×W×g×g → B×g²×W (row-major over the grid, as OpenAI's reshape + permute).
    return at::conv2d(images, weight, {}, {patchSize, patchSize}).flatten(2).transpose(1, 2);
}

// ---- Vision tower ----

VisionTransformerImpl::VisionTransformerImpl(const VisionConfig& config, int embedDim)
    : config_(config), embedDim_(embedDim) {
    validateClipConfig(ClipConfig{config, TextConfig{}, embedDim});
    const std::int64_t w = config.width, grid = patchGridSize(config);
    const double scale = 1.0 / std::sqrt(double(w));
    conv1 = register_module("conv1", PatchConvolution(w, config.patchSize));
    class_embedding = register_parameter("class_embedding", normal({w}, scale));
    positional_embedding = register_parameter("positional_embedding", normal({grid * grid + 1, w}, scale));
    ln_pre = register_module("ln_pre", LayerNormLayer(w, config.layerNormEps));
    transformer = register_module("transformer", Transformer(w, config.layers, config.heads, config.mlpWidth,
                                                             config.activation, config.layerNormEps));
    ln_post = register_module("ln_post", LayerNormLayer(w, config.layerNormEps));
    proj = register_parameter("proj", normal({w, embedDim}, scale));
}

void VisionTransformerImpl::checkImages(const torch::Tensor& images) const {
    const std::int64_t s = config_.imageSize;
    if (images.dim() != 4 || images.size(1) != 3 || images.size(2) != s || images.size(3) != s)
        throw InvalidArgument("CLIP vision transformer: images must be B×3×" + std::to_string(s) + "×" +
                              std::to_string(s) + ", got " + shapeOf(images));
}

torch::Tensor VisionTransformerImpl::withClassToken(const torch::Tensor& tokens) const {
    const std::int64_t batch = tokens.size(0), width = config_.width;
    const auto cls = (class_embedding + positional_embedding[0]).to(tokens.dtype()).expand({batch, 1, width});
    return ln_pre->forward(at::cat({cls, tokens}, 1));
}

torch::Tensor VisionTransformerImpl::patchTokens(const torch::Tensor& images) const {
    checkImages(images);
    return conv1->forward(images) + positional_embedding.slice(0, 1);
}

torch::Tensor VisionTransformerImpl::forward(const torch::Tensor& images) const {
    auto x = transformer->forward(withClassToken(patchTokens(images)));
    return at::matmul(ln_post->forward(x.select(1, 0)), proj);
}

torch::Tensor VisionTransformerImpl::denseFeatures(const torch::Tensor& images) const {
    const auto& blocks = transformer->blocks();
    auto x = transformer->forwardFirst(withClassToken(patchTokens(images)), blocks.size() - 1);
    const auto& last = blocks.back();
    // The last block keeps its attention residual, with each token attending to itself only (MaskCLIP's
    // value path), and drops its MLP (as ClearCLIP does); see the header.
    const auto y = x + last->attn->valuePath(last->ln_1->forward(x));
    return at::matmul(ln_post->forward(y.slice(1, 1)), proj);
}

torch::Tensor VisionTransformerImpl::encodeTokens(const torch::Tensor& tokens) const {
    if (tokens.dim() != 3 || tokens.size(2) != config_.width)
        throw InvalidArgument("CLIP vision transformer: tokens must be B×N×" + std::to_string(config_.width) +
                              ", got " + shapeOf(tokens));
    auto x = transformer->forward(withClassToken(tokens));
    return at::matmul(ln_post->forward(x), proj);
}

// ---- Text tower ----

TextTransformerImpl::TextTransformerImpl(const TextConfig& config, int embedDim)
    : config_(config), embedDim_(embedDim) {
    validateClipConfig(ClipConfig{VisionConfig{}, config, embedDim});
    const std::int64_t w = config.width;
    token_embedding = register_module("token_embedding", EmbeddingTable(config.vocabSize, w));
    positional_embedding =
        register_parameter("positional_embedding", normal({config.contextLength, w}, 0.01));
    transformer = register_module("transformer", Transformer(w, config.layers, config.heads, config.mlpWidth,
                                                             config.activation, config.layerNormEps));
    ln_final = register_module("ln_final", LayerNormLayer(w, config.layerNormEps));
    text_projection =
        register_parameter("text_projection", normal({w, embedDim}, 1.0 / std::sqrt(double(w))));
}

torch::Tensor TextTransformerImpl::forward(const torch::Tensor& idsIn) const {
    if (idsIn.dim() != 2 || idsIn.size(1) < 1 || idsIn.size(1) > config_.contextLength)
        throw InvalidArgument("CLIP text transformer: ids must be B×L with 1 ≤ L ≤ " +
                              std::to_string(config_.contextLength) + ", got " + shapeOf(idsIn));
    if (at::isFloatingType(idsIn.scalar_type()) || idsIn.scalar_type() == at::kBool)
        throw InvalidArgument("CLIP text transformer: ids must be integers");
    const auto ids = idsIn.to(positional_embedding.device(), at::kLong);
    const std::int64_t batch = ids.size(0), length = ids.size(1), width = config_.width;
    if (batch == 0) return at::zeros({0, embedDim_}, positional_embedding.options());
    const auto lowest = ids.min().item<std::int64_t>(), highest = ids.max().item<std::int64_t>();
    if (lowest < 0 || highest >= config_.vocabSize)
        throw InvalidArgument("CLIP text transformer: token id " +
                              std::to_string(lowest < 0 ? lowest : highest) +
                              " is outside the vocabulary of " + std::to_string(config_.vocabSize));

    auto x = token_embedding->weight.index_select(0, ids.reshape({-1})).reshape({batch, length, width}) +
             positional_embedding.slice(0, 0, length);
    x = transformer->forward(x, causalAttentionMask(length, x.options()));
    x = ln_final->forward(x);
    // OpenAI pools at argmax(ids): the end-of-text token has the largest id of the vocabulary.
    const auto eot = ids.argmax(-1).reshape({batch, 1, 1}).expand({batch, 1, width});
    return at::matmul(x.gather(1, eot).squeeze(1), text_projection);
}

// ---- Both towers ----

ClipModelImpl::ClipModelImpl(const ClipConfig& config) : config_(config) {
    validateClipConfig(config);
    visual = register_module("visual", VisionTransformer(config.vision, config.embedDim));
    text = TextTransformer(config.text, config.embedDim);
    // OpenAI's names have no "text." prefix: adopt the text tower's children and parameters directly.
    for (const auto& child : text->named_children()) register_module(child.key(), child.value());
    for (const auto& parameter : text->named_parameters(/*recurse=*/false))
        register_parameter(parameter.key(), parameter.value());
    logitScale = register_parameter("logit_scale", at::full({}, std::log(1.0 / 0.07)));
}

double ClipModelImpl::logitScaleValue() const {
    return std::exp(logitScale.item<double>());
}

}  // namespace s4::clip
