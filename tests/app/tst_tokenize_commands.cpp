// `--batch superpoints`, `--batch tokenize` and `--batch partition-quality` end to end: they read a
// cloud, write the promised PLY fields and print JSON whose numbers agree with the written file.
#include "core/io/SceneReader.h"
#include "core/io/SceneWriter.h"
#include "tests/support/TestData.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
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
        Run missing = studio({"--batch", "partition-quality", q(root / "missing.ply")});
        QCOMPARE(missing.code, 1);
        QVERIFY(missing.err.rfind("error: ", 0) == 0);
        // A cloud without labels: the branch that says so.
        test::writeFile(root / "plain.xyz", "0 0 0\n1 0 0\n0 1 0\n1 1 0\n2 0 0\n0 2 0\n");
        Run nolabels = studio({"--batch", "partition-quality", q(root / "plain.xyz")});
        QCOMPARE(nolabels.code, 1);
        QVERIFY2(nolabels.err.find("no integer 'label' field") != std::string::npos, nolabels.err.c_str());
    }

    // What a demanding user would otherwise find out the hard way: an output folder that does not exist
    // is refused before the work; a cloud whose points are all unannotated has nothing to score; a score
    // with nothing to count is null, not a perfect 1; options that cannot apply are named in a warning.
    void unusableRequestsAreSaidPlainly() {
        QTemporaryDir dir;
        const fs::path root(dir.path().toStdString());
        const fs::path in = writeRoom(root);
        Run nowhere = studio({"--batch", "tokenize", q(in), "--out", q(root / "missing" / "x.ply")});
        QCOMPARE(nowhere.code, 1);
        QVERIFY2(nowhere.err.find("does not exist") != std::string::npos, nowhere.err.c_str());
        QVERIFY2(nowhere.err.find("[superpoint]") == std::string::npos, "the work ran before the check");

        Scene unlabelled = readScene(in);
        std::fill_n(unlabelled.find(attr::kLabel)->data<std::int32_t>(), unlabelled.pointCount(), 0);
        writePly(unlabelled, root / "unannotated.ply");
        Run none = studio({"--batch", "partition-quality", q(root / "unannotated.ply")});
        QCOMPARE(none.code, 1);
        QVERIFY2(none.err.find("ignore label 0") != std::string::npos, none.err.c_str());

        Scene single = readScene(in);
        std::fill_n(single.find(attr::kLabel)->data<std::int32_t>(), single.pointCount(), 5);
        writePly(single, root / "one-class.ply");
        Run flat = studio({"--batch", "partition-quality", q(root / "one-class.ply"), "--num-tokens", "16"});
        QVERIFY2(flat.code == 0, flat.err.c_str());
        const auto fj = nlohmann::json::parse(flat.out);
        QVERIFY(fj["boundary_recall"].is_null());  // no label boundary to recall
        QCOMPARE(fj["truth_boundary_points"].get<int>(), 0);
        QCOMPARE(fj["oracle_miou"].get<double>(), 1.0);

        const fs::path sp = root / "sp.ply";
        QCOMPARE(studio({"--batch", "superpoints", q(in), "--out", q(sp)}).code, 0);
        Run own = studio({"--batch", "superpoints", q(sp), "--rho", "5", "--out", q(root / "again.ply")});
        QVERIFY2(own.code == 0, own.err.c_str());
        QVERIFY2(own.err.find("--rho ignored") != std::string::npos && own.err.find("--compute-superpoints") != std::string::npos,
                 own.err.c_str());
        Run knn = studio({"--batch", "tokenize", q(in), "--tokenizer", "knn", "--gamma", "0.5", "--num-tokens", "4000",
                          "--out", q(root / "k.ply")});
        QVERIFY2(knn.code == 0, knn.err.c_str());
        QVERIFY2(knn.err.find("--gamma: options of WFPS") != std::string::npos, knn.err.c_str());
        const std::size_t points = readScene(in).pointCount();
        QVERIFY2(knn.err.find(std::to_string(points) + " anchors instead of the 4000") != std::string::npos, knn.err.c_str());

        // A small cloud: the defaults leave no WFPS candidate, and the message names the option that helps,
        // which partition-quality takes too.
        std::string text;
        for (int i = 0; i < 8; ++i) text += std::to_string(i % 4) + " " + std::to_string(i / 4) + " 0 " + std::to_string(1 + i / 4) + "\n";
        test::writeFile(root / "small.txt", text);
        const QStringList small = {"--batch", "partition-quality", q(root / "small.txt"), "--columns", "x,y,z,label",
                                   "--num-tokens", "4", "--patch-size", "4"};
        Run tooFew = studio(small);
        QCOMPARE(tooFew.code, 1);
        QVERIFY2(tooFew.err.find("--min-candidate-size") != std::string::npos, tooFew.err.c_str());
        Run enough = studio(QStringList(small) << "--min-candidate-size" << "1");
        QVERIFY2(enough.code == 0, enough.err.c_str());

        // Points with a NaN coordinate are left out; the JSON says how many rows the output lacks.
        test::writeFile(root / "holes.xyz", "0 0 0\n1 0 0\nnan 0 0\n0 1 0\n1 1 0\n2 0 0\n0 2 0\n2 2 0\n");
        Run holes = studio({"--batch", "superpoints", q(root / "holes.xyz"), "--out", q(root / "holes.ply")});
        QVERIFY2(holes.code == 0, holes.err.c_str());
        const auto hj = nlohmann::json::parse(holes.out);
        QCOMPARE(hj["dropped_non_finite"].get<int>(), 1);
        QCOMPARE(hj["points"].get<int>(), 7);

        writePly(Scene(), root / "empty.ply");
        Run empty = studio({"--batch", "tokenize", q(root / "empty.ply"), "--out", q(root / "e.ply")});
        QCOMPARE(empty.code, 1);
        QVERIFY2(empty.err.find("no points") != std::string::npos, empty.err.c_str());
    }

    // Numbers outside what the stages accept are usage errors (exit 2) before anything is read or
    // written: no wrapped negative counts, no NaN or infinite factors, no all-pairs graphs.
    void outOfRangeNumbersAreUsageErrors() {
        QTemporaryDir dir;
        const fs::path root(dir.path().toStdString());
        const fs::path in = writeRoom(root);
        const std::vector<std::vector<std::string>> cases = {
            {"--num-tokens", "-5"}, {"--num-tokens", "0"},       {"--patch-size", "2147483647"},
            {"--alpha", "inf"},     {"--alpha", "nan"},          {"--gamma", "nan"},
            {"--graph-k", "2000000000"}, {"--min-superpoint-size", "-1"}, {"--min-candidate-size", "-1"},
            {"--color-weight", "-2"},    {"--rho", "nan"},           {"--seed", "-1"},
            {"--tokenizer", "bogus"},    {"--convention", "bogus"},  {"--format", "bogus"}};
        for (const auto& c : cases) {
            Run r = studio({"--batch", "tokenize", q(in), QString::fromStdString(c[0]), QString::fromStdString(c[1]),
                            "--out", q(root / "x.ply")});
            QVERIFY2(r.code == 2, (c[0] + " " + c[1] + ": exit " + std::to_string(r.code) + ": " + r.err).c_str());
            QVERIFY2(r.err.find(c[0]) != std::string::npos || r.err.find(c[1]) != std::string::npos,
                     (c[0] + " " + c[1] + ": " + r.err).c_str());
            QVERIFY(!fs::exists(root / "x.ply"));
        }
        Run boundary = studio({"--batch", "partition-quality", q(in), "--boundary-k", "0"});
        QCOMPARE(boundary.code, 2);
    }

    // Every command that reads a cloud takes the reading options (here a text file whose columns the
    // guess would get wrong: label first).
    void readingOptionsReachEveryCommand() {
        QTemporaryDir dir;
        const fs::path root(dir.path().toStdString());
        std::string text;
        for (int i = 0; i < 400; ++i)
            text += std::to_string(i % 2) + " " + std::to_string(i % 20) + " " + std::to_string(i / 20) + " 0\n";
        test::writeFile(root / "labelled.txt", text);
        Run r = studio({"--batch", "partition-quality", q(root / "labelled.txt"), "--columns", "label,x,y,z",
                        "--num-tokens", "16", "--patch-size", "8"});
        QVERIFY2(r.code == 0, r.err.c_str());
        QCOMPARE(nlohmann::json::parse(r.out)["points"].get<int>(), 400);
        Run s = studio({"--batch", "superpoints", q(root / "labelled.txt"), "--columns", "label,x,y,z", "--out",
                        q(root / "sp.ply")});
        QVERIFY2(s.code == 0, s.err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestTokenizeCommands)
#include "tst_tokenize_commands.moc"
