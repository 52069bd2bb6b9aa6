// Loading CLIP through the torch-free ClipEngine facade: Hugging Face config parsing and OpenAI shape
// inference against hand-written configurations; a Hugging Face folder and a TorchScript archive of
// the same random weights give identical tokens and embeddings (and another seed does not); fp16/bf16
// folders agree within their precision; every corrupted input gives an IoError that names the problem,
// never a crash; tokenization ids against the tiny vocabulary's entries.
#include "core/common/Error.h"
#include "core/model/clip/ClipConfig.h"
#include "core/model/clip/ClipModelFiles.h"
#include "core/model/clip/RandomClipModel.h"
#include "core/model/engine/ClipEngine.h"
#include "core/model/weights/SafeTensors.h"
#include "tests/support/TestData.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

using namespace s4;
using namespace s4::clip;
namespace fs = std::filesystem;

namespace {

using Rows = std::vector<std::vector<float>>;

double maxDifference(const Rows& a, const Rows& b) {
    if (a.size() != b.size()) return 1e300;
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].size() != b[i].size()) return 1e300;
        for (std::size_t j = 0; j < a[i].size(); ++j) m = std::max(m, double(std::abs(a[i][j] - b[i][j])));
    }
    return m;
}

Rows randomImages(std::size_t count, int size, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.0f, 1.0f);
    Rows images(count, std::vector<float>(std::size_t(3 * size * size)));
    for (auto& image : images)
        for (float& v : image) v = n(rng);
    return images;
}

// The message of the exception `f` throws as type E, or "" (the test then fails).
template <class E, class F>
std::string messageOf(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return "";
}

// Rewrites a safetensors file through `edit` (which may drop, reshape or alter tensors).
template <class Edit>
void rewriteSafeTensors(const fs::path& file, Edit edit) {
    std::vector<SafeTensorData> tensors;
    {
        SafeTensorsFile in(file);
        for (const auto& name : in.names()) {
            const auto& info = in.info(name);
            const auto bytes = in.bytes(name);
            tensors.push_back(
                {name, info.dtype, info.shape, std::vector<std::uint8_t>(bytes.begin(), bytes.end())});
        }
    }
    edit(tensors);
    writeSafeTensors(file, tensors);
}

}  // namespace

class TestClipLoading : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    fs::path hf_, pt_;

    fs::path copyOfHf(const std::string& name) {
        const fs::path copy = fs::path(dir_.path().toStdString()) / name;
        fs::copy(hf_, copy, fs::copy_options::recursive);
        return copy;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        hf_ = fs::path(dir_.path().toStdString()) / "tiny-clip";
        pt_ = fs::path(dir_.path().toStdString()) / "openai" / "ViT-tiny.pt";
        writeRandomClipHuggingFaceFolder(hf_, tinyClipConfig(), 42);
        writeRandomClipTorchScript(pt_, tinyClipConfig(), 42);
    }

    // ---- Configuration ----

    void huggingFaceConfigTakesValuesAndHfDefaults() {
        // openai/clip-vit-base-patch16's values, abridged.
        const auto json = nlohmann::json::parse(R"({"model_type": "clip", "projection_dim": 512,
            "vision_config": {"image_size": 224, "patch_size": 16, "hidden_size": 768, "num_hidden_layers": 12,
                              "num_attention_heads": 12, "intermediate_size": 3072, "hidden_act": "quick_gelu"},
            "text_config": {"vocab_size": 49408, "max_position_embeddings": 77, "hidden_size": 512,
                            "num_hidden_layers": 12, "num_attention_heads": 8, "intermediate_size": 2048,
                            "layer_norm_eps": 1e-05}})");
        const ClipConfig c = parseHuggingFaceClipConfig(json, "config.json");
        QCOMPARE(c.vision.patchSize, 16);
        QCOMPARE(c.vision.width, 768);
        QCOMPARE(c.text.heads, 8);
        QCOMPARE(c.embedDim, 512);
        QCOMPARE(patchGridSize(c.vision), 14);

        // Missing keys take transformers' defaults (CLIP ViT-B/32), e.g. a ViT-L/14-style partial config.
        const auto partial =
            nlohmann::json::parse(R"({"vision_config": {"patch_size": 14, "hidden_size": 1024,
            "num_attention_heads": 16, "num_hidden_layers": 24, "intermediate_size": 4096, "hidden_act": "gelu"},
            "text_config": {}, "projection_dim": 768})");
        const ClipConfig l = parseHuggingFaceClipConfig(partial, "config.json");
        QCOMPARE(l.vision.imageSize, 224);
        QCOMPARE(l.vision.activation, Activation::Gelu);
        QCOMPARE(l.text.activation, Activation::QuickGelu);
        QCOMPARE(l.text.width, 512);
        QCOMPARE(l.text.contextLength, 77);
        QCOMPARE(l.text.vocabSize, 49408);
        QCOMPARE(l.embedDim, 768);
        QCOMPARE(
            parseHuggingFaceClipConfig(nlohmann::json::parse(R"({"text_config": {}})"), "c").vision.patchSize,
            32);
    }

    void huggingFaceConfigErrorsNameTheProblem_data() {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("activation") << R"({"vision_config": {"hidden_act": "gelu_new"}})"
                                    << "vision_config.hidden_act";
        QTest::newRow("type") << R"({"text_config": {"hidden_size": "wide"}})"
                              << "text_config.hidden_size";
        QTest::newRow("model type") << R"({"model_type": "siglip", "text_config": {}})"
                                    << "siglip";
        QTest::newRow("not clip") << R"({"hidden_size": 768})"
                                  << "neither vision_config";
        QTest::newRow("heads") << R"({"vision_config": {"hidden_size": 100}})"
                               << "not divisible";
        QTest::newRow("patch") << R"({"vision_config": {"patch_size": 30}})"
                               << "not a multiple of the patch";
        QTest::newRow("negative") << R"({"text_config": {"num_hidden_layers": -1}})"
                                  << "must be positive";
        QTest::newRow("huge") << R"({"vision_config": {"hidden_size": 1000000000}})"
                              << "more than the supported";
        QTest::newRow("channels") << R"({"vision_config": {"num_channels": 1}})"
                                  << "num_channels";
        QTest::newRow("array") << R"([1, 2])"
                               << "JSON object";
    }
    void huggingFaceConfigErrorsNameTheProblem() {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        const auto message = messageOf<IoError>(
            [&] { parseHuggingFaceClipConfig(nlohmann::json::parse(json.toStdString()), "my/config.json"); });
        QVERIFY2(message.find("my/config.json") != std::string::npos, message.c_str());
        QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
    }

    void openAiConfigIsInferredFromShapes() {
        // ViT-B/16's shapes as OpenAI's state dict has them.
        std::map<std::string, std::vector<std::int64_t>> shapes = {
            {"visual.conv1.weight", {768, 3, 16, 16}},
            {"visual.positional_embedding", {197, 768}},
            {"token_embedding.weight", {49408, 512}},
            {"positional_embedding", {77, 512}},
            {"ln_final.weight", {512}},
            {"text_projection", {512, 512}},
            {"visual.transformer.resblocks.0.mlp.c_fc.weight", {3072, 768}},
            {"transformer.resblocks.0.mlp.c_fc.weight", {2048, 512}}};
        for (int i = 0; i < 12; ++i) {
            shapes["visual.transformer.resblocks." + std::to_string(i) + ".attn.in_proj_weight"] = {2304,
                                                                                                    768};
            shapes["transformer.resblocks." + std::to_string(i) + ".attn.in_proj_weight"] = {1536, 512};
        }
        const ClipConfig c = inferOpenAiClipConfig(shapes, "ViT-B-16.pt");
        QCOMPARE(c.vision.imageSize, 224);
        QCOMPARE(c.vision.patchSize, 16);
        QCOMPARE(c.vision.width, 768);
        QCOMPARE(c.vision.layers, 12);
        QCOMPARE(c.vision.heads, 12);
        QCOMPARE(c.vision.mlpWidth, 3072);
        QCOMPARE(c.text.layers, 12);
        QCOMPARE(c.text.heads, 8);
        QCOMPARE(c.text.vocabSize, 49408);
        QCOMPARE(c.text.contextLength, 77);
        QCOMPARE(c.embedDim, 512);

        auto broken = shapes;
        broken["visual.positional_embedding"] = {198, 768};
        QVERIFY(messageOf<IoError>([&] { inferOpenAiClipConfig(broken, "x.pt"); }).find("square") !=
                std::string::npos);
        broken = shapes;
        broken.erase("ln_final.weight");
        QVERIFY(messageOf<IoError>([&] { inferOpenAiClipConfig(broken, "x.pt"); }).find("ln_final.weight") !=
                std::string::npos);
        broken = shapes;
        broken["visual.attnpool.positional_embedding"] = {50, 2048};
        QVERIFY(messageOf<IoError>([&] { inferOpenAiClipConfig(broken, "x.pt"); }).find("ResNet") !=
                std::string::npos);
    }

    // ---- Both formats ----

    void bothFormatsGiveIdenticalEmbeddings() {
        const ClipEngine a = ClipEngine::load(hf_), b = ClipEngine::load(pt_);
        QCOMPARE(b.config().vision.width, a.config().vision.width);
        QCOMPARE(b.config().text.heads, a.config().text.heads);
        QCOMPARE(b.config().embedDim, a.config().embedDim);
        QVERIFY(a.description().find("Hugging Face") != std::string::npos);
        QVERIFY(b.description().find("TorchScript") != std::string::npos);

        const std::vector<std::string> texts = {"a photo of a chair", "table", "", "a picture of the sofa."};
        QCOMPARE(a.tokenize(texts), b.tokenize(texts));
        const Rows ta = a.embedText(texts, false), tb = b.embedText(texts, false);
        QCOMPARE(ta.size(), texts.size());
        QCOMPARE(ta[0].size(), std::size_t(32));
        QVERIFY(maxDifference(ta, tb) < 1e-6);

        const Rows images = randomImages(3, 32, 1);
        const Rows ia = a.embedImages(images, true), ib = b.embedImages(images, true);
        QVERIFY(maxDifference(ia, ib) < 1e-6);
        QCOMPARE(a.denseImageFeatures(images[0], false), b.denseImageFeatures(images[0], false));
        QCOMPARE(a.logitScale(), b.logitScale());
        QVERIFY(std::abs(a.logitScale() - 100.0f) < 10.0f);  // exp(log 100 + small noise)

        // The comparison can fail: another seed gives other embeddings.
        const fs::path other = fs::path(dir_.path().toStdString()) / "other-seed";
        writeRandomClipHuggingFaceFolder(other, tinyClipConfig(), 43);
        QVERIFY(maxDifference(ClipEngine::load(other).embedText(texts, false), ta) > 1e-2);
    }

    void halfPrecisionFoldersLoad_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("f16") << int(SafeTensorDType::F16) << 1e-2;
        QTest::newRow("bf16") << int(SafeTensorDType::BF16) << 6e-2;
    }
    void halfPrecisionFoldersLoad() {
        QFETCH(int, dtype);
        QFETCH(double, tolerance);
        const fs::path folder = fs::path(dir_.path().toStdString()) / ("half-" + std::to_string(dtype));
        writeRandomClipHuggingFaceFolder(folder, tinyClipConfig(), 42, SafeTensorDType(dtype));
        QVERIFY(fs::file_size(folder / "model.safetensors") <
                fs::file_size(hf_ / "model.safetensors") * 6 / 10);
        const ClipEngine full = ClipEngine::load(hf_), half = ClipEngine::load(folder);
        const std::vector<std::string> texts = {"a photo of a chair", "a photo of a table"};
        const double textDiff = maxDifference(full.embedText(texts, true), half.embedText(texts, true));
        const Rows images = randomImages(2, 32, 2);
        const double imageDiff =
            maxDifference(full.embedImages(images, true), half.embedImages(images, true));
        QVERIFY2(textDiff < tolerance, std::to_string(textDiff).c_str());
        QVERIFY2(imageDiff < tolerance, std::to_string(imageDiff).c_str());
        QVERIFY(textDiff > 0.0);  // really rounded
    }

    // ---- Corrupted input ----

    void missingAndMisshapedTensorsAreListed() {
        const fs::path folder = copyOfHf("broken-tensors");
        rewriteSafeTensors(folder / "model.safetensors", [](std::vector<SafeTensorData>& tensors) {
            std::vector<SafeTensorData> kept;
            for (auto& t : tensors) {
                if (t.name == "vision_model.encoder.layers.1.mlp.fc1.weight" || t.name == "logit_scale")
                    continue;
                if (t.name == "text_projection.weight")
                    std::swap(t.shape[0], t.shape[1]);  // [128, 32] instead
                kept.push_back(std::move(t));
            }
            kept.push_back(SafeTensorData::fromFloat32("extra.unused", {2}, std::vector<float>{1, 2}));
            tensors = std::move(kept);
        });
        const auto message = messageOf<IoError>([&] { ClipEngine::load(folder); });
        QVERIFY2(message.find("model.safetensors") != std::string::npos, message.c_str());
        QVERIFY2(message.find("2 missing") != std::string::npos, message.c_str());
        QVERIFY2(message.find("vision_model.encoder.layers.1.mlp.fc1.weight") != std::string::npos,
                 message.c_str());
        QVERIFY2(message.find("logit_scale") != std::string::npos, message.c_str());
        QVERIFY2(
            message.find("text_projection.weight (expected [32, 128], found [128, 32])") != std::string::npos,
            message.c_str());
        QVERIFY2(message.find("extra.unused") == std::string::npos,
                 message.c_str());  // extras are only logged
        // Inspecting without building checks the same tensors and says the same.
        QCOMPARE(messageOf<IoError>([&] { inspectClipModel(folder); }), message);
    }

    void inspectionGivesTheLoadedConfiguration() {
        // The configuration without a model: as the full load reads it, for both formats.
        for (const fs::path& model : {hf_, pt_}) {
            const ClipModelInfo info = inspectClipModel(model);
            QCOMPARE(info.config, ClipEngine::load(model).config());
            QCOMPARE(info.config, tinyClipConfig());
        }
        QCOMPARE(inspectClipModel(hf_).format, ClipWeightFormat::HuggingFaceFolder);
        QCOMPARE(inspectClipModel(pt_).format, ClipWeightFormat::TorchScript);
        QVERIFY_THROWS_EXCEPTION(IoError, inspectClipModel(fs::path(dir_.path().toStdString()) / "absent"));
    }

    // OpenAI-named safetensors (open_clip's export): the shapes do not show the head count or the
    // activation, open_clip_config.json beside the weights does.
    void openClipSafetensorsTakeHeadsAndActivationFromItsConfig() {
        const fs::path dir = fs::path(dir_.path().toStdString()) / "open_clip";
        fs::create_directories(dir);
        std::vector<SafeTensorData> tensors;
        for (const HostTensor& t : randomClipParameters(tinyClipConfig(), 7))
            tensors.push_back(SafeTensorData::fromFloat32(t.name, t.shape, t.values));
        writeSafeTensors(dir / "open_clip_model.safetensors", tensors);
        // Without the config: OpenAI's rules (tiny widths 128 → 2 heads, QuickGELU).
        ClipConfig plain = inspectClipModel(dir / "open_clip_model.safetensors").config;
        QCOMPARE(plain.vision.heads, 2);
        QCOMPARE(plain.text.heads, 2);
        QVERIFY(plain.vision.activation == Activation::QuickGelu);
        // With it: 32-wide vision heads (4), 8 text heads, exact GELU (open_clip's default).
        test::writeFile(dir / "open_clip_config.json",
                        R"({"model_cfg": {"embed_dim": 32, "vision_cfg": {"width": 128, "head_width": 32},
                            "text_cfg": {"width": 128, "heads": 8}}})");
        const ClipModelInfo info = inspectClipModel(dir / "open_clip_model.safetensors");
        QCOMPARE(info.format, ClipWeightFormat::OpenAiSafeTensors);
        QCOMPARE(info.config.vision.heads, 4);
        QCOMPARE(info.config.text.heads, 8);
        QVERIFY(info.config.vision.activation == Activation::Gelu && info.config.text.activation == Activation::Gelu);
        // The engine runs that configuration: other heads give other embeddings.
        const auto withConfig = ClipEngine::load(dir / "open_clip_model.safetensors", {}).embedImages(randomImages(1, 32, 3), true);
        fs::remove(dir / "open_clip_config.json");
        const auto openAiRules = ClipEngine::load(dir / "open_clip_model.safetensors", {}).embedImages(randomImages(1, 32, 3), true);
        QVERIFY(maxDifference(withConfig, openAiRules) > 1e-4);
        // quick_gelu true keeps QuickGELU; a head width that does not divide the width is an error.
        test::writeFile(dir / "open_clip_config.json", R"({"model_cfg": {"quick_gelu": true}})");
        QVERIFY(inspectClipModel(dir / "open_clip_model.safetensors").config.vision.activation == Activation::QuickGelu);
        test::writeFile(dir / "open_clip_config.json", R"({"model_cfg": {"vision_cfg": {"head_width": 48}}})");
        QVERIFY_THROWS_EXCEPTION(IoError, inspectClipModel(dir / "open_clip_model.safetensors"));
        fs::remove(dir / "open_clip_config.json");
    }

    void tokenizerIsFoundByTheEnginesRules() {
        const fs::path root = dir_.path().toStdString();
        const std::vector<std::string> text{"a photo of a chair"};
        const auto reference = ClipEngine::load(hf_).tokenize(text);
        // A Hugging Face folder's vocab.json + merges.txt; OpenAI's merges beside a .pt.
        QCOMPARE(findClipTokenizer(hf_)->tokenize(text), reference);
        QCOMPARE(findClipTokenizer(pt_)->tokenize(text), reference);
        // Nothing beside a lone .pt, and a merges.txt without its vocab.json is not a tokenizer either.
        const fs::path lone = root / "lone-tokenizer" / "ViT-tiny.pt";
        fs::create_directories(lone.parent_path());
        fs::copy_file(pt_, lone);
        QVERIFY(!findClipTokenizer(lone));
        fs::copy_file(hf_ / "merges.txt", lone.parent_path() / "merges.txt");
        QVERIFY(!findClipTokenizer(lone));
        QVERIFY(!ClipEngine::load(lone).hasTokenizer());  // the engine agrees
        // A given merges path wins, as a file or a folder.
        QCOMPARE(findClipTokenizer(lone, pt_.parent_path() / "bpe_simple_vocab_16e6.txt")->tokenize(text), reference);
        QCOMPARE(findClipTokenizer(lone, hf_)->tokenize(text), reference);
        QVERIFY_THROWS_EXCEPTION(IoError, findClipTokenizer(lone, root / "no-such-merges.txt"));
        QVERIFY_THROWS_EXCEPTION(IoError, findClipTokenizer(root / "absent.pt"));
    }

    void configThatDisagreesWithWeightsIsReported() {
        const fs::path folder = copyOfHf("wrong-config");
        auto json = nlohmann::json::parse(test::readFile(folder / "config.json"));
        json["vision_config"]["num_hidden_layers"] = 3;
        json["text_config"]["intermediate_size"] = 256;
        test::writeFile(folder / "config.json", json.dump());
        const auto message = messageOf<IoError>([&] { ClipEngine::load(folder); });
        QVERIFY2(message.find("vision_model.encoder.layers.2.self_attn.q_proj.weight") != std::string::npos,
                 message.c_str());
        QVERIFY2(message.find(
                     "text_model.encoder.layers.0.mlp.fc1.weight (expected [256, 128], found [512, 128])") !=
                     std::string::npos,
                 message.c_str());
    }

    void nonFiniteWeightsAreRefused() {
        const fs::path folder = copyOfHf("nan-weights");
        rewriteSafeTensors(folder / "model.safetensors", [](std::vector<SafeTensorData>& tensors) {
            for (auto& t : tensors)
                if (t.name == "text_model.final_layer_norm.bias") {
                    const float nan = std::nanf("");
                    std::memcpy(t.bytes.data() + 4, &nan, 4);
                }
        });
        const auto message = messageOf<IoError>([&] { ClipEngine::load(folder); });
        QVERIFY2(message.find("text_model.final_layer_norm.bias") != std::string::npos, message.c_str());
        QVERIFY2(message.find("NaN") != std::string::npos, message.c_str());
    }

    void badPathsAndFilesGiveClearErrors() {
        const fs::path root = dir_.path().toStdString();
        QVERIFY(messageOf<IoError>([&] { ClipEngine::load(root / "nowhere"); }).find("does not exist") !=
                std::string::npos);

        fs::create_directories(root / "empty-folder");
        QVERIFY(messageOf<IoError>([&] {
                    ClipEngine::load(root / "empty-folder");
                }).find("without config.json") != std::string::npos);

        const fs::path binOnly = root / "bin-only";
        fs::create_directories(binOnly);
        fs::copy_file(hf_ / "config.json", binOnly / "config.json");
        test::writeFile(binOnly / "pytorch_model.bin", "PK\x03\x04 not really");
        QVERIFY(messageOf<IoError>([&] { ClipEngine::load(binOnly); }).find("pytorch_model.bin") !=
                std::string::npos);

        const fs::path badJson = copyOfHf("bad-json");
        test::writeFile(badJson / "config.json", "{\"vision_config\": {\"image_size\": 32,,}}");
        QVERIFY(messageOf<IoError>([&] { ClipEngine::load(badJson); }).find("not valid JSON") !=
                std::string::npos);

        const fs::path truncated = copyOfHf("truncated");
        const std::string weights = test::readFile(truncated / "model.safetensors");
        test::writeFile(truncated / "model.safetensors", weights.substr(0, weights.size() / 2));
        QVERIFY(!messageOf<IoError>([&] { ClipEngine::load(truncated); }).empty());

        std::mt19937 rng(3);
        std::string garbage(4096, '\0');
        for (char& c : garbage) c = char(rng());
        test::writeFile(root / "garbage.pt", garbage);
        const auto g = messageOf<IoError>([&] { ClipEngine::load(root / "garbage.pt"); });
        QVERIFY2(
            g.find("garbage.pt") != std::string::npos && g.find("not a TorchScript") != std::string::npos,
            g.c_str());

        const std::string archive = test::readFile(pt_);
        test::writeFile(root / "cut.pt", archive.substr(0, archive.size() * 2 / 3));
        QVERIFY(!messageOf<IoError>([&] { ClipEngine::load(root / "cut.pt"); }).empty());

        writeRandomClipStateDict(root / "state_dict.pt", tinyClipConfig(), 42);
        const auto s = messageOf<IoError>([&] { ClipEngine::load(root / "state_dict.pt"); });
        QVERIFY2(s.find("state dict") != std::string::npos && s.find("safetensors") != std::string::npos,
                 s.c_str());
    }

    // ---- The facade ----

    void tokenizeGivesTheVocabularysIds() {
        const ClipEngine engine = ClipEngine::load(hf_);
        QVERIFY(engine.hasTokenizer());
        const auto vocabulary = tinyClipVocabulary();
        auto id = [&](const std::string& token) {
            return std::int32_t(std::find(vocabulary.begin(), vocabulary.end(), token) - vocabulary.begin());
        };
        const std::int32_t sot = std::int32_t(vocabulary.size()) - 2,
                           eot = std::int32_t(vocabulary.size()) - 1;
        // Merges by rank: photo (p·h, ph·o, pho·t, phot·o</w>), of (o·f</w>), the (t·h, th·e</w>), then chair
        // (c·h, ch·a, cha·i, chai·r</w>): "chair</w>" is merge 10, after the 512 byte tokens.
        QCOMPARE(id("chair</w>"), std::int32_t(512 + 10));
        const auto rows = engine.tokenize({"A photo of a CHAIR", "table."});
        QCOMPARE(rows.size(), std::size_t(2));
        QCOMPARE(rows[0].size(), std::size_t(77));
        const std::vector<std::int32_t> first = {
            sot, id("a</w>"), id("photo</w>"), id("of</w>"), id("a</w>"), id("chair</w>"), eot};
        QCOMPARE(std::vector<std::int32_t>(rows[0].begin(), rows[0].begin() + 7), first);
        QVERIFY(std::all_of(rows[0].begin() + 7, rows[0].end(), [](std::int32_t v) { return v == 0; }));
        const std::vector<std::int32_t> second = {sot, id("table</w>"), id(".</w>"), eot};
        QCOMPARE(std::vector<std::int32_t>(rows[1].begin(), rows[1].begin() + 4), second);

        // 100 words: cut to 77 with EOT last.
        std::string longText;
        for (int i = 0; i < 100; ++i) longText += "chair ";
        const auto cut = engine.tokenize({longText})[0];
        QCOMPARE(cut.size(), std::size_t(77));
        QCOMPARE(cut.back(), eot);
        QCOMPARE(cut[75], id("chair</w>"));
    }

    void embeddingsAreNormalisedOnRequest() {
        const ClipEngine engine = ClipEngine::load(hf_);
        const std::vector<std::string> texts = {"a photo of a chair", "a photo of a table", "lamp"};
        const Rows raw = engine.embedText(texts, false), unit = engine.embedText(texts, true);
        for (std::size_t i = 0; i < texts.size(); ++i) {
            double norm = 0;
            for (float v : raw[i]) norm += double(v) * v;
            norm = std::sqrt(norm);
            QVERIFY(std::abs(norm - 1.0) > 1e-3);
            for (std::size_t j = 0; j < raw[i].size(); ++j)
                QVERIFY(std::abs(unit[i][j] - raw[i][j] / norm) < 1e-5);
        }
        QVERIFY(maxDifference({raw[0]}, {raw[1]}) > 1e-3);  // different prompts, different features
        // More texts than one internal batch give the same rows as one at a time.
        std::vector<std::string> many(70, "a photo of a door");
        many[69] = "lamp";
        const Rows batch = engine.embedText(many, true);
        QVERIFY(maxDifference({batch[69]}, {unit[2]}) < 1e-5);

        const auto dense = engine.denseImageFeatures(randomImages(1, 32, 4)[0], true);
        QCOMPARE(engine.patchGridSize(), 4);
        QCOMPARE(dense.size(), std::size_t(16 * 32));
        for (int p = 0; p < 16; ++p) {
            double norm = 0;
            for (int k = 0; k < 32; ++k)
                norm += double(dense[std::size_t(p * 32 + k)]) * dense[std::size_t(p * 32 + k)];
            QVERIFY(std::abs(norm - 1.0) < 1e-4);
        }
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, engine.embedImages({std::vector<float>(100, 0.0f)}, true));
        auto withNan = randomImages(1, 32, 5);
        withNan[0][7] = std::nanf("");
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, engine.embedImages(withNan, true));
        QVERIFY(engine.embedText({}, true).empty());
    }

    void missingTokenizerAsksForMerges() {
        const fs::path root = dir_.path().toStdString();
        const fs::path lone = root / "lone" / "ViT-tiny.pt";
        fs::create_directories(lone.parent_path());
        fs::copy_file(pt_, lone);
        const ClipEngine engine = ClipEngine::load(lone);
        QVERIFY(!engine.hasTokenizer());
        const auto message = messageOf<InvalidArgument>([&] { engine.tokenize({"chair"}); });
        QVERIFY2(message.find("merges") != std::string::npos, message.c_str());
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, engine.embedText({"chair"}, true));

        ClipEngineOptions options;
        options.mergesPath = pt_.parent_path() / "bpe_simple_vocab_16e6.txt";
        const ClipEngine withMerges = ClipEngine::load(lone, options);
        QVERIFY(withMerges.hasTokenizer());
        QCOMPARE(withMerges.tokenize({"a photo of a chair"}),
                 ClipEngine::load(hf_).tokenize({"a photo of a chair"}));
    }
};

QTEST_GUILESS_MAIN(TestClipLoading)
#include "tst_clip_loading.moc"
