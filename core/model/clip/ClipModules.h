#pragma once
// CLIP (Radford et al. 2021) as LibTorch modules: the vision transformer, the text transformer and the
// pair of them. Parameters are registered under OpenAI's state_dict names (visual.conv1.weight,
// transformer.resblocks.0.attn.in_proj_weight, ...), so ClipModel::named_parameters() is exactly an
// OpenAI checkpoint's key set (clipParameterShapes() in ClipConfig.h lists it).
//
// Layout: activations are batch-first (B×L×W); OpenAI's code is sequence-first, which changes nothing
// numerically. Attention is written out with matmuls and softmax (no nn::MultiheadAttention) so the
// value path can be used on its own for dense features.

#include "core/model/clip/ClipConfig.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace s4::clip {

/// x·σ(1.702x) (QuickGELU) or the erf GELU, elementwise.
torch::Tensor applyActivation(const torch::Tensor& x, Activation activation);

/// L×L additive mask: 0 on and below the diagonal, −inf above (a token sees itself and earlier ones).
torch::Tensor causalAttentionMask(std::int64_t length, const torch::TensorOptions& options);

/// y = x·weightᵀ + bias; parameters "weight" [out, in] and "bias" [out].
class LinearLayerImpl : public torch::nn::Module {
public:
    LinearLayerImpl(std::int64_t in, std::int64_t out);
    torch::Tensor forward(const torch::Tensor& x) const;
    torch::Tensor weight, bias;
};
TORCH_MODULE(LinearLayer);

/// LayerNorm over the last dimension; parameters "weight" and "bias".
class LayerNormLayerImpl : public torch::nn::Module {
public:
    LayerNormLayerImpl(std::int64_t width, double eps);
    torch::Tensor forward(const torch::Tensor& x) const;
    torch::Tensor weight, bias;
    double eps;
};
TORCH_MODULE(LayerNormLayer);

/// Multi-head self-attention with PyTorch's packed projection: "in_proj_weight" [3W, W] = [q; k; v],
/// "in_proj_bias" [3W], and "out_proj" (LinearLayer W→W).
class SelfAttentionImpl : public torch::nn::Module {
public:
    SelfAttentionImpl(std::int64_t width, std::int64_t heads);
    /// x B×L×W; mask L×L additive (may be undefined) → B×L×W.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask = {}) const;
    /// out_proj(v(x)) with v the value projection: attention in which every token attends only to
    /// itself. Used by VisionTransformerImpl::denseFeatures.
    torch::Tensor valuePath(const torch::Tensor& x) const;
    std::int64_t heads() const { return heads_; }

    torch::Tensor in_proj_weight, in_proj_bias;
    LinearLayer out_proj{nullptr};

private:
    std::int64_t width_;
    std::int64_t heads_;
};
TORCH_MODULE(SelfAttention);

/// c_fc (W→M), activation, c_proj (M→W).
class MlpImpl : public torch::nn::Module {
public:
    MlpImpl(std::int64_t width, std::int64_t mlpWidth, Activation activation);
    torch::Tensor forward(const torch::Tensor& x) const;
    LinearLayer c_fc{nullptr}, c_proj{nullptr};
    Activation activation;
};
TORCH_MODULE(Mlp);

/// Pre-LayerNorm residual block: x + attn(ln_1(x)), then + mlp(ln_2(·)).
class ResidualAttentionBlockImpl : public torch::nn::Module {
public:
    ResidualAttentionBlockImpl(std::int64_t width, std::int64_t heads, std::int64_t mlpWidth,
                               Activation activation, double eps);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask = {}) const;
    LayerNormLayer ln_1{nullptr}, ln_2{nullptr};
    SelfAttention attn{nullptr};
    Mlp mlp{nullptr};
};
TORCH_MODULE(ResidualAttentionBlock);

/// A stack of residual blocks registered as "resblocks.0", "resblocks.1", ...
class TransformerImpl : public torch::nn::Module {
public:
    TransformerImpl(std::int64_t width, std::int64_t layers, std::int64_t heads, std::int64_t mlpWidth,
                    Activation activation, double eps);
    /// All blocks in order.
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& mask = {}) const;
    /// The first `count` blocks only.
    torch::Tensor forwardFirst(torch::Tensor x, std::size_t count, const torch::Tensor& mask = {}) const;
    const std::vector<ResidualAttentionBlock>& blocks() const { return blocks_; }

private:
    std::vector<ResidualAttentionBlock> blocks_;
};
TORCH_MODULE(Transformer);

/// The patch embedding: a bias-free p×p convolution of stride p; parameter "weight" [W, 3, p, p].
class PatchConvolutionImpl : public torch::nn::Module {
public:
    PatchConvolutionImpl(std::int64_t width, std::int64_t patchSize);
    /// images B×3×S×S → B×(S/p)²×W, patches in row-major grid order.
    torch::Tensor forward(const torch::Tensor& images) const;
    torch::Tensor weight;
    std::int64_t patchSize;
};
TORCH_MODULE(PatchConvolution);

/// CLIP's image tower. Parameters: conv1, class_embedding, positional_embedding, ln_pre,
/// transformer.resblocks.*, ln_post, proj. Freshly built parameters are random (OpenAI's init
/// scales) so benchmarks can run without weights; loaders overwrite them.
class VisionTransformerImpl : public torch::nn::Module {
public:
    VisionTransformerImpl(const VisionConfig& config, int embedDim);

    /// images B×3×S×S, already CLIP-normalised → B×E projected [cls] feature (not L2-normalised).
    torch::Tensor forward(const torch::Tensor& images) const;

    /// images → B×P×E per-patch features for dense prediction, P = (S/p)² in row-major grid order, not
    /// normalised. [project choice] A value-path variant: MaskCLIP's idea (Zhou et al. 2022, "Extract Free
    /// Dense Labels from CLIP") of replacing the last block's q·k attention by each token attending only
    /// to itself, combined with ClearCLIP's dropping of that block's MLP (Lan et al. 2024); unlike
    /// ClearCLIP the attention residual is kept. Blocks 0..n−2 run as usual; patch rows become
    /// y = x + out_proj(v(ln_1(x))); then ln_post and proj are applied to every patch row. (MaskCLIP
    /// itself keeps the MLP; this is neither paper's exact variant.)
    /// Why: the last block's global attention mixes every patch towards the [cls] summary, so its
    /// output rows lose locality, while the value path keeps each row tied to its own patch and still
    /// lands in the joint embedding space through ln_post and proj.
    torch::Tensor denseFeatures(const torch::Tensor& images) const;

    /// S4Token entry (S4TOKEN.md §4): `tokens` B×N×W replace the conv patch embedding and already carry
    /// their own position embedding. Prepends class_embedding + positional_embedding[0], then ln_pre,
    /// the residual blocks, ln_post and proj on EVERY row → B×(1+N)×E (row 0 = [cls]).
    torch::Tensor encodeTokens(const torch::Tensor& tokens) const;

    /// The image's own patch tokens: conv1 output + positional_embedding[1:] → B×P×W. For these,
    /// encodeTokens(patchTokens(images))[:, 0] equals forward(images).
    torch::Tensor patchTokens(const torch::Tensor& images) const;

    const VisionConfig& config() const { return config_; }
    int embedDim() const { return embedDim_; }

    PatchConvolution conv1{nullptr};
    torch::Tensor class_embedding, positional_embedding, proj;
    LayerNormLayer ln_pre{nullptr}, ln_post{nullptr};
    Transformer transformer{nullptr};

private:
    // [cls] row + tokens, ln_pre: the transformer input.
    torch::Tensor withClassToken(const torch::Tensor& tokens) const;
    void checkImages(const torch::Tensor& images) const;

    VisionConfig config_;
    int embedDim_;
};
TORCH_MODULE(VisionTransformer);

/// A lookup table; parameter "weight" [count, width].
class EmbeddingTableImpl : public torch::nn::Module {
public:
    EmbeddingTableImpl(std::int64_t count, std::int64_t width);
    torch::Tensor weight;
};
TORCH_MODULE(EmbeddingTable);

/// CLIP's text tower. Parameters: token_embedding.weight, positional_embedding,
/// transformer.resblocks.*, ln_final, text_projection.
class TextTransformerImpl : public torch::nn::Module {
public:
    TextTransformerImpl(const TextConfig& config, int embedDim);
    /// ids B×L int64 (L ≤ contextLength, ids < vocabSize) → B×E: the causal transformer's output at
    /// the EOT token — the position of the largest id of each row, as OpenAI does — after ln_final,
    /// times text_projection. Not normalised. Throws InvalidArgument for ids out of range.
    torch::Tensor forward(const torch::Tensor& ids) const;

    const TextConfig& config() const { return config_; }
    int embedDim() const { return embedDim_; }

    torch::Tensor positional_embedding, text_projection;
    EmbeddingTable token_embedding{nullptr};
    Transformer transformer{nullptr};
    LayerNormLayer ln_final{nullptr};

private:
    TextConfig config_;
    int embedDim_;
};
TORCH_MODULE(TextTransformer);

/// Both towers and the temperature. The text tower's parameters are registered on this module under
/// their OpenAI names (token_embedding.weight, transformer.*, ...), not under a "text." prefix, so the
/// parameter names match OpenAI's checkpoints; `text` shares those same tensors.
class ClipModelImpl : public torch::nn::Module {
public:
    explicit ClipModelImpl(const ClipConfig& config);
    torch::Tensor encodeImage(const torch::Tensor& images) const { return visual->forward(images); }
    torch::Tensor encodeText(const torch::Tensor& ids) const { return text->forward(ids); }
    /// exp(logit_scale): the factor on cosine similarities.
    double logitScaleValue() const;
    const ClipConfig& config() const { return config_; }

    VisionTransformer visual{nullptr};
    TextTransformer text{nullptr};
    torch::Tensor logitScale;  ///< "logit_scale", log-space as stored

private:
    ClipConfig config_;
};
TORCH_MODULE(ClipModel);

}  // namespace s4::clip
