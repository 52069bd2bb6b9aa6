#include "core/model/engine/OpenVocabSession.h"

#include "core/common/Error.h"
#include "core/model/engine/ClipEngine.h"
#include "core/model/engine/PointCloudEncoder.h"
#include "core/openvocab/ClassEmbeddings.h"
#include "core/openvocab/OpenVocabSegmentation.h"
#include "core/openvocab/PromptTemplates.h"
#include "core/pipeline/TokenizationPipeline.h"
#include "core/scene/Scene.h"

#include <optional>

namespace s4 {

struct OpenVocabSession::Impl {
    ClipEngine clip;
    PointCloudEncoder encoder;
    TextEmbeddingCache textCache;
    std::optional<PointFeatureField> field;
    std::string description;

    Impl(ClipEngine c, PointCloudEncoder e)
        : clip(std::move(c)), encoder(std::move(e)),
          textCache([this](const std::vector<std::string>& prompts) { return clip.embedText(prompts, false); }) {}

    ClassEmbeddings classRows(const OpenVocabQuery& query) {
        const auto templates = query.templates.empty() ? defaultPromptTemplates() : query.templates;
        return buildClassEmbeddings(query.classNames, query.negativePrompts, templates, textCache);
    }
    const PointFeatureField& encoded() const {
        if (!field) throw InvalidArgument("no scene has been encoded yet");
        return *field;
    }
};

std::string OpenVocabSession::missingModelHelp() {
    return "Open-vocabulary labelling needs two models, both given as files on this computer (S4Studio never "
           "downloads anything):\n"
           "  1. A CLIP ViT model: a Hugging Face CLIP folder (config.json, model.safetensors, vocab.json, "
           "merges.txt; e.g. openai/clip-vit-base-patch16 saved with save_pretrained) — recommended — or an "
           "OpenAI TorchScript checkpoint such as ViT-B-16.pt together with its BPE merges file "
           "bpe_simple_vocab_16e6.txt.gz.\n"
           "  2. An S4Token tokenizer checkpoint (a folder with tokenizer.json and tokenizer.safetensors) "
           "trained for that CLIP model by the pretraining job (s4train; this build does not contain it yet). "
           "`s4studio --batch init-tokenizer --model CLIP --out DIR` writes an untrained one that runs the whole "
           "path but gives meaningless labels.\n"
           "Set both in the studio under Edit → CLIP Model Settings, or pass --model and --tokenizer to "
           "`s4studio --batch label`.";
}

OpenVocabSession::OpenVocabSession(const OpenVocabModelPaths& paths, const ComputeOptions& compute) {
    if (paths.clipModel.empty()) throw InvalidArgument("no CLIP model given.\n" + missingModelHelp());
    if (paths.tokenizerCheckpoint.empty())
        throw InvalidArgument("no S4Token tokenizer checkpoint given.\n" + missingModelHelp());
    ClipEngine clip = ClipEngine::load(paths.clipModel, ClipEngineOptions{compute, paths.mergesFile});
    if (!clip.hasTokenizer())
        throw InvalidArgument(paths.clipModel.string() + ": no BPE vocabulary found for this model; give the merges "
                                                         "file (bpe_simple_vocab_16e6.txt.gz)");
    PointCloudEncoder encoder = PointCloudEncoder::load(paths.tokenizerCheckpoint, clip);
    impl_ = std::make_unique<Impl>(std::move(clip), std::move(encoder));
    impl_->description = impl_->clip.description() + "; tokenizer " + paths.tokenizerCheckpoint.string() +
                         (impl_->encoder.checkpoint().untrained() ? " (UNTRAINED: labels are not meaningful)" : "");
}

OpenVocabSession::OpenVocabSession(OpenVocabSession&&) noexcept = default;
OpenVocabSession& OpenVocabSession::operator=(OpenVocabSession&&) noexcept = default;
OpenVocabSession::~OpenVocabSession() = default;

std::string OpenVocabSession::description() const { return impl_->description; }

const ClipEngine& OpenVocabSession::clip() const { return impl_->clip; }

void OpenVocabSession::encodeScene(const Scene& scene, const Progress& progress) {
    // The pipeline below lives only for this call and its results do not hold the scene, so it can read
    // the caller's scene through a non-owning pointer instead of a copy.
    encodeScene(std::shared_ptr<const Scene>(std::shared_ptr<const Scene>{}, &scene), progress);
}

void OpenVocabSession::encodeScene(std::shared_ptr<const Scene> scene, const Progress& progress) {
    impl_->field.reset();
    if (!scene || scene->pointCount() == 0) throw InvalidArgument("the scene has no points to encode");
    // The checkpoint fixes the tokenization it was trained with (S4TOKEN.md §1–3).
    TokenizationPipeline pipeline;
    pipeline.setScene(scene);
    const TokenizationResult tokens =
        pipeline.run(impl_->encoder.checkpoint().tokenization, progress.sub(0.0, 0.6), true);
    if (!tokens.superpoints || !tokens.patches) throw InvalidArgument("the tokenization produced no patches");
    impl_->field = impl_->encoder.encode(scene->positions, tokens.superpoints->labels, *tokens.patches,
                                         progress.sub(0.6, 1.0));
}

bool OpenVocabSession::hasEncodedScene() const { return impl_->field.has_value(); }

std::size_t OpenVocabSession::encodedPointCount() const { return impl_->field ? impl_->field->pointCount() : 0; }

OpenVocabLabels OpenVocabSession::segment(const OpenVocabQuery& query, const Progress& progress) const {
    const PointFeatureField& field = impl_->encoded();
    if (query.classNames.empty()) throw InvalidArgument("no class names to segment with");
    const ClassEmbeddings rows = impl_->classRows(query);
    OpenVocabParams params;
    params.logitScale = impl_->clip.logitScale();
    params.confidenceThreshold = query.unknownThreshold;
    OpenVocabResult result = segmentPoints(field, rows, params, progress);
    return {std::move(result.label), std::move(result.confidence)};
}

std::vector<float> OpenVocabSession::heatmap(const std::string& prompt, const std::vector<std::string>& templates) const {
    const PointFeatureField& field = impl_->encoded();
    const auto& t = templates.empty() ? defaultPromptTemplates() : templates;
    return promptHeatmap(field, embedClassName(prompt, t, impl_->textCache));
}

std::vector<std::pair<std::string, float>> OpenVocabSession::classify(const OpenVocabQuery& query) const {
    const PointFeatureField& field = impl_->encoded();
    if (field.cls.empty()) throw InvalidArgument("the encoder produced no [cls] feature for this scene");
    const auto scores = zeroShotClassify(field.cls, impl_->classRows(query), impl_->clip.logitScale());
    std::vector<std::pair<std::string, float>> out;
    for (const auto& s : scores)
        if (!s.negative) out.emplace_back(s.name, s.probability);
    return out;
}

} // namespace s4
