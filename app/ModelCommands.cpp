// The CLIP commands of --batch: tokenize-text, embed-text, embed-image, label, classify and
// init-tokenizer. Argument parsing and JSON around core/model/engine; no model code here.
#include "app/BatchSupport.h"
#include "core/common/AtomicFile.h"

#include "core/common/Error.h"
#include "core/io/SceneReader.h"
#include "core/io/SceneWriter.h"
#include "core/model/TorchRuntime.h"
#include "core/model/clip/ClipModelFiles.h"
#include "core/model/engine/ClipEngine.h"
#include "core/model/engine/OpenVocabSession.h"
#include "core/model/encoder/RandomTokenizerCheckpoint.h"
#include "core/model/image/ClipImagePreprocess.h"
#include "core/model/text/ClipTokenizer.h"
#include "core/openvocab/PromptLabels.h"
#include "core/openvocab/PromptTemplates.h"
#include "core/scene/ClassSet.h"
#include "core/tokenize/PatchGrouping.h"

#include <CLI/CLI.hpp>
#include <QImage>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <climits>
#include <filesystem>
#include <iostream>
#include <map>

namespace s4::app {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct ModelOptions {
    std::string model;
    std::string merges;
    std::string device = "cpu";
    std::string precision = "auto";
    int threads = 0;

    ComputeOptions compute() const {
        ComputeOptions c;
        c.device = parseComputeDevice(device);
        c.precision = parseComputePrecision(precision);
        c.threads = threads;
        return c;  // ClipEngine::load refuses an unusable device or precision before it reads anything
    }
};

// What each command needs: the model's files (all), its tokenizer (text), where it runs (inference).
enum class ModelUse { FilesOnly, Tokenizer, Inference };

void addModelOptions(CLI::App& cli, ModelOptions& o, ModelUse use = ModelUse::Inference) {
    cli.add_option("--model", o.model, "CLIP model: a Hugging Face folder (config.json, model.safetensors, "
                                       "vocab.json, merges.txt) or an OpenAI TorchScript .pt")
        ->required();
    if (use == ModelUse::FilesOnly) return;
    cli.add_option("--merges", o.merges, "BPE merges for a .pt model (default: the file beside it)");
    if (use == ModelUse::Tokenizer) return;
    cli.add_option("--device", o.device, "cpu or cuda")->default_val(o.device)->check(CLI::IsMember({"cpu", "cuda"}));
    cli.add_option("--precision", o.precision,
                   "CLIP number format: auto (fp16 on cuda, fp32 on cpu), fp32, fp16 (cuda only) or bf16")
        ->default_val(o.precision)
        ->check(CLI::IsMember({"auto", "fp32", "fp16", "bf16"}));
    cli.add_option("--threads", o.threads, "CPU threads for LibTorch (0 = all cores)")
        ->default_val(o.threads)
        ->check(wholeIn(0, 1024));
}

ClipEngine loadEngine(const ModelOptions& o) {
    return ClipEngine::load(o.model, ClipEngineOptions{o.compute(), o.merges});
}

/// The model's tokenizer alone, found as the engine finds it (clip::findClipTokenizer), without
/// reading any weights.
ClipTokenizer loadTokenizerOnly(const ModelOptions& o) {
    if (auto tokenizer = clip::findClipTokenizer(o.model, o.merges)) return std::move(*tokenizer);
    throw InvalidArgument(o.model + ": no BPE vocabulary beside this model; pass --merges (OpenAI's "
                                    "bpe_simple_vocab_16e6.txt.gz, or a folder with vocab.json + merges.txt)");
}

json embeddingsJson(const std::vector<std::vector<float>>& rows) {
    return {{"dim", rows.empty() ? 0 : rows.front().size()}, {"embeddings", rows}};
}

int tokenizeTextCommand(const std::vector<std::string>& args) {
    CLI::App cli("CLIP BPE token ids (context 77, start and end tokens, zero padded)", "s4studio --batch tokenize-text");
    ModelOptions model;
    std::vector<std::string> texts;
    addModelOptions(cli, model, ModelUse::Tokenizer);
    cli.add_option("--text", texts, "Text to tokenize (repeat for several)")->required();
    if (int rc = parseCommandArgs(cli, args); rc >= 0) return rc;
    return runReporting([&] {
        const ClipTokenizer tokenizer = loadTokenizerOnly(model);
        printJson(json{{"ids", tokenizer.tokenize(texts)}});
    });
}

int embedTextCommand(const std::vector<std::string>& args) {
    CLI::App cli("CLIP text embeddings (projected into the joint space)", "s4studio --batch embed-text");
    ModelOptions model;
    std::vector<std::string> texts;
    bool normalize = false;
    addModelOptions(cli, model);
    cli.add_option("--text", texts, "Text to embed (repeat for several)")->required();
    cli.add_flag("--normalize", normalize, "L2-normalise each embedding");
    if (int rc = parseCommandArgs(cli, args); rc >= 0) return rc;
    return runReporting([&] {
        const ClipEngine engine = loadEngine(model);
        printJson(embeddingsJson(engine.embedText(texts, normalize)));
    });
}

/// An image file as CLIP input at the model's size (Qt's image readers: PNG, JPEG, BMP, PPM, ...).
std::vector<float> readClipImage(const std::string& file, int size) {
    QImage image;
    if (!image.load(QString::fromStdString(file))) {
        if (!fs::exists(file)) throw IoError(file, "no such file");
        throw IoError(file, "not an image this build can read (PNG, JPEG, BMP, PPM, GIF)");
    }
    image = image.convertToFormat(QImage::Format_RGB888);
    std::vector<std::uint8_t> pixels(std::size_t(image.width()) * std::size_t(image.height()) * 3);
    for (int y = 0; y < image.height(); ++y)
        std::copy_n(image.constScanLine(y), std::size_t(image.width()) * 3,
                    pixels.data() + std::size_t(y) * std::size_t(image.width()) * 3);
    ClipImageParams params;
    params.size = size;
    return preprocessClipImage(pixels, image.width(), image.height(), 3, params);
}

int embedImageCommand(const std::vector<std::string>& args) {
    CLI::App cli("CLIP image embeddings (CLIP preprocessing: bicubic resize, centre crop, normalise)",
                 "s4studio --batch embed-image");
    ModelOptions model;
    std::vector<std::string> images;
    bool normalize = false;
    addModelOptions(cli, model);
    cli.add_option("images", images, "Image files")->required();
    cli.add_flag("--normalize", normalize, "L2-normalise each embedding");
    if (int rc = parseCommandArgs(cli, args); rc >= 0) return rc;
    return runReporting([&] {
        const ClipEngine engine = loadEngine(model);
        std::vector<std::vector<float>> inputs;
        for (const auto& file : images) inputs.push_back(readClipImage(file, engine.config().vision.imageSize));
        printJson(embeddingsJson(engine.embedImages(inputs, normalize)));
    });
}

struct VocabularyOptions {
    std::string classes = "scannet20";
    std::vector<std::string> templates;
    std::vector<std::string> negatives;
    float threshold = 0.0f;
    std::string tokenizer;
};

// A --prompt-template value with "{}" is a template and must pass the rules template files follow;
// anything else names a template set or file, read later.
CLI::Validator literalTemplateCheck() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            if (value.find('{') == std::string::npos && value.find('}') == std::string::npos) return {};
            return promptTemplateProblem(value);
        },
        "TEMPLATE");
}

// perPoint: the options of per-point labelling (negative prompts, the unknown threshold), which a
// whole-cloud ranking (classify) has no use for.
void addVocabularyOptions(CLI::App& cli, VocabularyOptions& v, const std::string& defaultClasses, bool perPoint) {
    v.classes = defaultClasses;
    cli.add_option("--tokenizer", v.tokenizer, "S4Token tokenizer checkpoint folder (docs/CHECKPOINT_FORMAT.md)")
        ->required();
    cli.add_option("--classes", v.classes,
                   "Class set: scannet20, s3dis13, modelnet40, shapenetpart, semantickitti, nyu40, or a "
                   ".json / one-class-per-line file")
        ->default_val(defaultClasses);
    cli.add_option("--prompt-template", v.templates,
                   "A template with {} (repeat for several), or a template set (default, indoor, objects) or "
                   "file; default: the shipped default set")
        ->check(literalTemplateCheck());
    if (!perPoint) return;
    cli.add_option("--negative", v.negatives, "Negative prompt: points it wins become unknown (repeatable)");
    cli.add_option("--threshold", v.threshold, "Confidence below this → unknown, in [0, 1]")
        ->default_val(v.threshold)
        ->check(finiteIn(0.0, 1.0));
}

/// Templates given on the command line: literal templates (with {}) and/or set names or files, each
/// template once in the order first given.
std::vector<std::string> resolveTemplates(const std::vector<std::string>& given) {
    std::vector<std::string> out;
    const auto add = [&out](const std::string& t) {
        if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    };
    for (const auto& t : given) {
        if (t.find("{}") != std::string::npos) {
            add(t);
        } else {
            for (const std::string& fromSet : resolvePromptTemplates(t)) add(fromSet);
        }
    }
    return out;
}

// One prompt per class of the set but its ignore class ("unlabeled" is no prompt), as the studio does;
// classSetPrompts() gives the same classes in the same order with their ids.
OpenVocabQuery makeQuery(const ClassSet& set, const VocabularyOptions& v) {
    OpenVocabQuery query;
    for (const auto& c : set.classes)
        if (c.id != set.ignoreId) query.classNames.push_back(c.prompt);
    query.negativePrompts = v.negatives;
    query.templates = resolveTemplates(v.templates);
    query.unknownThreshold = v.threshold;
    return query;
}

OpenVocabSession openSession(const ModelOptions& m, const VocabularyOptions& v) {
    OpenVocabModelPaths paths;
    paths.clipModel = m.model;
    paths.mergesFile = m.merges;
    paths.tokenizerCheckpoint = v.tokenizer;
    return OpenVocabSession(paths, m.compute());
}

double msSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

int labelCommand(const std::vector<std::string>& args) {
    CLI::App cli("Open-vocabulary semantic labels for every point (label id + confidence as PLY fields)",
                 "s4studio --batch label");
    ModelOptions model;
    VocabularyOptions vocab;
    std::string input, output;
    InputOptions in;
    addModelOptions(cli, model);
    addVocabularyOptions(cli, vocab, "scannet20", /*perPoint=*/true);
    addInputOptions(cli, in);
    cli.add_option("cloud", input, "Point cloud")->required();
    cli.add_option("--out", output, "Output PLY with 'label' (class ids; unknown = the set's ignore id or -1) "
                                    "and 'confidence' fields; the input's own labels are kept as 'dataset_label'")
        ->required();
    if (int rc = parseCommandArgs(cli, args); rc >= 0) return rc;
    return runReporting([&] {
        checkWritableTarget(output);  // before the model is loaded, not after the work
        const ClassSet classSet = resolveClassSet(vocab.classes);
        const OpenVocabQuery query = makeQuery(classSet, vocab);
        auto start = std::chrono::steady_clock::now();
        OpenVocabSession session = openSession(model, vocab);
        const double loadMs = msSince(start);
        Scene scene = readInput(input, in);
        start = std::chrono::steady_clock::now();
        session.encodeScene(scene, batchProgress("encode"));
        const double encodeMs = msSince(start);
        start = std::chrono::steady_clock::now();
        const OpenVocabLabels result = session.segment(query, batchProgress("segment"));
        const double segmentMs = msSince(start);

        const int unknownId = classSet.ignoreId >= 0 ? classSet.ignoreId : -1;
        const std::vector<std::int32_t> ids =
            promptLabelsToClassIds(result.label, classSetPrompts(classSet).ids, unknownId);
        keepDatasetLabels(scene);  // the input's own labels stay beside the new ones
        // Data pointers, not AttributeArray references: a second add() may move the first array.
        std::int32_t* label = scene.add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>();
        float* confidence = scene.add("confidence", ScalarType::Float32, 1).data<float>();
        std::map<int, std::size_t> counts;
        for (std::size_t i = 0; i < scene.pointCount(); ++i) {
            label[i] = ids[i];
            confidence[i] = result.confidence[i];
            ++counts[ids[i]];
        }
        writePly(scene, output);
        json classes = json::array();
        for (const auto& [id, n] : counts) {
            const ClassInfo* info = classSet.byId(id);
            classes.push_back({{"id", id}, {"name", info && id != unknownId ? info->name : "unknown"}, {"points", n}});
        }
        printJson(json{{"file", input},
                          {"out", output},
                          {"points", scene.pointCount()},
                          {"class_set", classSet.name},
                          {"unknown_id", unknownId},
                          {"model", session.description()},
                          {"classes", classes},
                       {"timings_ms", {{"load", loadMs}, {"encode", encodeMs}, {"segment", segmentMs}}}});
    });
}

int classifyCommand(const std::vector<std::string>& args) {
    CLI::App cli("Zero-shot classification of whole clouds from the encoder's [cls] feature",
                 "s4studio --batch classify");
    ModelOptions model;
    VocabularyOptions vocab;
    std::vector<std::string> inputs;
    int top = 5;
    InputOptions in;
    addModelOptions(cli, model);
    addVocabularyOptions(cli, vocab, "modelnet40", /*perPoint=*/false);
    addInputOptions(cli, in);
    cli.add_option("clouds", inputs, "Point clouds")->required();
    cli.add_option("--top", top, "Classes listed per cloud")->default_val(top)->check(CLI::PositiveNumber);
    if (int rc = parseCommandArgs(cli, args); rc >= 0) return rc;
    return runReporting([&] {
        const ClassSet classSet = resolveClassSet(vocab.classes);
        const OpenVocabQuery query = makeQuery(classSet, vocab);
        OpenVocabSession session = openSession(model, vocab);
        json results = json::array();
        for (const auto& file : inputs) {
            const Scene scene = readInput(file, in);
            session.encodeScene(scene, batchProgress("encode " + file));
            const auto ranked = session.classify(query);
            json ranking = json::array();
            for (std::size_t k = 0; k < ranked.size() && k < std::size_t(top); ++k)
                ranking.push_back({{"class", ranked[k].first}, {"probability", ranked[k].second}});
            results.push_back({{"file", file}, {"points", scene.pointCount()}, {"top", ranking}});
        }
        printJson(json{{"class_set", classSet.name}, {"model", session.description()}, {"results", results}});
    });
}

int initTokenizerCommand(const std::vector<std::string>& args) {
    CLI::App cli("Write an UNTRAINED S4Token tokenizer checkpoint matching a CLIP model (random adapter "
                 "weights): lets the label/classify path run before pretraining; predictions are not meaningful",
                 "s4studio --batch init-tokenizer");
    ModelOptions model;
    std::string output;
    std::uint64_t seed = 0;
    TokenizationParams params;
    addModelOptions(cli, model, ModelUse::FilesOnly);
    cli.add_option("--out", output, "Checkpoint folder to create")->required();
    cli.add_option("--seed", seed, "Seed of the random weights")->default_val(seed)->check(wholeIn(0, LLONG_MAX));
    cli.add_option("--num-tokens", params.sampling.count, "N: patches per cloud")
        ->default_val(params.sampling.count)
        ->check(wholeIn(1, kMaxCheckpointTokens));
    cli.add_option("--patch-size", params.grouping.groupSize, "M: points per patch")
        ->default_val(params.grouping.groupSize)
        ->check(wholeIn(1, kMaxGroupSize));
    if (int rc = parseCommandArgs(cli, args); rc >= 0) return rc;
    return runReporting([&] {
        // The widths and depths are all it needs: no model is built (ClipModelFiles.h).
        writeRandomTokenizerCheckpoint(output, clip::inspectClipModel(model.model).config, params, seed);
        printJson(json{{"out", output}, {"untrained", true}, {"seed", seed}});
    });
}

} // namespace

int runModelCommand(const std::string& command, const std::vector<std::string>& args) {
    if (command == "tokenize-text") return tokenizeTextCommand(args);
    if (command == "embed-text") return embedTextCommand(args);
    if (command == "embed-image") return embedImageCommand(args);
    if (command == "label") return labelCommand(args);
    if (command == "classify") return classifyCommand(args);
    if (command == "init-tokenizer") return initTokenizerCommand(args);
    return -1;
}

} // namespace s4::app
