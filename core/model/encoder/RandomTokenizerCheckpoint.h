#pragma once
// An untrained S4Token tokenizer checkpoint with random Θ weights, for tests and for users who want to
// try the pipeline before a trained tokenizer exists. Its tokenizer.json says "training":
// {"untrained": true}, and loading it logs a warning: its features carry no learned meaning.

#include "core/model/clip/ClipConfig.h"
#include "core/model/encoder/TokenizerCheckpoint.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace s4 {

/// Random Θ tensors for an architecture, in tokenizerTensorSpecs() order: linear weights and biases
/// uniform in ±1/√fan_in (PyTorch's nn.Linear default), norm weights 1, biases 0, running mean 0,
/// running variance 1. Deterministic for a seed (std::mt19937_64, the same on every platform).
std::vector<TokenizerTensor> randomTokenizerTensors(const PointNetConfig& pointnet, std::uint64_t seed);

/// The config of an untrained checkpoint for a CLIP: its shape, Θ = `pointnet` (default: Point-BERT's
/// 128-256 / 512 widths with LayerNorm) with output = the vision width, ⌊W/6⌋ position bands scaled by
/// the radius, the given tokenization, default propagation. Throws InvalidArgument for a vision width
/// below 6.
TokenizerCheckpointConfig untrainedTokenizerConfig(
    const clip::ClipConfig& clip, const TokenizationParams& params, std::uint64_t seed,
    const std::optional<PointNetConfig>& pointnet = std::nullopt);

/// Writes untrainedTokenizerConfig + randomTokenizerTensors to `folder` (writeTokenizerCheckpoint).
void writeRandomTokenizerCheckpoint(const std::filesystem::path& folder, const clip::ClipConfig& clip,
                                    const TokenizationParams& params, std::uint64_t seed,
                                    const std::optional<PointNetConfig>& pointnet = std::nullopt);

}  // namespace s4
