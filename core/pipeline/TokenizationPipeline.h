#pragma once
// The tokenization pipeline with a stage cache: scene → superpoints → anchors → patches. Each stage
// result is kept together with the parameters it was computed from; a run recomputes only the stages
// whose own parameters or inputs changed (moving γ reruns sampling and grouping, not superpoints).
// The GUI worker and `--batch tokenize` both call run(); one pipeline serves one thread at a time.

#include "core/common/Progress.h"
#include "core/geometry/FarthestPointSampling.h"
#include "core/scene/Scene.h"
#include "core/superpoint/SuperpointPartition.h"
#include "core/tokenize/PatchGrouping.h"
#include "core/tokenize/WeightedFarthestPointSampler.h"

#include <memory>
#include <string>

namespace s4 {

/// The tokenizers compared in the paper's Tab. 1. kNN and ball sample centres by plain FPS; S4Token
/// samples by WFPS over superpoints and groups by superpoint-constrained balls.
enum class TokenizerKind { Knn, Ball, S4Token };

const char* tokenizerName(TokenizerKind kind);          ///< "knn", "ball", "s4token"
TokenizerKind parseTokenizerName(const std::string& name); ///< throws s4::InvalidArgument

struct TokenizationParams {
    TokenizerKind tokenizer = TokenizerKind::S4Token;
    SuperpointParams superpoints;
    WfpsParams sampling;           ///< count = N, γ, convention, seed (γ ignored for kNN/ball)
    PatchGroupingParams grouping;  ///< M, α, RPN, seed (mode follows the tokenizer)
};

/// Milliseconds spent by each stage in the last run (0 for a stage served from the cache).
struct StageTimings {
    double superpointsMs = 0.0;
    double samplingMs = 0.0;
    double groupingMs = 0.0;
};

struct TokenizationResult {
    std::shared_ptr<const SuperpointPartition> superpoints;  ///< null for kNN/ball unless requested
    std::shared_ptr<const SampleSequence> anchors;
    std::shared_ptr<const Patches> patches;
    StageTimings timings;
    bool superpointsRecomputed = false;
    bool samplingRecomputed = false;
    bool groupingRecomputed = false;
};

class TokenizationPipeline {
public:
    /// Sets the scene; every cached stage is dropped.
    void setScene(std::shared_ptr<const Scene> scene);

    /// What replaceSceneKeepingStages() could keep of the cache.
    enum class StageReuse {
        All,                ///< same positions and superpoint inputs: every cached stage is kept
        AllButSuperpoints,  ///< same positions, other rgb / normal / superpoint attribute: superpoints dropped
        None,               ///< other positions (or no scene before): like setScene()
    };
    /// Swaps in an edited copy of the current scene (e.g. with prompt "label" and "confidence" attributes
    /// added) without throwing away the cache. The stages depend only on the positions and on the
    /// attributes the superpoint stage reads ("rgb", "normal", and the dataset's "superpoint"): with equal
    /// point count and positions, sampling and grouping are kept, and superpoints too unless one of those
    /// attributes differs (presence, type or values); other positions behave like setScene(). Compares
    /// the positions point by point (linear in the point count).
    StageReuse replaceSceneKeepingStages(std::shared_ptr<const Scene> scene);
    const std::shared_ptr<const Scene>& scene() const { return scene_; }

    /// Superpoints only (cached). Throws s4::InvalidArgument without a scene.
    std::shared_ptr<const SuperpointPartition> superpoints(const SuperpointParams& params,
                                                           const Progress& progress = {});
    /// The whole tokenization; withSuperpoints also computes superpoints for kNN/ball (for display).
    TokenizationResult run(const TokenizationParams& params, const Progress& progress = {},
                           bool withSuperpoints = false);

private:
    std::shared_ptr<const Scene> scene_;

    std::shared_ptr<const SuperpointPartition> superpoints_;
    SuperpointParams superpointParams_;

    std::shared_ptr<const SampleSequence> anchors_;
    WfpsParams samplingParams_;
    bool samplingUsedSuperpoints_ = false;
    // Inputs are held (not just compared by address) so a freed result's address can never alias a new one.
    std::shared_ptr<const SuperpointPartition> samplingInput_;

    std::shared_ptr<const Patches> patches_;
    PatchGroupingParams groupingParams_;
    std::shared_ptr<const SampleSequence> groupingInput_;
    std::shared_ptr<const SuperpointPartition> groupingSuperpoints_;
};

} // namespace s4
