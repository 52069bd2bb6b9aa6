#pragma once
// A loaded CLIP model behind a torch-free header: text and image embeddings for the app, the GUI and
// the open-vocabulary pipeline. Loading accepts a Hugging Face CLIP folder, an OpenAI TorchScript .pt or
// an OpenAI-named .safetensors file (see core/model/clip/ClipWeightLoader.h). Torch code that needs the
// modules themselves (the S4Token encoder) reaches them through core/model/clip/ClipEngineAccess.h.

#include "core/model/TorchRuntime.h"
#include "core/model/clip/ClipConfig.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace s4 {

namespace clip {
struct ClipEngineAccess;
}

/// Where and in which precision CLIP runs (ComputeOptions: the precision is that of the CLIP weights and
/// activations; results are always returned as float32), plus where its tokenizer is.
struct ClipEngineOptions : ComputeOptions {
    /// BPE merges (bpe_simple_vocab_16e6.txt[.gz]) or a vocab.json + merges.txt folder; empty = the
    /// tokenizer beside the weights.
    std::filesystem::path mergesPath;
};

class ClipEngine {
public:
    /// Loads the model. Throws IoError (files) or InvalidArgument (an unavailable device, fp16 on the CPU).
    static ClipEngine load(const std::filesystem::path& path, const ClipEngineOptions& options = {});

    ClipEngine(ClipEngine&&) noexcept;
    ClipEngine& operator=(ClipEngine&&) noexcept;
    ~ClipEngine();

    const clip::ClipConfig& config() const;
    /// One line: architecture, source file and format, parameter count, tokenizer, device, precision.
    std::string description() const;
    /// The resolved precision (never Auto).
    ComputePrecision precision() const;
    bool hasTokenizer() const;

    /// One row of contextLength ids per text: [SOT] tokens [EOT] 0…; longer texts are cut to the
    /// context with EOT last. Throws InvalidArgument when the model has no tokenizer.
    std::vector<std::vector<std::int32_t>> tokenize(const std::vector<std::string>& texts) const;
    /// One embedDim vector per text (L2-normalised when `normalize`). Throws as tokenize().
    std::vector<std::vector<float>> embedText(const std::vector<std::string>& texts, bool normalize) const;
    /// One embedDim vector per image. Each image is 3×S×S floats (channel-major) at the model's
    /// imageSize, already CLIP-normalised (core/model/image). Throws InvalidArgument for a wrong size.
    std::vector<std::vector<float>> embedImages(const std::vector<std::vector<float>>& chwImagesAtModelSize,
                                                bool normalize) const;
    /// Per-patch features of one image (VisionTransformerImpl::denseFeatures, MaskCLIP's value path):
    /// grid² rows of embedDim floats, row-major over the patch grid (grid = imageSize / patchSize).
    std::vector<float> denseImageFeatures(const std::vector<float>& chwImageAtModelSize,
                                          bool normalize) const;
    /// Patches per image side.
    int patchGridSize() const;
    /// exp(logit_scale): the factor CLIP puts on cosine similarities before a softmax.
    float logitScale() const;

private:
    friend struct clip::ClipEngineAccess;
    struct Impl;
    explicit ClipEngine(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace s4
