// The S4Token tokenizer checkpoint (docs/CHECKPOINT_FORMAT.md): write → read round trips every parameter
// and weight; the reader refuses newer versions, foreign formats, hostile JSON and weights that do not
// match the declared architecture, each with a message naming the file and the key or tensor.

#include "core/common/Error.h"
#include "core/model/encoder/RandomTokenizerCheckpoint.h"
#include "core/model/encoder/TokenizerCheckpoint.h"
#include "core/model/weights/SafeTensors.h"
#include "tests/support/TestData.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>

using namespace s4;
using Json = nlohmann::json;

namespace {

std::string readText(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A config with a non-default value in every field, so a field the writer or reader forgets shows.
TokenizerCheckpointConfig unusualConfig() {
    TokenizerCheckpointConfig c;
    c.clip = {16, 24, 32, 8, 2, 4};
    c.pointnet.inputDim = 6;
    c.pointnet.firstMlp = {8, 10};
    c.pointnet.secondMlp = {12, 14};
    c.pointnet.output = 24;
    c.pointnet.norm = PointNetNorm::BatchNorm;
    c.positionEmbedding = {3, false, 100.0};
    TokenizationParams& t = c.tokenization;
    t.tokenizer = TokenizerKind::Ball;
    t.grouping.mode = GroupingMode::Ball;
    t.sampling.count = 777;
    t.grouping.groupSize = 17;
    t.grouping.alpha = 1.5;
    t.sampling.gamma = 0.375;
    t.sampling.convention = ExponentConvention::Printed;
    t.grouping.relativeNormalisation = false;
    t.sampling.minSuperpointSize = 5;
    t.sampling.seed = t.grouping.seed = t.superpoints.eigenFeatures.seed = 123456789012345ull;
    SuperpointParams& sp = t.superpoints;
    sp.useDatasetSuperpoints = false;
    sp.normals.k = 9;
    sp.normals.sign = NormalSign::AbsoluteValue;
    sp.eigenFeatures.anchorCount = 300;
    sp.eigenFeatures.anchorRatio = 0.25;
    sp.eigenFeatures.k = 11;
    sp.graphNeighbours = 7;
    sp.edgeWeighting = EdgeWeighting::Gaussian;
    sp.normalWeight = 0.75f;
    sp.geometryWeight = 0.125f;
    sp.colorWeight = 3.5f;
    sp.regularization = 0.0625;
    sp.cutPursuit.regularization = 0.0625;
    sp.cutPursuit.maxIterations = 13;
    sp.cutPursuit.tolerance = 0.005;
    sp.cutPursuit.kmeansIterations = 4;
    sp.cutPursuit.flowSteps = 5;
    sp.cutPursuit.merge = false;
    sp.cutPursuit.blockSize = 100;
    sp.minSuperpointSize = 6;
    sp.smallMergeRule = SmallMergeRule::SharedWeight;
    sp.planarMerge.penalty = 0.875;
    sp.planarMerge.featureWeight = 0.3125;
    c.propagation.epsilon = 0.5f;
    c.propagation.fallbackNeighbours = 4;
    c.training = {{"epochs", 300}, {"data", {"shapenet", "scannet"}}, {"loss", 0.25}};
    return c;
}

TokenizerCheckpoint unusualCheckpoint() {
    TokenizerCheckpoint cp;
    cp.config = unusualConfig();
    cp.tensors = randomTokenizerTensors(cp.config.pointnet, 7);
    // Distinct running statistics, so the round trip is not comparing the defaults.
    for (TokenizerTensor& t : cp.tensors)
        if (t.name.find(".norm.running_") != std::string::npos)
            for (std::size_t i = 0; i < t.values.size(); ++i) t.values[i] = 0.5f + 0.25f * float(i);
    return cp;
}

// The IoError message of reading the checkpoint, or "" if it reads.
std::string readError(const std::filesystem::path& checkpoint) {
    try {
        readTokenizerCheckpoint(checkpoint);
    } catch (const IoError& e) {
        return e.what();
    }
    return {};
}

}  // namespace

class TestEncoderCheckpoint : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;
    std::filesystem::path dir(const char* name) const {
        return std::filesystem::path(tmp_.path().toStdString()) / name;
    }

private slots:
    void specsFollowTheArchitecture() {
        PointNetConfig p;
        p.inputDim = 3;
        p.firstMlp = {4, 5};
        p.secondMlp = {6};
        p.output = 7;
        p.norm = PointNetNorm::LayerNorm;
        std::vector<std::string> names;
        std::vector<std::vector<std::int64_t>> shapes;
        for (const auto& s : tokenizerTensorSpecs(p)) {
            names.push_back(s.name);
            shapes.push_back(s.shape);
        }
        const std::vector<std::string> expectedNames = {
            "pointnet.first_mlp.0.weight",       "pointnet.first_mlp.0.bias",
            "pointnet.first_mlp.0.norm.weight",  "pointnet.first_mlp.0.norm.bias",
            "pointnet.first_mlp.1.weight",       "pointnet.first_mlp.1.bias",
            "pointnet.second_mlp.0.weight",      "pointnet.second_mlp.0.bias",
            "pointnet.second_mlp.0.norm.weight", "pointnet.second_mlp.0.norm.bias",
            "pointnet.second_mlp.1.weight",      "pointnet.second_mlp.1.bias"};
        QCOMPARE(names, expectedNames);
        // [out, in]: 3 → 4 → 5; [pooled, member] = 10 → 6 → 7.
        const std::vector<std::vector<std::int64_t>> expectedShapes = {{4, 3},  {4}, {4}, {4}, {5, 4}, {5},
                                                                       {6, 10}, {6}, {6}, {6}, {7, 6}, {7}};
        QCOMPARE(shapes, expectedShapes);
        p.norm = PointNetNorm::BatchNorm;
        QCOMPARE(tokenizerTensorSpecs(p).size(), std::size_t(16));  // + running_mean, running_var twice
        p.norm = PointNetNorm::None;
        QCOMPARE(tokenizerTensorSpecs(p).size(), std::size_t(8));
    }

    void roundTripKeepsEveryParameterAndWeight() {
        const TokenizerCheckpoint written = unusualCheckpoint();
        writeTokenizerCheckpoint(dir("rt"), written);
        QVERIFY(std::filesystem::exists(dir("rt") / "tokenizer.json"));
        QVERIFY(std::filesystem::exists(dir("rt") / "tokenizer.safetensors"));

        const TokenizerCheckpoint read = readTokenizerCheckpoint(dir("rt"));
        const TokenizerCheckpointConfig& a = written.config;
        const TokenizerCheckpointConfig& b = read.config;
        QCOMPARE(b.version, kTokenizerCheckpointVersion);
        QVERIFY(b.clip == a.clip);
        QVERIFY(b.pointnet == a.pointnet);
        QVERIFY(b.positionEmbedding == a.positionEmbedding);
        QVERIFY(b.tokenization.tokenizer == a.tokenization.tokenizer);
        QVERIFY(b.tokenization.superpoints == a.tokenization.superpoints);
        QVERIFY(b.tokenization.sampling == a.tokenization.sampling);
        QVERIFY(b.tokenization.grouping == a.tokenization.grouping);
        QVERIFY(b.propagation == a.propagation);
        QCOMPARE(b.training.dump(), a.training.dump());
        QVERIFY(!b.untrained());

        QCOMPARE(read.tensors.size(), written.tensors.size());
        for (std::size_t i = 0; i < read.tensors.size(); ++i) {
            QCOMPARE(read.tensors[i].name, written.tensors[i].name);
            QCOMPARE(read.tensors[i].shape, written.tensors[i].shape);
            QCOMPARE(read.tensors[i].values, written.tensors[i].values);  // float32 stored exactly
        }

        // The same checkpoint read through its .json path, and as a renamed pair of files.
        QVERIFY(readTokenizerConfig(dir("rt") / "tokenizer.json").pointnet == a.pointnet);
        std::filesystem::create_directories(dir("pair"));
        std::filesystem::copy_file(dir("rt") / "tokenizer.json", dir("pair") / "run7.json");
        std::filesystem::copy_file(dir("rt") / "tokenizer.safetensors", dir("pair") / "run7.safetensors");
        QCOMPARE(readTokenizerCheckpoint(dir("pair") / "run7.json").tensors.size(), written.tensors.size());
    }

    void jsonUsesTheDocumentedKeys() {
        const Json j = Json::parse(tokenizerConfigJson(unusualConfig()));
        QCOMPARE(j["format"].get<std::string>(), std::string("s4token-tokenizer"));
        QCOMPARE(j["version"].get<int>(), 2);
        QCOMPARE(j["clip"]["vision_width"].get<int>(), 24);
        QCOMPARE(j["clip"]["embed_dim"].get<int>(), 16);
        QCOMPARE(j["pointnet"]["input_dim"].get<int>(), 6);
        QCOMPARE(j["pointnet"]["output"].get<int>(), 24);
        QCOMPARE(j["pointnet"]["norm"].get<std::string>(), std::string("batch_norm"));
        QCOMPARE(j["position_embedding"]["bands"].get<int>(), 3);
        QCOMPARE(j["position_embedding"]["scale_by_radius"].get<bool>(), false);
        QCOMPARE(j["tokenizer"]["kind"].get<std::string>(), std::string("ball"));
        QCOMPARE(j["tokenizer"]["num_tokens"].get<int>(), 777);
        QCOMPARE(j["tokenizer"]["group_size"].get<int>(), 17);
        QCOMPARE(j["tokenizer"]["convention"].get<std::string>(), std::string("printed"));
        QCOMPARE(j["tokenizer"]["rpn"].get<bool>(), false);
        QCOMPARE(j["tokenizer"]["seed"].get<std::uint64_t>(), std::uint64_t(123456789012345ull));
        QCOMPARE(j["tokenizer"]["superpoints"]["edge_weighting"].get<std::string>(), std::string("gaussian"));
        QCOMPARE(j["tokenizer"]["superpoints"]["cut_pursuit"]["max_iterations"].get<int>(), 13);
        QCOMPARE(j["tokenizer"]["superpoints"]["cut_pursuit"]["block_size"].get<int>(), 100);
        QCOMPARE(j["tokenizer"]["superpoints"]["planar_merge"]["penalty"].get<double>(), 0.875);
        QCOMPARE(j["tokenizer"]["superpoints"]["planar_merge"]["feature_weight"].get<double>(), 0.3125);
        QCOMPARE(j["propagation"]["fallback_neighbours"].get<int>(), 4);
        QCOMPARE(j["training"]["epochs"].get<int>(), 300);
    }

    void documentedExampleReads() {
        // The example in docs/CHECKPOINT_FORMAT.md is a valid tokenizer.json of the current version.
        const std::string doc = readText(test::sourceDir() / "docs" / "CHECKPOINT_FORMAT.md");
        const std::size_t begin = doc.find("```json\n");
        QVERIFY(begin != std::string::npos);
        const std::size_t end = doc.find("```", begin + 8);
        const TokenizerCheckpointConfig c =
            parseTokenizerConfig(doc.substr(begin + 8, end - begin - 8), "doc example");
        QCOMPARE(c.clip.visionWidth, 768);
        QCOMPARE(c.pointnet.output, 768);
        QCOMPARE(c.positionEmbedding.bands, 128);
        QCOMPARE(c.tokenization.sampling.count, std::size_t(1024));
        QCOMPARE(c.version, kTokenizerCheckpointVersion);
        QVERIFY(c.tokenization.superpoints.planarMerge == SuperpointParams{}.planarMerge);
        QCOMPARE(tokenizerTensorSpecs(c.pointnet).size(), std::size_t(12));
    }

    void versionOneIsReadWithoutThePlanarMerge() {
        // A version-1 file as the first release wrote it: no superpoints.planar_merge. It reads with the
        // planar merge off (how its partition was made) and everything else as written.
        TokenizerCheckpoint cp = unusualCheckpoint();
        cp.config.version = 1;
        cp.config.tokenization.superpoints.planarMerge.penalty = 0.0;
        writeTokenizerCheckpoint(dir("v1"), cp);
        const auto json = dir("v1") / "tokenizer.json";
        Json j = Json::parse(readText(json));
        QCOMPARE(j["version"].get<int>(), 1);
        QVERIFY(!j["tokenizer"]["superpoints"].contains("planar_merge"));
        TokenizerCheckpoint read = readTokenizerCheckpoint(dir("v1"));
        QCOMPARE(read.config.version, 1);
        QCOMPARE(read.config.tokenization.superpoints.planarMerge.penalty, 0.0);
        QCOMPARE(read.config.tokenization.superpoints.regularization, 0.0625);
        QCOMPARE(read.config.tokenization.superpoints.minSuperpointSize, std::size_t(6));
        // The key does not exist in version 1, and is required from version 2 on.
        j["tokenizer"]["superpoints"]["planar_merge"] = {{"penalty", 0.3}, {"feature_weight", 0.05}};
        test::writeFile(json, j.dump());
        std::string message = readError(dir("v1"));
        QVERIFY2(message.find("tokenizer.superpoints.planar_merge") != std::string::npos, message.c_str());
        QVERIFY2(message.find("version-1") != std::string::npos, message.c_str());
        j["tokenizer"]["superpoints"].erase("planar_merge");
        j["version"] = 2;
        test::writeFile(json, j.dump());
        message = readError(dir("v1"));
        QVERIFY2(message.find("planar_merge") != std::string::npos, message.c_str());
        j["tokenizer"]["superpoints"]["planar_merge"] = {{"penalty", -1.0}, {"feature_weight", 0.05}};
        test::writeFile(json, j.dump());
        message = readError(dir("v1"));
        QVERIFY2(message.find("tokenizer.superpoints.planar_merge.penalty") != std::string::npos, message.c_str());
    }

    void newerVersionAndForeignFormatAreNamed() {
        writeTokenizerCheckpoint(dir("ver"), unusualCheckpoint());
        const auto json = dir("ver") / "tokenizer.json";
        Json j = Json::parse(readText(json));
        j["version"] = kTokenizerCheckpointVersion + 1;
        j["tokenizer"]["something_new"] = 1;  // a newer writer's key: the version message must win
        test::writeFile(json, j.dump());
        std::string message = readError(dir("ver"));
        QVERIFY2(message.find("newer S4Studio") != std::string::npos, message.c_str());
        QVERIFY2(message.find(json.string()) != std::string::npos, message.c_str());

        j["version"] = kTokenizerCheckpointVersion;
        j["tokenizer"].erase("something_new");
        j["format"] = "clip-weights";
        test::writeFile(json, j.dump());
        message = readError(dir("ver"));
        QVERIFY2(message.find("not an S4Token tokenizer checkpoint") != std::string::npos, message.c_str());
        QVERIFY2(message.find("\"format\"") != std::string::npos, message.c_str());
    }

    void hostileJsonNamesTheKey_data() {
        QTest::addColumn<QString>("mutation");
        QTest::addColumn<QString>("expected");  // must appear in the message
        QTest::newRow("not json") << "text:{\"format\": \"s4token-tokenizer\", "
                                  << "not valid JSON";
        QTest::newRow("array") << "text:[1, 2]"
                               << "must hold a JSON object";
        QTest::newRow("duplicate key") << "text:{\"format\": \"a\", \"format\": \"b\"}"
                                       << "repeats the key \"format\"";
        QTest::newRow("deep nesting") << "deep"
                                      << "deeper than";
        QTest::newRow("missing clip") << "erase:clip"
                                      << "lacks the required key \"clip\"";
        QTest::newRow("missing gamma") << "erase:tokenizer.gamma"
                                       << "lacks the required key \"gamma\"";
        QTest::newRow("width as string") << "set:clip.vision_width=\"768\""
                                         << "key \"clip.vision_width\": must be an integer";
        QTest::newRow("negative tokens") << "set:tokenizer.num_tokens=-5"
                                         << "key \"tokenizer.num_tokens\": must be in";
        QTest::newRow("huge group") << "set:tokenizer.group_size=100000000000000000000"
                                    << "key \"tokenizer.group_size\"";
        QTest::newRow("gamma above 1") << "set:tokenizer.gamma=2.5"
                                       << "key \"tokenizer.gamma\": must be in [0, 1]";
        QTest::newRow("alpha below 1") << "set:tokenizer.alpha=0.5"
                                       << "key \"tokenizer.alpha\"";
        QTest::newRow("unknown convention")
            << "set:tokenizer.convention=\"sideways\""
            << "key \"tokenizer.convention\": is \"sideways\"; accepted: described, printed";
        QTest::newRow("rpn as number") << "set:tokenizer.rpn=1"
                                       << "key \"tokenizer.rpn\": must be true or false";
        QTest::newRow("unknown key") << "set:tokenizer.superpoints.rho=1"
                                     << "key \"tokenizer.superpoints.rho\": is not a key";
        QTest::newRow("nested wrong type") << "set:tokenizer.superpoints.cut_pursuit=[]"
                                           << "key \"tokenizer.superpoints.cut_pursuit\": must be an object";
        QTest::newRow("output not the width") << "set:pointnet.output=25"
                                              << "key \"pointnet.output\"";
        QTest::newRow("input dim 4") << "set:pointnet.input_dim=4"
                                     << "key \"pointnet.input_dim\"";
        QTest::newRow("zero width layer") << "set:pointnet.first_mlp=[8, 0]"
                                          << "key \"pointnet.first_mlp\"";
        QTest::newRow("too many bands") << "set:position_embedding.bands=5"
                                        << "key \"position_embedding.bands\"";
        QTest::newRow("heads do not divide") << "set:clip.heads=5"
                                             << "key \"clip.heads\"";
        QTest::newRow("epsilon zero") << "set:propagation.epsilon=0"
                                      << "key \"propagation.epsilon\"";
        QTest::newRow("training not object") << "set:training=3"
                                             << "key \"training\": must be an object";
        QTest::newRow("negative seed") << "set:tokenizer.seed=-1"
                                       << "key \"tokenizer.seed\"";
    }

    void hostileJsonNamesTheKey() {
        QFETCH(QString, mutation);
        QFETCH(QString, expected);
        const auto folder = dir("hostile");
        writeTokenizerCheckpoint(folder, unusualCheckpoint());
        const auto json = folder / "tokenizer.json";
        const std::string m = mutation.toStdString();
        if (m.rfind("text:", 0) == 0) {
            test::writeFile(json, m.substr(5));
        } else if (m == "deep") {
            // 200 nested arrays inside the free-form "training" object.
            Json base = Json::parse(readText(json));
            base.erase("training");
            std::string text = base.dump();
            text.insert(text.size() - 1,
                        ", \"training\": {\"x\": " + std::string(200, '[') + std::string(200, ']') + "}");
            test::writeFile(json, text);
        } else {
            Json j = Json::parse(readText(json));
            const bool erase = m.rfind("erase:", 0) == 0;
            std::string path = m.substr(m.find(':') + 1);
            std::string value;
            if (!erase) {
                value = path.substr(path.find('=') + 1);
                path = path.substr(0, path.find('='));
            }
            Json* node = &j;
            std::string key = path;
            for (std::size_t dot; (dot = key.find('.')) != std::string::npos; key = key.substr(dot + 1))
                node = &(*node)[key.substr(0, dot)];
            if (erase) {
                node->erase(key);
                test::writeFile(json, j.dump());
            } else {
                (*node)[key] = "__VALUE__";
                std::string text = j.dump();
                text.replace(text.find("\"__VALUE__\""), 11, value);  // raw, so 1e20-sized integers stay raw
                test::writeFile(json, text);
            }
        }
        const std::string message = readError(folder);
        QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
        QVERIFY2(message.find(json.string()) != std::string::npos, message.c_str());
    }

    void weightsMustMatchTheArchitecture_data() {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing") << "missing"
                                 << "tensor \"pointnet.second_mlp.2.bias\": is missing";
        QTest::newRow("misshaped") << "misshaped"
                                   << "tensor \"pointnet.first_mlp.0.weight\": has shape [8, 3] but";
        QTest::newRow("extra") << "extra"
                               << "tensor \"pointnet.head.weight\": is not part of the architecture";
        QTest::newRow("nan") << "nan"
                             << "non-finite value at element 2";
        QTest::newRow("integer") << "integer"
                                 << "has dtype I32";
        QTest::newRow("negative variance") << "variance"
                                           << "negative variance";
        QTest::newRow("no weights file") << "nofile"
                                         << "tokenizer.safetensors";
    }

    void weightsMustMatchTheArchitecture() {
        QFETCH(QString, fault);
        QFETCH(QString, expected);
        const auto folder = dir("weights");
        const TokenizerCheckpoint cp = unusualCheckpoint();
        writeTokenizerCheckpoint(folder, cp);
        std::vector<SafeTensorData> data;
        for (const TokenizerTensor& t : cp.tensors) {
            std::vector<std::int64_t> shape = t.shape;
            std::vector<float> values = t.values;
            if (fault == "missing" && t.name == "pointnet.second_mlp.2.bias") continue;
            if (fault == "misshaped" && t.name == "pointnet.first_mlp.0.weight") {
                shape = {8, 3};
                values.resize(24);
            }
            if (fault == "nan" && t.name == "pointnet.first_mlp.1.bias") values[2] = std::nanf("");
            if (fault == "variance" && t.name == "pointnet.first_mlp.0.norm.running_var") values[1] = -0.5f;
            if (fault == "integer" && t.name == "pointnet.first_mlp.0.bias") {
                SafeTensorData d{t.name, SafeTensorDType::I32, shape,
                                 std::vector<std::uint8_t>(values.size() * 4)};
                data.push_back(std::move(d));
                continue;
            }
            data.push_back(SafeTensorData::fromFloat32(t.name, shape, values));
        }
        if (fault == "extra")
            data.push_back(SafeTensorData::fromFloat32("pointnet.head.weight", {1}, std::vector<float>{1}));
        writeSafeTensors(folder / "tokenizer.safetensors", data);
        if (fault == "nofile") std::filesystem::remove(folder / "tokenizer.safetensors");
        const std::string message = readError(folder);
        QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
        QVERIFY2(message.find("tokenizer.safetensors") != std::string::npos, message.c_str());
    }

    void writerRefusesWhatWouldNotReadBack() {
        const auto folder = dir("refused");
        TokenizerCheckpoint cp = unusualCheckpoint();
        cp.tensors[3].shape = {99};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, writeTokenizerCheckpoint(folder, cp));
        cp = unusualCheckpoint();
        cp.config.tokenization.sampling.gamma = 1.5;
        try {
            writeTokenizerCheckpoint(folder, cp);
            QFAIL("gamma 1.5 was written");
        } catch (const InvalidArgument& e) {
            QVERIFY2(std::string(e.what()).find("tokenizer.gamma") != std::string::npos, e.what());
        }
        cp = unusualCheckpoint();
        cp.config.version = kTokenizerCheckpointVersion + 1;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, writeTokenizerCheckpoint(folder, cp));
        cp = unusualCheckpoint();  // version 1 had no planar merge: it cannot be written there
        cp.config.version = 1;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, writeTokenizerCheckpoint(folder, cp));
        QVERIFY(!std::filesystem::exists(folder / "tokenizer.json"));
        QVERIFY(!std::filesystem::exists(folder / "tokenizer.safetensors"));
    }

    void untrainedCheckpointIsMarkedAndDeterministic() {
        clip::ClipConfig clip;
        clip.vision.width = 64;
        clip.vision.heads = 4;
        clip.vision.layers = 2;
        clip.embedDim = 32;
        TokenizationParams params;
        params.sampling.count = 128;
        writeRandomTokenizerCheckpoint(dir("u1"), clip, params, 5);
        writeRandomTokenizerCheckpoint(dir("u2"), clip, params, 5);
        writeRandomTokenizerCheckpoint(dir("u3"), clip, params, 6);
        const TokenizerCheckpoint a = readTokenizerCheckpoint(dir("u1"));
        QVERIFY(a.config.untrained());
        QCOMPARE(a.config.pointnet.output, 64);
        QCOMPARE(a.config.clip.visionWidth, 64);
        QCOMPARE(a.config.clip.embedDim, 32);
        QCOMPARE(a.config.positionEmbedding.bands, 10);  // ⌊64 / 6⌋
        QCOMPARE(a.config.tokenization.sampling.count, std::size_t(128));
        QCOMPARE(readText(dir("u1") / "tokenizer.safetensors"),
                 readText(dir("u2") / "tokenizer.safetensors"));
        QVERIFY(readText(dir("u1") / "tokenizer.safetensors") !=
                readText(dir("u3") / "tokenizer.safetensors"));
        for (const TokenizerTensor& t : a.tensors) {
            if (t.name.find(".norm.weight") != std::string::npos) {
                QVERIFY(std::all_of(t.values.begin(), t.values.end(), [](float v) { return v == 1.0f; }));
            } else if (t.shape.size() == 2) {
                const float bound = 1.0f / std::sqrt(float(t.shape[1]));
                float largest = 0.0f;
                for (float v : t.values) largest = std::max(largest, std::abs(v));
                QVERIFY(largest <= bound);
                QVERIFY(largest > 0.5f * bound);  // actually spread over the range
            }
        }
        // Too narrow a CLIP for the position embedding.
        clip.vision.width = 4;
        clip.vision.heads = 1;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, writeRandomTokenizerCheckpoint(dir("u4"), clip, params, 5));
    }
};

QTEST_GUILESS_MAIN(TestEncoderCheckpoint)
#include "tst_encoder_checkpoint.moc"
