// PCD reading: ascii, binary and binary_compressed files built by hand (LZF streams assembled from
// literal runs and back-references whose output is worked out in the comments), the hostile-input
// cases, and every real .pcd in ../shared/data checked against Open3D's reader.
#include "core/common/Error.h"
#include "core/io/Lzf.h"
#include "core/io/SceneReader.h"
#include "tests/support/ByteBuilder.h"
#include "tests/support/TestData.h"

#include <open3d/geometry/PointCloud.h>
#include <open3d/io/PointCloudIO.h>

#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>

using namespace s4;
namespace fs = std::filesystem;
using s4::test::Bytes;

namespace {

std::string header(const std::string& fields, const std::string& size, const std::string& type,
                   const std::string& count, const std::string& width, const std::string& height,
                   const std::string& points, const std::string& data) {
    return "# .PCD v0.7 - Point Cloud Data file format\nVERSION 0.7\nFIELDS " + fields + "\nSIZE " + size +
           "\nTYPE " + type + "\nCOUNT " + count + "\nWIDTH " + width + "\nHEIGHT " + height +
           "\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS " + points + "\nDATA " + data + "\n";
}

std::vector<std::string> sharedPcdFiles() {
    std::vector<std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(test::sharedDataDir()))
        if (e.is_regular_file() && e.path().extension() == ".pcd")
            files.push_back(fs::relative(e.path(), test::sharedDataDir()).generic_string());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

class TestPcd : public QObject {
    Q_OBJECT

    test::ScratchFolder dir_;
    fs::path write(const std::string& name, const std::string& bytes) { return dir_.write(name, bytes); }
    std::string errorOf(const std::string& name, const std::string& bytes) {
        return test::readError(write(name, bytes));
    }

private slots:
    void asciiFieldsBecomeStandardAttributes() {
        // rgb as U4 packed 0x00RRGGBB; normals; intensity; label; curvature as a free scalar.
        const std::string text =
            header("x y z rgb normal_x normal_y normal_z intensity label curvature", "4 4 4 4 4 4 4 4 4 4",
                   "F F F U F F F F I F", "1 1 1 1 1 1 1 1 1 1", "2", "1", "2", "ascii") +
            "1.5 -2 3e2 16711935 0 0 1 0.25 7 0.125\n"  // 16711935 = 0xFF00FF
            "4 5 6 65280 0 1 0 1.5 -3 0.5\n";           // 65280 = 0x00FF00
        const Scene s = readScene(write("attrs.pcd", text));
        QCOMPARE(s.source.format, std::string("pcd-ascii"));
        QCOMPARE(s.pointCount(), std::size_t(2));
        QCOMPARE(s.positions[0], Eigen::Vector3f(1.5f, -2.f, 300.f));
        QCOMPARE(s.positions[1], Eigen::Vector3f(4.f, 5.f, 6.f));
        const auto* rgb = s.find(attr::kColor)->data<std::uint8_t>();
        QCOMPARE((std::vector<int>(rgb, rgb + 6)), (std::vector<int>{255, 0, 255, 0, 255, 0}));
        const auto* n = s.find(attr::kNormal)->data<float>();
        QCOMPARE((std::vector<float>(n, n + 6)), (std::vector<float>{0, 0, 1, 0, 1, 0}));
        QCOMPARE(s.find(attr::kIntensity)->data<float>()[1], 1.5f);
        QCOMPARE(s.find(attr::kLabel)->data<std::int32_t>()[0], 7);
        QCOMPARE(s.find(attr::kLabel)->data<std::int32_t>()[1], -3);
        QCOMPARE(s.find("curvature")->data<float>()[1], 0.5f);
        QVERIFY(!s.find("normal_x"));
    }

    void asciiFloatRgbAcceptsBitPatternAndFloatText() {
        // PCL writes an F rgb in ascii as the uint32 bit pattern; older writers print the float.
        const std::uint32_t packed = 0x102030;
        const float asFloat = [&] {
            float f;
            std::memcpy(&f, &packed, 4);
            return f;
        }();
        char floatText[64];
        std::snprintf(floatText, sizeof floatText, "%.9g", double(asFloat));
        const std::string text =
            header("x y z rgb", "4 4 4 4", "F F F F", "1 1 1 1", "2", "1", "2", "ascii") + "0 0 0 " +
            std::to_string(packed) + "\r\n0 0 0 " + floatText + "\r\n";
        const Scene s = readScene(write("rgbf.pcd", text));
        const auto* rgb = s.find(attr::kColor)->data<std::uint8_t>();
        QCOMPARE((std::vector<int>(rgb, rgb + 6)), (std::vector<int>{0x10, 0x20, 0x30, 0x10, 0x20, 0x30}));
    }

    void oldVersionWithoutCountOrPoints() {
        // v0.6-era header: no COUNT, no POINTS, ".7"-style version string.
        const std::string text =
            "VERSION .6\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nWIDTH 3\nHEIGHT 1\nDATA ascii\n"
            "1 2 3\n4 5 6\n7 8 9\n";
        const Scene s = readScene(write("v06.pcd", text));
        QCOMPARE(s.pointCount(), std::size_t(3));
        QCOMPARE(s.positions[2], Eigen::Vector3f(7, 8, 9));
    }

    void binaryEveryFieldType() {
        // x F8, y F4, z I2, label U1, rgba U4, t I8, w U2, padding "_" 2 bytes: record 8+4+2+1+4+8+2+2 = 31.
        Bytes b;
        b.str(header("x y z label rgba t w _", "8 4 2 1 4 8 2 2", "F F I U U I U U", "1 1 1 1 1 1 1 1", "2",
                     "1", "2", "binary"));
        b.le<double>(0.5)
            .le<float>(-1.25f)
            .le<std::int16_t>(-300)
            .le<std::uint8_t>(200)
            .le<std::uint32_t>(0xFF0A0B0C)
            .le<std::int64_t>(-5)
            .le<std::uint16_t>(65535)
            .le<std::uint16_t>(0);
        b.le<double>(1e3)
            .le<float>(2.f)
            .le<std::int16_t>(7)
            .le<std::uint8_t>(0)
            .le<std::uint32_t>(0x00FFFFFF)
            .le<std::int64_t>(1ll << 40)
            .le<std::uint16_t>(1)
            .le<std::uint16_t>(0);
        const Scene s = readScene(write("types.pcd", b.s));
        QCOMPARE(s.source.format, std::string("pcd-binary"));
        QCOMPARE(s.positions[0], Eigen::Vector3f(0.5f, -1.25f, -300.f));
        QCOMPARE(s.positions[1], Eigen::Vector3f(1000.f, 2.f, 7.f));
        QCOMPARE(s.find(attr::kLabel)->data<std::int32_t>()[0], 200);
        const auto* rgb = s.find(attr::kColor)->data<std::uint8_t>();
        QCOMPARE((std::vector<int>(rgb, rgb + 6)), (std::vector<int>{0x0A, 0x0B, 0x0C, 255, 255, 255}));
        QCOMPARE(s.find("t")->data<float>()[0], -5.f);
        QCOMPARE(s.find("t")->data<float>()[1], float(1ll << 40));
        QCOMPARE(s.find("w")->data<float>()[0], 65535.f);
        QVERIFY(!s.find("_"));
    }

    void countAboveOneIsSkippedWithNote() {
        const std::string text =
            header("x y z fpfh", "4 4 4 4", "F F F F", "1 1 1 3", "1", "1", "1", "ascii") + "1 2 3 9 9 9\n";
        const Scene s = readScene(write("count.pcd", text));
        QCOMPARE(s.pointCount(), std::size_t(1));
        QVERIFY(!s.find("fpfh"));
        QVERIFY(std::any_of(s.source.notes.begin(), s.source.notes.end(),
                            [](const std::string& n) { return n.find("fpfh") != std::string::npos; }));
    }

    void lzfLiteralsAndOverlappingBackReferences() {
        // 0x02 'a' 'b' 'c'   literal run of 3        -> "abc"
        // 0x40 0x02          len 2+2 = 4, distance 3 -> "abca" (overlapping copy)
        // 0x20 0x00          len 1+2 = 3, distance 1 -> "aaa"
        const std::uint8_t in[] = {0x02, 'a', 'b', 'c', 0x40, 0x02, 0x20, 0x00};
        std::uint8_t out[10];
        lzfDecompress(in, sizeof in, out, sizeof out, "mem", 0);
        QCOMPARE(std::string(reinterpret_cast<char*>(out), sizeof out), std::string("abcabcaaaa"));
        // Long form: 0xE0 0x03 0x00 = len 7+3+2 = 12 at distance 1 after one literal.
        const std::uint8_t longForm[] = {0x00, 'z', 0xE0, 0x03, 0x00};
        std::uint8_t out2[13];
        lzfDecompress(longForm, sizeof longForm, out2, sizeof out2, "mem", 0);
        QCOMPARE(std::string(reinterpret_cast<char*>(out2), sizeof out2), std::string(13, 'z'));
    }

    void lzfRejectsBadStreams_data() {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<int>("outSize");
        QTest::addColumn<QString>("expected");
        QTest::newRow("back-reference before start") << QByteArray(
                                                            "\x00"
                                                            "a"
                                                            "\x20\x01",
                                                            4)
                                                     << 4 << "before the start";
        QTest::newRow("literal overruns output") << QByteArray(
                                                        "\x03"
                                                        "abcd",
                                                        5)
                                                 << 3 << "overruns";
        QTest::newRow("back-reference overruns output") << QByteArray(
                                                               "\x00"
                                                               "a"
                                                               "\x20\x00",
                                                               4)
                                                        << 3 << "overruns";
        QTest::newRow("stream ends inside literal") << QByteArray(
                                                           "\x05"
                                                           "ab",
                                                           3)
                                                    << 6 << "ends inside a literal";
        QTest::newRow("stream ends inside back-reference") << QByteArray(
                                                                  "\x00"
                                                                  "a"
                                                                  "\xE0",
                                                                  3)
                                                           << 20 << "ends inside a back";
        QTest::newRow("decodes short") << QByteArray(
                                              "\x01"
                                              "ab",
                                              3)
                                       << 5 << "decodes to 2 bytes";
    }

    void lzfRejectsBadStreams() {
        QFETCH(QByteArray, stream);
        QFETCH(int, outSize);
        QFETCH(QString, expected);
        std::vector<std::uint8_t> out(std::size_t(outSize) + 64, 0xEE);
        try {
            lzfDecompress(reinterpret_cast<const std::uint8_t*>(stream.data()), std::size_t(stream.size()),
                          out.data(), std::size_t(outSize), "f.pcd", 100);
            QFAIL("accepted");
        } catch (const IoError& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
            QVERIFY2(QString(e.what()).startsWith("f.pcd: byte 1"), e.what());
        }
        // Nothing may be written past the declared output size.
        for (std::size_t i = std::size_t(outSize); i < out.size(); ++i) QCOMPARE(int(out[i]), 0xEE);
    }

    void compressedStructureOfArrays() {
        // Two points (1,1,2) label 7 and (1,1,2) label 9. PCL stores fields one after another:
        // x x y y z z l l = [1.0f]x4 [2.0f]x2 07 09 (26 bytes). Read as interleaved records this would
        // give (1,1,1) and (1,2,2): the test tells the layouts apart.
        Bytes lzf;
        lzf.raw({0x03, 0x00, 0x00, 0x80, 0x3F});  // literal: 1.0f                  -> 4 bytes
        lzf.raw({0xE0, 0x03, 0x03});              // len 7+3+2 = 12, distance 4     -> 16 bytes
        lzf.raw({0x03, 0x00, 0x00, 0x00, 0x40});  // literal: 2.0f                  -> 20 bytes
        lzf.raw({0x40, 0x03});                    // len 2+2 = 4, distance 4        -> 24 bytes
        lzf.raw({0x01, 0x07, 0x09});              // literal: labels                -> 26 bytes
        Bytes b;
        b.str(header("x y z label", "4 4 4 1", "F F F U", "1 1 1 1", "2", "1", "2", "binary_compressed"));
        b.le<std::uint32_t>(std::uint32_t(lzf.s.size())).le<std::uint32_t>(26).str(lzf.s);
        const Scene s = readScene(write("soa.pcd", b.s));
        QCOMPARE(s.source.format, std::string("pcd-binary_compressed"));
        QCOMPARE(s.pointCount(), std::size_t(2));
        QCOMPARE(s.positions[0], Eigen::Vector3f(1, 1, 2));
        QCOMPARE(s.positions[1], Eigen::Vector3f(1, 1, 2));
        QCOMPARE(s.find(attr::kLabel)->data<std::int32_t>()[0], 7);
        QCOMPARE(s.find(attr::kLabel)->data<std::int32_t>()[1], 9);
    }

    void organisedCloudDropsInvalidPointsWithNote() {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        Bytes b;
        b.str(header("x y z", "4 4 4", "F F F", "1 1 1", "3", "2", "6", "binary"));
        const float values[6][3] = {{0, 0, 1}, {nan, nan, nan}, {1, 0, 1}, {2, 0, 1}, {nan, 0, 0}, {3, 0, 1}};
        for (const auto& p : values) b.le(p[0]).le(p[1]).le(p[2]);
        const Scene s = readScene(write("organised.pcd", b.s));
        QCOMPARE(s.pointCount(), std::size_t(4));
        QCOMPARE(s.source.droppedNonFinite, std::uint64_t(2));
        QCOMPARE(s.positions[3], Eigen::Vector3f(3, 0, 1));
        QVERIFY(std::find(s.source.notes.begin(), s.source.notes.end(),
                          "organised 3x2: 2 invalid points dropped") != s.source.notes.end());
    }

    void malformedInputsGiveIoError_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        const std::string xyz = std::string(12, '\0');
        auto row = [](const char* tag, const std::string& bytes, const char* expected) {
            QTest::newRow(tag) << QByteArray(bytes.data(), qsizetype(bytes.size())) << QString(expected);
        };
        row("unknown TYPE", header("x y z", "4 4 4", "F F Q", "1 1 1", "1", "1", "1", "binary") + xyz,
            "line 5: TYPE 'Q'");
        row("float of 2 bytes", header("x y z", "4 4 2", "F F F", "1 1 1", "1", "1", "1", "binary") + xyz,
            "line 4: field 'z' has TYPE F with SIZE 2: floats are 4 or 8");
        row("SIZE list too short", header("x y z", "4 4", "F F F", "1 1 1", "1", "1", "1", "binary") + xyz,
            "line 4: SIZE has 2");
        row("POINTS not WIDTH*HEIGHT", header("x y z", "4 4 4", "F F F", "1 1 1", "2", "2", "3", "ascii"),
            "line 10: POINTS is 3 but WIDTH × HEIGHT");
        row("1e12 points binary",
            header("x y z", "4 4 4", "F F F", "1 1 1", "1000000000000", "1", "1000000000000", "binary") + xyz,
            "only 12 B follow");
        row("1e12 points ascii",
            header("x y z", "4 4 4", "F F F", "1 1 1", "1000000000000", "1", "1000000000000", "ascii") +
                "1 2 3\n",
            "can hold at most");
        row("truncated binary",
            header("x y z", "4 4 4", "F F F", "1 1 1", "10", "1", "10", "binary") + std::string(50, '\0'),
            "POINTS says 10 points");
        row("ascii short of points",
            header("x y z", "4 4 4", "F F F", "1 1 1", "3", "1", "3", "ascii") +
                "1.000 2.000 3.000\n4.000 5.000 6.000\n",
            "ends after 2 of 3");
        row("ascii bad token",
            header("x y z", "4 4 4", "F F F", "1 1 1", "2", "1", "2", "ascii") + "1 2 3\n4 y 6\n",
            "line 13: value 'y'");
        row("ascii label out of range",
            header("x y z label", "4 4 4 1", "F F F U", "1 1 1 1", "1", "1", "1", "ascii") + "1 2 3 256\n",
            "unsigned of 1 bytes");
        row("no DATA line", "VERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nWIDTH 1\n",
            "without a DATA line");
        row("unknown DATA", header("x y z", "4 4 4", "F F F", "1 1 1", "1", "1", "1", "binary_lz4") + xyz,
            "DATA 'binary_lz4'");
        row("no z field", header("x y w", "4 4 4", "F F F", "1 1 1", "1", "1", "1", "binary") + xyz,
            "no 'z' field");
        row("not a pcd", "ply\nformat ascii 1.0\n", "line 1: does not start like a PCD");
        row("empty", "", "empty");
        const std::string compressedHeader =
            header("x y z", "4 4 4", "F F F", "1 1 1", "2", "1", "2", "binary_compressed");
        row("compressed size beyond file",
            compressedHeader + Bytes().le<std::uint32_t>(1u << 30).le<std::uint32_t>(24).s + xyz,
            "said to be 1073741824 bytes");
        row("uncompressed size lies",
            compressedHeader + Bytes().le<std::uint32_t>(4).le<std::uint32_t>(4000000000u).s + xyz,
            "uncompressed size is said to be 4000000000");
        row("sizes missing", compressedHeader + "abc", "ends before the compressed");
        row("LZF back-reference before start",
            compressedHeader + Bytes().le<std::uint32_t>(2).le<std::uint32_t>(24).raw({0x20, 0x05}).s,
            "before the start of the output");
        row("LZF overruns output",
            compressedHeader + Bytes().le<std::uint32_t>(27).le<std::uint32_t>(24).raw({0x19}).s +
                std::string(26, 'q'),
            "overruns the declared uncompressed size");
        {
            // 24 bytes claimed from a 3-byte stream is fine, 100000 × 12 from 3 bytes is not.
            const std::string h =
                header("x y z", "4 4 4", "F F F", "1 1 1", "100000", "1", "100000", "binary_compressed");
            row("impossible expansion",
                h + Bytes().le<std::uint32_t>(3).le<std::uint32_t>(1200000).raw({0x00, 0, 0xE0}).s,
                "cannot come from only 3 bytes");
        }
    }

    void malformedInputsGiveIoError() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const std::string error = errorOf("bad.pcd", bytes.toStdString());
        QVERIFY2(!error.empty(), "accepted");
        QVERIFY2(QString::fromStdString(error).startsWith(
                     QString::fromStdString(dir_.path().toStdString() + "/bad.pcd: ")),
                 error.c_str());
        QVERIFY2(QString::fromStdString(error).contains(expected), error.c_str());
    }

    void mosdOrganisedLabelledClouds_data() {
        QTest::addColumn<QString>("relative");
        for (const char* f : {"mosd/learn/learn0.pcd", "mosd/learn/learn20.pcd", "mosd/learn/learn36.pcd"})
            QTest::newRow(f) << f;
    }

    void mosdOrganisedLabelledClouds() {
        if (!test::sharedDataAvailable()) QSKIP("../shared/data is not beside the repository");
        QFETCH(QString, relative);
        const Scene s = readScene(test::sharedData(relative.toStdString()));
        QCOMPARE(s.source.format, std::string("pcd-binary_compressed"));
        // README: 640×480 organised (307,200 points), about 180k of them finite.
        QCOMPARE(s.pointCount() + s.source.droppedNonFinite, std::uint64_t(307200));
        QVERIFY(s.pointCount() > 150000 && s.pointCount() < 210000);
        QVERIFY(std::any_of(s.source.notes.begin(), s.source.notes.end(),
                            [](const std::string& n) { return n.rfind("organised 640x480: ", 0) == 0; }));
        // LABELS.txt: 0 marks invalid points, so no finite point keeps it; 1–9 is the table.
        const auto histogram = s.histogram(attr::kLabel);
        QVERIFY(!histogram.empty());
        QVERIFY(histogram.count(0) == 0);
        QVERIFY(histogram.count(1) == 1 && histogram.at(1) > s.pointCount() / 2);
    }

    void matchesOpen3dReader_data() {
        QTest::addColumn<QString>("relative");
        if (!test::sharedDataAvailable()) return;
        for (const auto& f : sharedPcdFiles()) QTest::newRow(f.c_str()) << QString::fromStdString(f);
    }

    void matchesOpen3dReader() {
        if (!test::sharedDataAvailable()) QSKIP("../shared/data is not beside the repository");
        QFETCH(QString, relative);
        const fs::path path = test::sharedData(relative.toStdString());
        open3d::geometry::PointCloud reference;
        open3d::io::ReadPointCloudOption option;
        option.remove_nan_points = true;
        option.remove_infinite_points = true;
        QVERIFY(open3d::io::ReadPointCloud(path.string(), reference, option));
        const Scene s = readScene(path);
        QCOMPARE(s.pointCount(), reference.points_.size());
        const auto* rgb = s.find(attr::kColor) ? s.find(attr::kColor)->data<std::uint8_t>() : nullptr;
        QCOMPARE(rgb != nullptr, reference.HasColors());
        const auto* normal = s.find(attr::kNormal) ? s.find(attr::kNormal)->data<float>() : nullptr;
        QCOMPARE(normal != nullptr, reference.HasNormals());
        for (std::size_t i = 0; i < s.pointCount(); ++i) {
            const Eigen::Vector3f expected = reference.points_[i].cast<float>();
            if (s.positions[i] != expected) QFAIL(qPrintable(QString("point %1 differs from Open3D").arg(i)));
            for (int c = 0; rgb && c < 3; ++c)
                if (std::lround(reference.colors_[i][c] * 255.0) != rgb[3 * i + std::size_t(c)])
                    QFAIL(qPrintable(QString("colour of point %1 differs from Open3D").arg(i)));
            for (int c = 0; normal && c < 3; ++c)
                if (normal[3 * i + std::size_t(c)] != float(reference.normals_[i][c]))
                    QFAIL(qPrintable(QString("normal of point %1 differs from Open3D").arg(i)));
        }
    }
};

QTEST_GUILESS_MAIN(TestPcd)
#include "tst_pcd.moc"
