// Every point cloud in ../shared/data reads with the point count and label histogram that an independent
// plain-Python reader (scripts/shared_data_reference.py) computed into tests/data/shared_data_expected.json.
#include "core/common/Error.h"
#include "core/io/SceneReader.h"
#include "tests/support/TestData.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

using namespace s4;
namespace fs = std::filesystem;

namespace {

nlohmann::json expectedTable() {
    std::ifstream in(test::sourceDir() / "tests/data/shared_data_expected.json");
    return nlohmann::json::parse(in);
}

bool isCloudFile(const fs::path& rel) {
    const std::string ext = rel.extension().string();
    const std::string s = rel.generic_string();
    if (ext == ".ply" || ext == ".pcd" || ext == ".off" || ext == ".pts") return true;
    if (ext == ".bin") return s.find("/velodyne/") != std::string::npos || s.find("/points/") != std::string::npos;
    if (ext == ".txt") return s.rfind("shapenetpart/", 0) == 0 && s.find("/0") != std::string::npos;
    return false;
}

} // namespace

class TestSharedData : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        if (!test::sharedDataAvailable())
            QSKIP("../shared/data is not beside the repository; the real-data suite needs it");
    }

    void everyCloudFileIsInTheReferenceTable() {
        const auto table = expectedTable();
        std::set<std::string> onDisk;
        for (const auto& e : fs::recursive_directory_iterator(test::sharedDataDir())) {
            if (!e.is_regular_file()) continue;
            fs::path rel = fs::relative(e.path(), test::sharedDataDir());
            if (isCloudFile(rel)) onDisk.insert(rel.generic_string());
        }
        QVERIFY(onDisk.size() >= 30);
        for (const auto& rel : onDisk)
            QVERIFY2(table.contains(rel), ("not in the reference table: " + rel).c_str());
    }

    void readsWithExpectedCountAndHistogram_data() {
        QTest::addColumn<QString>("relative");
        const auto table = expectedTable();  // items() must not outlive the table
        for (const auto& [rel, _] : table.items()) QTest::newRow(rel.c_str()) << QString::fromStdString(rel);
    }

    void readsWithExpectedCountAndHistogram() {
        QFETCH(QString, relative);
        const auto expected = expectedTable()[relative.toStdString()];
        Scene scene;
        try {
            scene = readScene(test::sharedData(relative.toStdString()));
        } catch (const Error& e) {
            QFAIL(e.what());
        }
        QCOMPARE(scene.pointCount(), expected["points"].get<std::size_t>());
        if (expected.contains("label_histogram")) {
            QVERIFY2(scene.find(attr::kLabel), "the file has labels but the scene has no label attribute");
            const auto histogram = scene.histogram(attr::kLabel);
            QCOMPARE(histogram.size(), expected["label_histogram"].size());
            for (const auto& [id, count] : expected["label_histogram"].items()) {
                auto it = histogram.find(std::stoll(id));
                QVERIFY2(it != histogram.end(), ("missing label " + id).c_str());
                QCOMPARE(it->second, count.get<std::uint64_t>());
            }
        }
        QVERIFY(!scene.bounds().empty);
        for (const auto& p : scene.positions) QVERIFY(p.allFinite());
    }
};

QTEST_GUILESS_MAIN(TestSharedData)
#include "tst_shared_data.moc"
