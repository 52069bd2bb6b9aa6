// The CLIP batch commands end to end on tiny random models written in the formats users have:
// tokenize-text, embed-text, embed-image, init-tokenizer, label, classify. Each prints JSON that must
// agree with the library called in this process, writes what it promises, and fails with a message
// (never a crash) on missing models, unusable devices and mismatched checkpoints.
#include "core/io/SceneReader.h"
#include "core/io/SceneWriter.h"
#include "core/model/clip/RandomClipModel.h"
#include "core/model/TorchRuntime.h"
#include "core/model/engine/ClipEngine.h"
#include "core/model/engine/OpenVocabSession.h"
#include "core/model/image/ClipImagePreprocess.h"
#include "core/model/text/ClipTokenizer.h"
#include "core/scene/ClassSet.h"
#include "tests/support/TestData.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
using namespace s4;
using nlohmann::json;

namespace {

using Run = test::StudioText;
Run studio(const QStringList& args) { return test::runStudioText(args); }

QString q(const fs::path& p) { return QString::fromStdString(p.string()); }

/// A binary PPM (P6) the command must read through Qt's image readers; returns its RGB bytes.
std::vector<std::uint8_t> writePpm(const fs::path& path, int width, int height, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::uint8_t> rgb(std::size_t(width * height * 3));
    for (auto& v : rgb) v = std::uint8_t(rng() & 0xff);
    std::ofstream out(path, std::ios::binary);
    out << "P6\n" << width << ' ' << height << "\n255\n";
    out.write(reinterpret_cast<const char*>(rgb.data()), std::streamsize(rgb.size()));
    return rgb;
}

/// Two boxes of points, a floor and a wall, enough for a tokenization with N = 64, M = 16.
fs::path writeCloud(const fs::path& dir, const std::string& name, float tilt) {
    Scene s;
    for (int i = 0; i < 40; ++i)
        for (int j = 0; j < 40; ++j) {
            s.positions.push_back({i * 0.05f, j * 0.05f, tilt * float(i) * 0.01f});
            s.positions.push_back({i * 0.05f, 0.0f, 0.05f + j * 0.05f});
        }
    const fs::path path = dir / name;
    writePly(s, path);
    return path;
}

double maxAbsDiff(const std::vector<float>& a, const json& b) {
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(double(a[i]) - b[i].get<double>()));
    return worst;
}

} // namespace

class TestModelCommands : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    fs::path hf_, pt_, ckpt_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const fs::path root = dir_.path().toStdString();
        hf_ = root / "tiny-clip";
        clip::writeRandomClipHuggingFaceFolder(hf_, clip::tinyClipConfig(), 11);
        fs::create_directories(root / "openai");
        pt_ = root / "openai" / "tiny.pt";
        clip::writeRandomClipTorchScript(pt_, clip::tinyClipConfig(), 11);
        ckpt_ = root / "tokenizer";
        const Run r = studio({"--batch", "init-tokenizer", "--model", q(hf_), "--out", q(ckpt_), "--num-tokens", "64",
                              "--patch-size", "16", "--seed", "3"});
        QVERIFY2(r.code == 0, r.err.c_str());
        QVERIFY(json::parse(r.out)["untrained"].get<bool>());
        QVERIFY(fs::exists(ckpt_ / "tokenizer.json") && fs::exists(ckpt_ / "tokenizer.safetensors"));
        // It builds no model, so where a model would run is not an option it takes.
        const Run device = studio({"--batch", "init-tokenizer", "--model", q(hf_), "--out", q(root / "unused"),
                                   "--device", "cuda"});
        QCOMPARE(device.code, 2);
        QVERIFY2(device.err.find("--device") != std::string::npos, device.err.c_str());
        QVERIFY(!fs::exists(root / "unused"));
    }

    void tokenizeTextGivesContextRowsOfTheModelsVocabulary() {
        const Run r = studio({"--batch", "tokenize-text", "--model", q(hf_), "--text", "a photo of a chair", "--text",
                              "Table!"});
        QVERIFY2(r.code == 0, r.err.c_str());
        const json ids = json::parse(r.out)["ids"];
        const ClipTokenizer tokenizer = ClipTokenizer::load(hf_);
        QCOMPARE(ids.size(), std::size_t(2));
        const auto expect = tokenizer.tokenize({"a photo of a chair", "Table!"});
        for (std::size_t row = 0; row < 2; ++row) {
            QCOMPARE(ids[row].size(), std::size_t(77));
            QCOMPARE(ids[row].get<std::vector<std::int32_t>>(), expect[row]);
            QCOMPARE(ids[row][0].get<int>(), tokenizer.startOfTextId());
        }
        // "a photo of a chair" is five whole words of the tiny vocabulary: SOT, 5 ids, EOT, then zeros.
        QCOMPARE(ids[0][6].get<int>(), tokenizer.endOfTextId());
        QCOMPARE(ids[0][7].get<int>(), 0);
        // The OpenAI layout: merges beside the .pt, no weights needed.
        const Run openai = studio({"--batch", "tokenize-text", "--model", q(pt_), "--text", "a photo of a chair"});
        QVERIFY2(openai.code == 0, openai.err.c_str());
        QCOMPARE(json::parse(openai.out)["ids"][0], ids[0]);
    }

    void embedTextMatchesTheLibraryInBothFormats() {
        const Run r = studio({"--batch", "embed-text", "--model", q(hf_), "--text", "a chair", "--text", "a table"});
        QVERIFY2(r.code == 0, r.err.c_str());
        const json j = json::parse(r.out);
        QCOMPARE(j["dim"].get<int>(), clip::tinyClipConfig().embedDim);
        const ClipEngine engine = ClipEngine::load(hf_);
        const auto expect = engine.embedText({"a chair", "a table"}, false);
        QVERIFY(maxAbsDiff(expect[0], j["embeddings"][0]) < 1e-5);
        QVERIFY(maxAbsDiff(expect[1], j["embeddings"][1]) < 1e-5);
        // Not normalised unless asked; normalised rows have unit length.
        double norm = 0;
        for (const auto& v : j["embeddings"][0]) norm += v.get<double>() * v.get<double>();
        QVERIFY(std::abs(std::sqrt(norm) - 1.0) > 1e-3);
        const Run n = studio({"--batch", "embed-text", "--model", q(pt_), "--text", "a chair", "--normalize"});
        QVERIFY2(n.code == 0, n.err.c_str());
        const json row = json::parse(n.out)["embeddings"][0];
        double expectNorm = 0;
        for (float v : expect[0]) expectNorm += double(v) * v;
        expectNorm = std::sqrt(expectNorm);
        norm = 0;
        for (std::size_t i = 0; i < row.size(); ++i) {
            norm += row[i].get<double>() * row[i].get<double>();
            // Same weights in the TorchScript archive: the direction of the HF model's embedding.
            QVERIFY(std::abs(row[i].get<double>() - expect[0][i] / expectNorm) < 1e-4);
        }
        QVERIFY(std::abs(std::sqrt(norm) - 1.0) < 1e-5);
    }

    void embedImageReadsFilesAndPreprocessesLikeClip() {
        const fs::path square = fs::path(dir_.path().toStdString()) / "square.ppm";
        const fs::path wide = fs::path(dir_.path().toStdString()) / "wide.ppm";
        const auto squarePixels = writePpm(square, 32, 32, 1);
        const auto widePixels = writePpm(wide, 80, 48, 2);
        const Run r = studio({"--batch", "embed-image", "--model", q(hf_), q(square), q(wide)});
        QVERIFY2(r.code == 0, r.err.c_str());
        const json j = json::parse(r.out);
        QCOMPARE(j["embeddings"].size(), std::size_t(2));
        const ClipEngine engine = ClipEngine::load(hf_);
        ClipImageParams params;
        params.size = engine.config().vision.imageSize;
        const auto expect = engine.embedImages({preprocessClipImage(squarePixels, 32, 32, 3, params),
                                                preprocessClipImage(widePixels, 80, 48, 3, params)},
                                               false);
        QVERIFY(maxAbsDiff(expect[0], j["embeddings"][0]) < 1e-5);
        QVERIFY(maxAbsDiff(expect[1], j["embeddings"][1]) < 1e-5);
        const Run bad = studio({"--batch", "embed-image", "--model", q(hf_), q(fs::path(dir_.path().toStdString()) / "none.png")});
        QCOMPARE(bad.code, 1);
        QVERIFY(bad.err.find("none.png") != std::string::npos);
    }

    void labelWritesClassIdsAndConfidenceForEveryPoint() {
        const fs::path root = dir_.path().toStdString();
        const fs::path cloud = writeCloud(root, "room.ply", 0.0f);
        const fs::path out = root / "labelled.ply";
        const Run r = studio({"--batch", "label", "--model", q(hf_), "--tokenizer", q(ckpt_), "--classes", "scannet20",
                              "--threshold", "0.2", q(cloud), "--out", q(out)});
        QVERIFY2(r.code == 0, r.err.c_str());
        const json j = json::parse(r.out);
        const Scene labelled = readScene(out);
        QCOMPARE(labelled.pointCount(), std::size_t(3200));
        const auto* label = labelled.find(attr::kLabel);
        const auto* confidence = labelled.find("confidence");
        QVERIFY(label && confidence);
        const ClassSet scannet = builtinClassSet("scannet20");
        const int unknown = j["unknown_id"].get<int>();
        std::map<int, std::size_t> counts;
        for (std::size_t i = 0; i < labelled.pointCount(); ++i) {
            const int id = label->data<std::int32_t>()[i];
            const float c = confidence->data<float>()[i];
            QVERIFY(id == unknown || scannet.byId(id) != nullptr);
            QVERIFY(c >= 0.0f && c <= 1.0f);
            if (id != unknown) QVERIFY(c >= 0.2f);  // the threshold made the rest unknown
            ++counts[id];
        }
        std::size_t listed = 0;
        for (const auto& c : j["classes"]) {
            QCOMPARE(counts[c["id"].get<int>()], c["points"].get<std::size_t>());
            listed += c["points"].get<std::size_t>();
        }
        QCOMPARE(listed, labelled.pointCount());

        // The same answer as the session in this process (index → the set's ids).
        OpenVocabSession session({hf_, {}, ckpt_});
        session.encodeScene(readScene(cloud));
        OpenVocabQuery query;
        for (const auto& c : scannet.classes) query.classNames.push_back(c.prompt.empty() ? c.name : c.prompt);
        query.unknownThreshold = 0.2f;
        const OpenVocabLabels expect = session.segment(query);
        for (std::size_t i = 0; i < labelled.pointCount(); ++i) {
            const int e = expect.label[i] >= 0 ? scannet.classes[std::size_t(expect.label[i])].id : unknown;
            QCOMPARE(label->data<std::int32_t>()[i], e);
        }
    }

    void labelKeepsTheInputLabelsAndNeverPromptsTheIgnoreClass() {
        // A set whose ignore class (id 0) has the same prompt as class 1: were it prompted, it would tie
        // with class 1 and win as the first, labelling points 0 with a high confidence. It is no prompt,
        // so id 0 only marks unknown points. The input's labels come back as "dataset_label".
        const fs::path root = dir_.path().toStdString();
        const fs::path setFile = root / "with-ignore.json";
        std::ofstream(setFile) << R"({"name": "with-ignore", "ignore_id": 0, "classes": [
            {"id": 0, "name": "unlabeled", "prompt": "wall"},
            {"id": 1, "name": "wall", "prompt": "wall"},
            {"id": 2, "name": "floor", "prompt": "floor"}]})";
        Scene input = readScene(writeCloud(root, "labelled-input.ply", 0.0f));
        std::int32_t* truth = input.add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>();
        for (std::size_t i = 0; i < input.pointCount(); ++i) truth[i] = std::int32_t(i % 3) * 10;
        const std::vector<std::int32_t> truthValues(truth, truth + input.pointCount());
        writePly(input, root / "labelled-input.ply");
        const fs::path out = root / "ignore-labels.ply";
        const Run r = studio({"--batch", "label", "--model", q(hf_), "--tokenizer", q(ckpt_), "--classes", q(setFile),
                              "--threshold", "0.05", q(root / "labelled-input.ply"), "--out", q(out)});
        QVERIFY2(r.code == 0, r.err.c_str());
        const Scene labelled = readScene(out);
        const AttributeArray* kept = labelled.find(attr::kDatasetLabel);
        QVERIFY(kept && kept->components() == 1);
        for (std::size_t i = 0; i < labelled.pointCount(); ++i) QCOMPARE(kept->valueAsDouble(i), double(truthValues[i]));
        QCOMPARE(json::parse(r.out)["unknown_id"].get<int>(), 0);
        const std::int32_t* label = labelled.find(attr::kLabel)->data<std::int32_t>();
        const float* confidence = labelled.find("confidence")->data<float>();
        std::size_t wall = 0;
        for (std::size_t i = 0; i < labelled.pointCount(); ++i) {
            if (label[i] == 0) QVERIFY(confidence[i] < 0.05f);  // unknown, not "unlabeled"
            wall += label[i] == 1;
        }
        QVERIFY(wall > 0);  // the wall prompt does win points
    }

    // Vocabulary options are checked before any model is loaded: usage errors exit 2 and say which value.
    void vocabularyOptionsAreChecked() {
        const fs::path root = dir_.path().toStdString();
        const QString cloud = q(root / "room.ply");
        const QStringList base{"--batch", "label", "--model", q(hf_), "--tokenizer", q(ckpt_), cloud,
                               "--out", q(root / "never.ply")};
        for (const QStringList& extra : {QStringList{"--threshold", "nan"}, QStringList{"--threshold", "1.5"},
                                         QStringList{"--threshold", "-1"}, QStringList{"--prompt-template", "a {} of {x}"},
                                         QStringList{"--prompt-template", "a {}}"}, QStringList{"--prompt-template", "{}{}"},
                                         QStringList{"--prompt-template", QString("a \x01 {}")}}) {
            const Run r = studio(base + extra);
            QVERIFY2(r.code == 2, qPrintable(extra.join(' ') + ": exit " + QString::number(r.code) + ": " +
                                             QString::fromStdString(r.err)));
        }
        QVERIFY(!fs::exists(root / "never.ply"));
        // A whole-cloud ranking has no unknown threshold or negative prompts to apply.
        const Run classify = studio({"--batch", "classify", "--model", q(hf_), "--tokenizer", q(ckpt_), cloud,
                                     "--threshold", "0.5"});
        QCOMPARE(classify.code, 2);
        // Two classes with one name would split every confidence between them.
        test::writeFile(root / "twice.txt", "chair\ntable\nchair\n");
        const Run twice = studio({"--batch", "label", "--model", q(hf_), "--tokenizer", q(ckpt_), "--classes",
                                  q(root / "twice.txt"), cloud, "--out", q(root / "never.ply")});
        QCOMPARE(twice.code, 1);
        QVERIFY2(twice.err.find("\"chair\" appears twice") != std::string::npos, twice.err.c_str());
    }

    void classifyRanksTheClassSetForEachCloud() {
        const fs::path root = dir_.path().toStdString();
        const fs::path a = writeCloud(root, "a.ply", 0.0f), b = writeCloud(root, "b.ply", 3.0f);
        const Run r = studio({"--batch", "classify", "--model", q(hf_), "--tokenizer", q(ckpt_), "--classes",
                              "modelnet40", "--top", "4", q(a), q(b)});
        QVERIFY2(r.code == 0, r.err.c_str());
        const json results = json::parse(r.out)["results"];
        QCOMPARE(results.size(), std::size_t(2));
        const ClassSet modelnet = builtinClassSet("modelnet40");
        for (const auto& res : results) {
            QCOMPARE(res["top"].size(), std::size_t(4));
            double previous = 1.0, total = 0.0;
            for (const auto& t : res["top"]) {
                const double p = t["probability"].get<double>();
                QVERIFY(p <= previous + 1e-7);
                previous = p;
                total += p;
                bool known = false;
                for (const auto& c : modelnet.classes) known |= (c.prompt.empty() ? c.name : c.prompt) == t["class"];
                QVERIFY(known);
            }
            QVERIFY(total <= 1.0 + 1e-5);
        }
    }

    void precisionOptionRunsTheModelInBFloat16() {
        // --precision bf16 is the CPU stand-in for the fp16 CUDA path: same casts, another 16-bit type.
        const Run full = studio({"--batch", "embed-text", "--model", q(hf_), "--text", "a chair", "--normalize"});
        const Run half = studio({"--batch", "embed-text", "--model", q(hf_), "--text", "a chair", "--normalize",
                                 "--precision", "bf16"});
        QVERIFY2(full.code == 0 && half.code == 0, (full.err + half.err).c_str());
        const json a = json::parse(full.out)["embeddings"][0], b = json::parse(half.out)["embeddings"][0];
        double dot = 0;
        for (std::size_t i = 0; i < a.size(); ++i) dot += a[i].get<double>() * b[i].get<double>();
        QVERIFY2(dot > 0.999 && dot < 1.0 - 1e-7, std::to_string(dot).c_str());  // close, and really bf16

        // label in bf16 writes a complete, valid labelling and says which precision it used.
        const fs::path root = dir_.path().toStdString();
        const fs::path cloud = writeCloud(root, "room-bf16.ply", 0.0f);
        const Run r = studio({"--batch", "label", "--model", q(hf_), "--tokenizer", q(ckpt_), "--classes", "scannet20",
                              "--precision", "bf16", q(cloud), "--out", q(root / "bf16.ply")});
        QVERIFY2(r.code == 0, r.err.c_str());
        QVERIFY2(json::parse(r.out)["model"].get<std::string>().find("bf16") != std::string::npos, r.out.c_str());
        const Scene labelled = readScene(root / "bf16.ply");
        QCOMPARE(labelled.pointCount(), std::size_t(3200));
        const auto* confidence = labelled.find("confidence");
        QVERIFY(confidence);
        for (std::size_t i = 0; i < labelled.pointCount(); ++i)
            QVERIFY(confidence->data<float>()[i] >= 0.0f && confidence->data<float>()[i] <= 1.0f);

        // fp16 has no CPU kernels: refused with the alternatives before anything is loaded; unknown names listed.
        Run bad = studio({"--batch", "embed-text", "--model", q(hf_), "--text", "chair", "--precision", "fp16"});
        QCOMPARE(bad.code, 1);
        QVERIFY2(bad.err.find("bf16 or fp32") != std::string::npos, bad.err.c_str());
        // An unknown name is a usage error (exit 2) that lists the names.
        bad = studio({"--batch", "embed-text", "--model", q(hf_), "--text", "chair", "--precision", "fp8"});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.find("fp8") != std::string::npos && bad.err.find("bf16") != std::string::npos, bad.err.c_str());
    }

    void missingModelsAndDevicesAreExplainedNotCrashed() {
        const fs::path root = dir_.path().toStdString();
        Run r = studio({"--batch", "embed-text", "--model", q(root / "no-such-model"), "--text", "chair"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.find("no-such-model") != std::string::npos, r.err.c_str());
        r = studio({"--batch", "embed-text", "--model", q(hf_), "--text", "chair", "--device", "cuda"});
        if (torchCudaAvailable()) {
            QCOMPARE(r.code, 0);  // a CUDA LibTorch with a GPU runs it
        } else {
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.find("CUDA") != std::string::npos, r.err.c_str());
        }
        r = studio({"--batch", "embed-text", "--model", q(hf_), "--text", "chair", "--device", "tpu"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.find("tpu") != std::string::npos && r.err.find("cuda") != std::string::npos, r.err.c_str());
        r = studio({"--batch", "label", "--model", q(hf_), "--tokenizer", q(root / "nothing"), q(root / "room.ply"),
                    "--out", q(root / "x.ply")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.find("nothing") != std::string::npos, r.err.c_str());
        QVERIFY(!fs::exists(root / "x.ply"));
        // A checkpoint made for another CLIP (wider vision tower) is refused with both widths named.
        clip::ClipConfig wide = clip::tinyClipConfig();
        wide.vision.width = 192;
        wide.vision.heads = 3;
        const fs::path wideModel = root / "wide-clip";
        clip::writeRandomClipHuggingFaceFolder(wideModel, wide, 5);
        r = studio({"--batch", "label", "--model", q(wideModel), "--tokenizer", q(ckpt_), q(root / "room.ply"), "--out",
                    q(root / "x.ply")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.find("192") != std::string::npos && r.err.find("128") != std::string::npos, r.err.c_str());
        // An empty tokenizer checkpoint path: the error explains how to provide the models.
        r = studio({"--batch", "label", "--model", q(hf_), "--tokenizer", "", q(root / "room.ply"), "--out",
                    q(root / "x.ply")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.find(OpenVocabSession::missingModelHelp().substr(0, 60)) != std::string::npos, r.err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestModelCommands)
#include "tst_model_commands.moc"
