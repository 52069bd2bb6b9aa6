#pragma once
// Open-vocabulary labelling of one scene, end to end, behind a torch-free header: load CLIP and an
// S4Token tokenizer checkpoint once, encode a scene once (tokenization per the checkpoint → encoder →
// factored point features), then answer any number of prompt queries from the cached features
// (one small product each). The GUI's prompt panel and `--batch label|classify` both use it.

#include "core/common/Progress.h"
#include "core/model/TorchRuntime.h"
#include "core/model/engine/ClipEngine.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace s4 {

class Scene;

/// Where the models are. clipModel: a Hugging Face CLIP folder or an OpenAI TorchScript .pt;
/// mergesFile: the BPE merges for a .pt (empty = look beside it); tokenizerCheckpoint: an S4Token
/// tokenizer checkpoint (docs/CHECKPOINT_FORMAT.md).
struct OpenVocabModelPaths {
    std::filesystem::path clipModel;
    std::filesystem::path mergesFile;
    std::filesystem::path tokenizerCheckpoint;
};

struct OpenVocabQuery {
    std::vector<std::string> classNames;       ///< one prompt subject per class ("chair", "table", ...)
    std::vector<std::string> negativePrompts;  ///< absorb points that then count as unknown
    std::vector<std::string> templates;        ///< "a photo of a {}." ...; empty = the shipped defaults
    float unknownThreshold = 0.0f;             ///< confidence below this → unknown (-1)
};

struct OpenVocabLabels {
    std::vector<std::int32_t> label;  ///< per point: index into classNames, or -1 = unknown
    std::vector<float> confidence;    ///< per point: softmax probability of the winning class
};

class OpenVocabSession {
public:
    /// A paragraph telling a user how to provide the models (formats, where to get them, settings).
    static std::string missingModelHelp();

    /// Loads both models. Throws IoError / InvalidArgument with a user-facing message.
    OpenVocabSession(const OpenVocabModelPaths& paths, const ComputeOptions& compute = {});
    OpenVocabSession(OpenVocabSession&&) noexcept;
    OpenVocabSession& operator=(OpenVocabSession&&) noexcept;
    ~OpenVocabSession();

    /// One line: CLIP model, tokenizer checkpoint (and whether it is untrained), device and precision.
    std::string description() const;
    /// The CLIP model the session loaded (text and image embeddings outside the point path).
    const ClipEngine& clip() const;

    /// Tokenizes the scene with the checkpoint's parameters, encodes it and caches the point features.
    /// Throws Cancelled when cancelled (the previous cache is then dropped). The scene is read during the
    /// call, not copied.
    void encodeScene(const Scene& scene, const Progress& progress = {});
    /// The same for a scene the caller shares.
    void encodeScene(std::shared_ptr<const Scene> scene, const Progress& progress = {});
    bool hasEncodedScene() const;
    std::size_t encodedPointCount() const;

    /// Labels every point of the encoded scene. Throws InvalidArgument without an encoded scene or
    /// without class names.
    OpenVocabLabels segment(const OpenVocabQuery& query, const Progress& progress = {}) const;
    /// Cosine similarity of each point to one prompt (averaged over the templates) for heatmaps.
    std::vector<float> heatmap(const std::string& prompt, const std::vector<std::string>& templates = {}) const;
    /// Zero-shot classification of the encoded scene from its [cls] feature: (class, probability),
    /// most likely first.
    std::vector<std::pair<std::string, float>> classify(const OpenVocabQuery& query) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace s4
