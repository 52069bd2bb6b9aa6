#include "core/pipeline/TokenizationPipeline.h"

#include "core/common/Error.h"
#include "core/common/Log.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace s4 {
namespace {

double msSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

const std::vector<std::int32_t> kNoLabels;

// Same presence, layout and bytes; absent in both counts as equal.
bool sameAttribute(const Scene& a, const Scene& b, const char* name) {
    const AttributeArray* x = a.find(name);
    const AttributeArray* y = b.find(name);
    if (!x || !y) return x == y;
    return x->type() == y->type() && x->components() == y->components() && x->size() == y->size() &&
           x->byteSize() == y->byteSize() &&
           (x->byteSize() == 0 || std::memcmp(x->rawData(), y->rawData(), x->byteSize()) == 0);
}

} // namespace

const char* tokenizerName(TokenizerKind kind) {
    switch (kind) {
    case TokenizerKind::Knn: return "knn";
    case TokenizerKind::Ball: return "ball";
    case TokenizerKind::S4Token: return "s4token";
    }
    return "?";
}

TokenizerKind parseTokenizerName(const std::string& name) {
    for (auto k : {TokenizerKind::Knn, TokenizerKind::Ball, TokenizerKind::S4Token})
        if (name == tokenizerName(k)) return k;
    throw InvalidArgument("unknown tokenizer '" + name + "' (use knn, ball or s4token)");
}

void TokenizationPipeline::setScene(std::shared_ptr<const Scene> scene) {
    scene_ = std::move(scene);
    superpoints_.reset();
    anchors_.reset();
    patches_.reset();
    samplingInput_.reset();
    groupingInput_.reset();
    groupingSuperpoints_.reset();
}

TokenizationPipeline::StageReuse TokenizationPipeline::replaceSceneKeepingStages(
    std::shared_ptr<const Scene> scene) {
    if (!scene_ || !scene || scene->pointCount() != scene_->pointCount() ||
        !std::equal(scene->positions.begin(), scene->positions.end(), scene_->positions.begin())) {
        setScene(std::move(scene));
        return StageReuse::None;
    }
    // runSuperpointPartition reads these attributes besides the positions (colour features, dataset
    // superpoints); normals are compared too so a future use of given normals cannot go stale.
    const bool superpointInputsEqual = sameAttribute(*scene, *scene_, attr::kColor) &&
                                       sameAttribute(*scene, *scene_, attr::kNormal) &&
                                       sameAttribute(*scene, *scene_, attr::kSuperpoint);
    scene_ = std::move(scene);
    if (superpointInputsEqual) return StageReuse::All;
    // Sampling and grouping hold the old partition as their input: the next run sees a new partition and
    // recomputes whatever depended on it (S4Token), while kNN/ball anchors stay valid.
    superpoints_.reset();
    return StageReuse::AllButSuperpoints;
}

std::shared_ptr<const SuperpointPartition> TokenizationPipeline::superpoints(const SuperpointParams& params,
                                                                             const Progress& progress) {
    if (!scene_) throw InvalidArgument("no scene is loaded");
    if (!superpoints_ || !(params == superpointParams_)) {
        superpoints_ = std::make_shared<const SuperpointPartition>(runSuperpointPartition(*scene_, params, progress));
        superpointParams_ = params;
    }
    return superpoints_;
}

TokenizationResult TokenizationPipeline::run(const TokenizationParams& params, const Progress& progress,
                                             bool withSuperpoints) {
    if (!scene_) throw InvalidArgument("no scene is loaded");
    if (scene_->pointCount() == 0) throw InvalidArgument("the cloud has no points to tokenize");
    TokenizationResult result;
    const bool s4token = params.tokenizer == TokenizerKind::S4Token;

    // Stage 1: superpoints (S4Token needs them; the others only for display).
    std::shared_ptr<const SuperpointPartition> sp;
    if (s4token || withSuperpoints) {
        const auto start = std::chrono::steady_clock::now();
        const auto before = superpoints_;
        result.superpoints = superpoints(params.superpoints, progress.sub(0.0, 0.6));
        result.superpointsRecomputed = result.superpoints != before;
        if (result.superpointsRecomputed) result.timings.superpointsMs = msSince(start);
        sp = result.superpoints;
    }
    progress.check();

    // Stage 2: anchors. kNN/ball use plain FPS: WFPS without superpoints and with γ = 0.
    WfpsParams sampling = params.sampling;
    if (!s4token) sampling.gamma = 0.0;
    const auto samplingInput = s4token ? sp : nullptr;
    if (!anchors_ || !(sampling == samplingParams_) || samplingUsedSuperpoints_ != s4token ||
        samplingInput_ != samplingInput) {
        const auto start = std::chrono::steady_clock::now();
        anchors_ = std::make_shared<const SampleSequence>(runWeightedFarthestPointSampling(
            scene_->positions, samplingInput ? samplingInput->labels : kNoLabels, sampling, progress.sub(0.6, 0.85)));
        samplingParams_ = sampling;
        samplingUsedSuperpoints_ = s4token;
        samplingInput_ = samplingInput;
        result.samplingRecomputed = true;
        result.timings.samplingMs = msSince(start);
        patches_.reset();
        if (anchors_->indices.size() < std::size_t(sampling.count))
            logger("pipeline")->warn(
                "{} anchors instead of the {} asked for: only that many points can be centres{}", anchors_->indices.size(),
                sampling.count,
                s4token ? " (points of superpoints with at least the minimum candidate size)" : " (distinct points)");
    }
    result.anchors = anchors_;
    progress.check();

    // Stage 3: patches.
    PatchGroupingParams grouping = params.grouping;
    grouping.mode = params.tokenizer == TokenizerKind::Knn    ? GroupingMode::Knn
                    : params.tokenizer == TokenizerKind::Ball ? GroupingMode::Ball
                                                              : GroupingMode::SuperpointBall;
    const auto groupingSuperpoints = s4token ? sp : nullptr;
    if (!patches_ || !(grouping == groupingParams_) || groupingInput_ != anchors_ ||
        groupingSuperpoints_ != groupingSuperpoints) {
        const auto start = std::chrono::steady_clock::now();
        patches_ = std::make_shared<const Patches>(
            runPatchGrouping(scene_->positions, groupingSuperpoints ? groupingSuperpoints->labels : kNoLabels,
                             anchors_->indices, grouping, progress.sub(0.85, 1.0)));
        groupingParams_ = grouping;
        groupingInput_ = anchors_;
        groupingSuperpoints_ = groupingSuperpoints;
        result.groupingRecomputed = true;
        result.timings.groupingMs = msSince(start);
    }
    result.patches = patches_;
    progress.report(1.0);
    return result;
}

} // namespace s4
