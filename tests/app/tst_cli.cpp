// The s4studio command line: --version, --help, --log-level, and `--batch info` on good and bad files.
#include "tests/support/TestData.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>

namespace fs = std::filesystem;
using namespace s4;

namespace {

using Run = test::StudioRun;
using test::runStudio;

QStringList nonEmptyLines(const QString& text) { return text.split('\n', Qt::SkipEmptyParts); }

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void versionAndHelp() {
        Run v = runStudio({"--version"});
        QCOMPARE(v.code, 0);
        QVERIFY2(v.out.startsWith("s4studio "), qPrintable(v.out));
        Run h = runStudio({"--help"});
        QCOMPARE(h.code, 0);
        QVERIFY(h.out.contains("--batch") || h.out.contains("info"));
        QVERIFY(h.out.contains("--log-level"));
        Run ih = runStudio({"--batch", "info", "--help"});
        QCOMPARE(ih.code, 0);
        QVERIFY(ih.out.contains("--columns"));
    }

    // Usage errors exit with 2 (README) and say why on stderr.
    void badArgumentsExitWithTwo() {
        Run level = runStudio({"--log-level", "loud", "--batch", "info", "x.ply"});
        QCOMPARE(level.code, 2);
        QVERIFY(level.err.contains("loud"));
        Run unknown = runStudio({"--batch", "frobnicate"});
        QCOMPARE(unknown.code, 2);
        QVERIFY(unknown.err.contains("frobnicate"));
        Run missing = runStudio({"--batch"});
        QCOMPARE(missing.code, 2);
        Run format = runStudio({"--batch", "info", "--format", "bogus", "x.ply"});
        QCOMPARE(format.code, 2);
        QVERIFY(format.err.contains("bogus"));
    }

    // Names that are not UTF-8 (a field or file named in another encoding) cannot abort the JSON output.
    void nonUtf8NamesGiveValidJson() {
        test::ScratchFolder dir;
        const fs::path file = dir.write("latin1.ply", "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\n"
                                                       "property float y\nproperty float z\nproperty float t\xe9mp\n"
                                                       "end_header\n0 0 0 1\n1 1 1 2\n");
        Run r = runStudio({"--batch", "info", QString::fromStdString(file.string())});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QStringList out = nonEmptyLines(r.out);
        QCOMPARE(out.size(), 1);
        const auto j = nlohmann::json::parse(out[0].toStdString());
        QCOMPARE(j["points"].get<int>(), 2);
        QVERIFY(out[0].contains(QChar(0xFFFD)));  // the é byte, replaced
    }

    void infoPrintsJsonForGoodFilesAndFailsForBadOnes() {
        test::ScratchFolder dir;
        const fs::path good = dir.file("two.xyz");
        const fs::path bad = dir.file("bad.ply");
        test::writeFile(good, "0 0 0\n1 2 3\n");
        test::writeFile(bad, "ply\nformat ascii 1.0\nelement vertex 1000000000000\nproperty float x\nend_header\n");
        Run r = runStudio({"--batch", "info", QString::fromStdString(good.string()), QString::fromStdString(bad.string())});
        QCOMPARE(r.code, 1);
        const QStringList out = nonEmptyLines(r.out);
        QCOMPARE(out.size(), 1);
        auto j = nlohmann::json::parse(out[0].toStdString());
        QCOMPARE(j["points"].get<int>(), 2);
        QCOMPARE(j["bbox"]["max"][2].get<double>(), 3.0);
        const QStringList err = nonEmptyLines(r.err);
        QCOMPARE(err.size(), 1);
        QVERIFY2(err[0].startsWith("error: ") && err[0].contains("bad.ply"), qPrintable(err[0]));
    }

    void infoAnswersForEverySharedFile() {
        if (!test::sharedDataAvailable()) QSKIP("../shared/data is not beside the repository");
        std::ifstream in(test::sourceDir() / "tests/data/shared_data_expected.json");
        auto table = nlohmann::json::parse(in);
        QStringList args{"--batch", "info"};
        std::vector<std::string> order;
        for (const auto& [rel, _] : table.items()) {
            args << QString::fromStdString(test::sharedData(rel).string());
            order.push_back(rel);
        }
        Run r = runStudio(args);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QStringList lines = nonEmptyLines(r.out);
        QCOMPARE(std::size_t(lines.size()), order.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            auto j = nlohmann::json::parse(lines[int(i)].toStdString());
            QCOMPARE(j["points"].get<std::size_t>(), table[order[i]]["points"].get<std::size_t>());
            QVERIFY(j.contains("format") && j.contains("fields") && j.contains("bbox"));
            if (table[order[i]].contains("label_histogram")) QVERIFY(j.contains("label_histogram"));
        }
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
