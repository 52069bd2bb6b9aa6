// SemanticKITTI velodyne scans with .label files, and mmdetection3d points/*.bin with semantic and
// instance masks: hand-built files, malformed ones, and the real shared scans checked against a
// separate minimal parse of their raw bytes.
#include "core/common/Error.h"
#include "core/io/SceneReader.h"
#include "tests/support/TestData.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>

using namespace s4;
namespace fs = std::filesystem;

namespace {

template <class T>
std::string raw(const std::vector<T>& values) {
    std::string out(values.size() * sizeof(T), '\0');
    std::memcpy(out.data(), values.data(), out.size());
    return out;
}

template <class T>
std::vector<T> readRaw(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<T> values(bytes.size() / sizeof(T));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
    return values;
}

std::string errorOf(const fs::path& path, const ReadOptions& options = {}) { return test::readError(path, options); }

}  // namespace

class TestKittiMmdet : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    fs::path root() const { return fs::path(dir_.path().toStdString()); }

private slots:
    void kittiScanWithLabelsInSiblingFolder() {
        const fs::path scan = root() / "seq/velodyne/000007.bin";
        test::writeFile(scan, raw<float>({1, 2, 3, 0.5f, -4, 5, -6, 0.25f, 7, 8, 9, 1}));
        // semantic 40 / instance 3, semantic 252 / instance 0, semantic 65535 / instance 65535
        test::writeFile(root() / "seq/labels/000007.label",
                        raw<std::uint32_t>({(3u << 16) | 40u, 252u, 0xFFFFFFFFu}));
        const Scene s = readScene(scan);
        QCOMPARE(s.source.format, std::string("kitti-bin"));
        QCOMPARE(s.pointCount(), std::size_t(3));
        QCOMPARE(s.positions[1], Eigen::Vector3f(-4, 5, -6));
        QCOMPARE(s.find(attr::kIntensity)->data<float>()[1], 0.25f);
        const auto* label = s.find(attr::kLabel)->data<std::int32_t>();
        const auto* instance = s.find(attr::kInstance)->data<std::int32_t>();
        QCOMPARE((std::vector<int>(label, label + 3)), (std::vector<int>{40, 252, 65535}));
        QCOMPARE((std::vector<int>(instance, instance + 3)), (std::vector<int>{3, 0, 65535}));
    }

    void kittiLabelsBesideTheScanAndNoLabels() {
        const fs::path scan = root() / "flat/scan.bin";
        test::writeFile(scan, raw<float>({1, 2, 3, 0, 4, 5, 6, 0}));
        QVERIFY(!readScene(scan).find(attr::kLabel));
        test::writeFile(root() / "flat/scan.label", raw<std::uint32_t>({(1u << 16) | 10u, 11u}));
        const Scene s = readScene(scan);
        QCOMPARE(s.find(attr::kLabel)->data<std::int32_t>()[0], 10);
        QCOMPARE(s.find(attr::kInstance)->data<std::int32_t>()[0], 1);
    }

    void kittiMalformed() {
        const fs::path odd = root() / "bad/velodyne/000001.bin";
        test::writeFile(odd, std::string(16 * 3 + 7, '\0'));
        QVERIFY(QString::fromStdString(errorOf(odd))
                    .contains("000001.bin: byte 48: the size 55 bytes is not a multiple of 16"));
        const fs::path empty = root() / "bad/velodyne/000002.bin";
        test::writeFile(empty, "");
        QVERIFY(QString::fromStdString(errorOf(empty)).contains("000002.bin: the scan is empty"));
        const fs::path scan = root() / "bad/velodyne/000003.bin";
        test::writeFile(scan, std::string(16 * 4, '\0'));
        test::writeFile(root() / "bad/labels/000003.label", std::string(4 * 5, '\0'));
        const std::string error = errorOf(scan);
        QVERIFY2(QString::fromStdString(error).contains(
                     "000003.label: holds 20 bytes, but the scan 000003.bin has 4 points"),
                 error.c_str());
    }

    void kittiRealScanMatchesRawLabels() {
        if (!test::sharedDataAvailable()) QSKIP("../shared/data is not beside the repository");
        const fs::path scan = test::sharedData("semantickitti/sequences/00/velodyne/000000.bin");
        const auto labels =
            readRaw<std::uint32_t>(test::sharedData("semantickitti/sequences/00/labels/000000.label"));
        const auto floats = readRaw<float>(scan);
        std::map<std::int64_t, std::uint64_t> semantic;
        std::uint64_t withInstance = 0;
        for (auto v : labels) {
            ++semantic[v & 0xFFFF];
            withInstance += (v >> 16) != 0;
        }
        const Scene s = readScene(scan);
        QCOMPARE(s.pointCount(), std::size_t(124668));
        QCOMPARE(s.pointCount(), floats.size() / 4);
        QCOMPARE(s.histogram(attr::kLabel), semantic);
        const auto instances = s.histogram(attr::kInstance);
        QCOMPARE(s.pointCount() - (instances.count(0) ? instances.at(0) : 0), withInstance);
        QCOMPARE(s.positions[5], Eigen::Vector3f(floats[20], floats[21], floats[22]));
        QCOMPARE(s.find(attr::kIntensity)->data<float>()[5], floats[23]);
    }

    void mmdetPointsWithInt64AndInt32Masks() {
        const fs::path points = root() / "mm/points/room.bin";
        test::writeFile(points, raw<float>({1, 2, 3, 255, 0, 10, 4, 5, 6, 0, 128, 255}));
        test::writeFile(root() / "mm/semantic_mask/room.bin", raw<std::int64_t>({12, 3}));
        test::writeFile(root() / "mm/instance_mask/room.bin", raw<std::int32_t>({-1, 40}));
        const Scene s = readScene(points);
        QCOMPARE(s.source.format, std::string("mmdet-bin"));
        QCOMPARE(s.pointCount(), std::size_t(2));
        QCOMPARE(s.positions[1], Eigen::Vector3f(4, 5, 6));
        const auto* rgb = s.find(attr::kColor)->data<std::uint8_t>();
        QCOMPARE((std::vector<int>(rgb, rgb + 6)), (std::vector<int>{255, 0, 10, 0, 128, 255}));
        QCOMPARE(s.find(attr::kLabel)->data<std::int32_t>()[0], 12);
        QCOMPARE(s.find(attr::kLabel)->data<std::int32_t>()[1], 3);
        QCOMPARE(s.find(attr::kInstance)->data<std::int32_t>()[0], -1);
        QCOMPARE(s.find(attr::kInstance)->data<std::int32_t>()[1], 40);
    }

    void mmdetColumnsOverride() {
        const fs::path points = root() / "mm4/points/scan.bin";
        test::writeFile(points, raw<float>({1, 2, 3, 0.5f, 4, 5, 6, 0.75f}));
        test::writeFile(root() / "mm4/semantic_mask/scan.bin", raw<std::int64_t>({1, 2}));
        ReadOptions options;
        options.columns = "x,y,z,intensity";
        const Scene s = readScene(points, options);
        QCOMPARE(s.pointCount(), std::size_t(2));
        QCOMPARE(s.find(attr::kIntensity)->data<float>()[1], 0.75f);
        QVERIFY(!s.find(attr::kColor));
        // Without the spec the 32 bytes are not a whole number of 6-float rows.
        QVERIFY(QString::fromStdString(errorOf(points)).contains("not a multiple of 24"));
    }

    void mmdetMalformedMasks() {
        const fs::path points = root() / "mmbad/points/a.bin";
        test::writeFile(points, raw<float>({1, 2, 3, 0, 0, 0, 4, 5, 6, 0, 0, 0}));
        test::writeFile(root() / "mmbad/semantic_mask/a.bin", std::string(12, '\0'));
        std::string error = errorOf(points);
        QVERIFY2(QString::fromStdString(error).contains(
                     "semantic_mask/a.bin: holds 12 bytes, but the 2 points need 16"),
                 error.c_str());
        test::writeFile(root() / "mmbad/semantic_mask/a.bin", raw<std::int64_t>({1, 1ll << 40}));
        error = errorOf(points);
        QVERIFY2(
            QString::fromStdString(error).contains("a.bin: byte 8: id 1099511627776 does not fit in int32"),
            error.c_str());
    }

    void mmdetRealS3disSampleMatchesRawMasks() {
        if (!test::sharedDataAvailable()) QSKIP("../shared/data is not beside the repository");
        const fs::path points = test::sharedData("s3dis_sample/points/Area_1_office_2.bin");
        const auto floats = readRaw<float>(points);
        const auto semantic =
            readRaw<std::int64_t>(test::sharedData("s3dis_sample/semantic_mask/Area_1_office_2.bin"));
        const auto instance =
            readRaw<std::int64_t>(test::sharedData("s3dis_sample/instance_mask/Area_1_office_2.bin"));
        std::map<std::int64_t, std::uint64_t> expectedLabels, expectedInstances;
        for (auto v : semantic) ++expectedLabels[v];
        for (auto v : instance) ++expectedInstances[v];
        const Scene s = readScene(points);
        QCOMPARE(s.pointCount(), std::size_t(100));
        QCOMPARE(s.pointCount(), floats.size() / 6);
        QCOMPARE(s.histogram(attr::kLabel), expectedLabels);
        QCOMPARE(s.histogram(attr::kInstance), expectedInstances);
        const auto* rgb = s.find(attr::kColor)->data<std::uint8_t>();
        for (std::size_t i = 0; i < s.pointCount(); ++i) {
            QCOMPARE(s.positions[i], Eigen::Vector3f(floats[6 * i], floats[6 * i + 1], floats[6 * i + 2]));
            for (std::size_t c = 0; c < 3; ++c)
                QCOMPARE(long(rgb[3 * i + c]), std::lround(floats[6 * i + 3 + c]));
        }
    }
};

QTEST_GUILESS_MAIN(TestKittiMmdet)
#include "tst_kitti_mmdet.moc"
