#pragma once
// The S4Token point-cloud encoder (S4TOKEN.md §4): Θ + sin-cos position embedding turn patches into
// CLIP-width tokens, which replace the frozen CLIP ViT's conv patch embedding; the ViT's [cls] row and
// its patch rows, projected into the joint space, are the outputs. Θ's parameters are this module's
// ("pointnet.…", the checkpoint's names); the ViT is held, not registered, and frozen.

#include "core/model/clip/ClipModules.h"
#include "core/model/encoder/PatchEmbedding.h"
#include "core/model/encoder/TokenizerCheckpoint.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <filesystem>

namespace s4::encoder {

struct S4TokenEncoderOutput {
    torch::Tensor cls;      ///< B×E [cls] feature (not normalised)
    torch::Tensor patches;  ///< B×N×E patch features (not normalised)
};

/// Throws InvalidArgument ("tokenizer checkpoint was trained for a CLIP with width 768, this model has
/// 64") when the ViT's width, embed dim, layer or head count differ from the checkpoint's; logs a
/// warning for a different image or patch size (they do not enter the token path).
void checkClipMatchesCheckpoint(const TokenizerClipShape& trained, const clip::VisionConfig& vision,
                                int embedDim);

class S4TokenEncoderImpl : public torch::nn::Module {
public:
    /// Θ from the config (zero weights until loadWeights); `visual`'s parameters get requires_grad false.
    S4TokenEncoderImpl(const TokenizerCheckpointConfig& config, clip::VisionTransformer visual);

    /// Copies Θ's weights, checking every name and shape against this module's parameters and buffers.
    /// Throws InvalidArgument on a mismatch (a missing, extra or mis-shaped tensor).
    void loadWeights(const TokenizerCheckpoint& checkpoint);

    /// Θ(features) + PE(centres): B×N×W tokens as they enter the ViT. Shapes as forward().
    torch::Tensor tokens(const torch::Tensor& features, const torch::Tensor& valid,
                         const torch::Tensor& centres, const torch::Tensor& radius);

    /// features B×N×M×C (C = pointnet input_dim; RPN offsets first), valid B×N×M, centres B×N×3,
    /// radius B values (the per-cloud r) → {cls B×E, patches B×N×E} via VisionTransformer::encodeTokens.
    S4TokenEncoderOutput forward(const torch::Tensor& features, const torch::Tensor& valid,
                                 const torch::Tensor& centres, const torch::Tensor& radius);

    const TokenizerCheckpointConfig& config() const { return config_; }
    const clip::VisionTransformer& visual() const { return visual_; }

    PatchEmbedding pointnet{nullptr};

private:
    TokenizerCheckpointConfig config_;
    clip::VisionTransformer visual_;
};
TORCH_MODULE(S4TokenEncoder);

/// Reads a checkpoint (readTokenizerCheckpoint), checks it against `visual`, builds the encoder and
/// loads Θ. Logs a warning for an untrained checkpoint. Throws IoError / InvalidArgument.
S4TokenEncoder loadS4TokenEncoder(const std::filesystem::path& checkpoint, clip::VisionTransformer visual);

}  // namespace s4::encoder
