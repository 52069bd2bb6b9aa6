// `--batch superpoints`, `--batch tokenize` and `--batch partition-quality` end to end: they read a
// cloud, write the promised PLY fields and print JSON whose numbers agree with the written file.
#include "core/io/SceneReader.h"
#include "core/io/SceneWriter.h"
#include "tests/support/TestData.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <set>

namespace fs = std::filesystem;
using namespace s4;

namespace {

using Run = test::StudioText;
Run studio(const QStringList& args) { return test::runStudioText(args); }

/// Three labelled boxes' worth of planes: a floor (label 1), a wall (2) and a table top (3).
fs::path writeRoom(const fs::path& dir) {
    Scene s;
    std::vector<std::int32_t> labels;
    for (int i = 0; i < 30; ++i)
        for (int j = 0; j < 30; ++j) {
            s.positions.push_back({i * 0.1f, j * 0.1f, 0.0f});
            labels.push_back(1);
            s.positions.push_back({i * 0.1f, 0.0f, 0.1f + j * 0.1f});
            labels.push_back(2);
            if (i < 15 && j < 15) {
                s.positions.push_back({1.0f + i * 0.05f, 1.0f + j * 0.05f, 0.8f});
                labels.push_back(3);
            }
        }
    auto& l = s.add(attr::kLabel, ScalarType::Int32, 1);
    std::copy(labels.begin(), labels.end(), l.data<std::int32_t>());
    const fs::path path = dir / "room.ply";
    writePly(s, path);
    return path;
}

QString q(const fs::path& p) { return QString::fromStdString(p.string()); }

} // namespace

class TestTokenizeCommands : public QObject {
    Q_OBJECT
private slots:
    void tokenizeWritesAnchorsPatchesAndSuperpoints() {
        QTemporaryDir dir;
        const fs::path root(dir.path().toStdString());
        const fs::path in = writeRoom(root), out = root / "tokens.ply";
        Run r = studio({"--batch", "tokenize", q(in), "--num-tokens", "48", "--patch-size", "16", "--gamma", "0.4",
                        "--seed", "3", "--out", q(out)});
        QVERIFY2(r.code == 0, r.err.c_str());
        auto j = nlohmann::json::parse(r.out);
        QCOMPARE(j["parameters"]["tokenizer"].get<std::string>(), std::string("s4token"));
        QCOMPARE(j["parameters"]["gamma"].get<double>(), 0.4);
        QCOMPARE(j["counts"]["anchors"].get<int>(), 48);
        QVERIFY(j["r"].get<double>() > 0.0);
        for (const char* stage : {"read", "superpoints", "sampling", "grouping"}) QVERIFY(j["timings_ms"].contains(stage));

        Scene tokens = readScene(out);
        QCOMPARE(tokens.pointCount(), std::size_t(2025));
        const AttributeArray* anchor = tokens.find("anchor");
        const AttributeArray* patch = tokens.find("patch");
        const AttributeArray* sp = tokens.find(attr::kSuperpoint);
        QVERIFY(anchor && patch && sp);
        int anchors = 0;
        std::set<int> patchIds, superpoints;
        for (std::size_t i = 0; i < tokens.pointCount(); ++i) {
            anchors += anchor->valueAsDouble(i) != 0.0;
            patchIds.insert(int(patch->valueAsDouble(i)));
            superpoints.insert(int(sp->valueAsDouble(i)));
            // Every anchor is the centre of its own patch, so it is always assigned.
            if (anchor->valueAsDouble(i) != 0.0) QVERIFY(patch->valueAsDouble(i) >= 0.0);
        }
        QCOMPARE(anchors, 48);
        QCOMPARE(int(superpoints.size()), j["counts"]["superpoints"].get<int>());
        patchIds.erase(-1);
        QCOMPARE(int(patchIds.size()), 48);

        // Same seed, same tokens.
        const fs::path again = root / "again.ply";
        Run r2 = studio({"--batch", "tokenize", q(in), "--num-tokens", "48", "--patch-size", "16", "--gamma", "0.4",
                         "--seed", "3", "--out", q(again)});
        QCOMPARE(r2.code, 0);
        Scene tokens2 = readScene(again);
        for (std::size_t i = 0; i < tokens.pointCount(); ++i)
            QCOMPARE(tokens2.find("anchor")->valueAsDouble(i), anchor->valueAsDouble(i));
    }

    void superpointsAndQuality() {
        QTemporaryDir dir;
        const fs::path root(dir.path().toStdString());
        const fs::path in = writeRoom(root), out = root / "sp.ply";
        Run r = studio({"--batch", "superpoints", q(in), "--out", q(out)});
        QVERIFY2(r.code == 0, r.err.c_str());
        auto j = nlohmann::json::parse(r.out);
        Scene sp = readScene(out);
        std::set<int> ids;
        for (std::size_t i = 0; i < sp.pointCount(); ++i) ids.insert(int(sp.find(attr::kSuperpoint)->valueAsDouble(i)));
        QCOMPARE(int(ids.size()), j["count"].get<int>());
        QVERIFY(ids.size() >= 3);  // three planes with distinct normals or heights

        Run qr = studio({"--batch", "partition-quality", q(in), "--num-tokens", "32", "--patch-size", "16"});
        QVERIFY2(qr.code == 0, qr.err.c_str());
        auto qj = nlohmann::json::parse(qr.out);
        QVERIFY(qj["oracle_miou"].get<double>() > 0.9);  // planes this clean are separable
        for (const char* t : {"knn", "ball", "s4token"}) {
            const double purity = qj["patches"][t]["mean_purity"].get<double>();
            QVERIFY(purity > 0.0 && purity <= 1.0);
        }
        // Superpoint-constrained patches never mix the planes' labels more than unconstrained balls.
        QVERIFY(qj["patches"]["s4token"]["mean_purity"].get<double>() >= qj["patches"]["ball"]["mean_purity"].get<double>());
    }

    void badInputsFailWithOneLine() {
        QTemporaryDir dir;
        const fs::path root(dir.path().toStdString());
        const fs::path in = writeRoom(root);
        Run bad = studio({"--batch", "tokenize", q(in), "--tokenizer", "pointnet", "--out", q(root / "x.ply")});
        QVERIFY(bad.code != 0);
        QVERIFY(bad.err.find("pointnet") != std::string::npos);
        Run gamma = studio({"--batch", "tokenize", q(in), "--gamma", "3", "--out", q(root / "x.ply")});
        QVERIFY(gamma.code != 0);
        QVERIFY(!fs::exists(root / "x.ply"));
        Run nolabels = studio({"--batch", "partition-quality", q(root / "missing.ply")});
        QVERIFY(nolabels.code != 0);
        QVERIFY(nolabels.err.rfind("error: ", 0) == 0);
    }
};

QTEST_GUILESS_MAIN(TestTokenizeCommands)
#include "tst_tokenize_commands.moc"
