// The hostile-input corpus: malformed files of every format (truncated, lying counts such as 10^12
// points, binary garbage, empty, wrong magic, mixed line endings, non-ASCII paths). Each one must be
// answered by an s4::IoError that names the file — never a crash, never another exception type — and
// the reader must never make a single allocation far larger than the file could justify. A few cases
// are valid-but-unusual files that must read successfully.
#include "core/common/Error.h"
#include "core/io/SceneReader.h"
#include "tests/support/ByteBuilder.h"
#include "tests/support/LargestAllocation.h"
#include "tests/support/TestData.h"

#include <QtTest>

#include <cstdint>
#include <cstring>
#include <random>


using namespace s4;
namespace fs = std::filesystem;
using s4::test::Bytes;
using s4::test::lasFile;
using s4::test::npyFile;

namespace {

std::string garbage(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
    return s;
}

std::string plyHeader(const std::string& format, const std::string& count, const std::string& props = "") {
    return "ply\nformat " + format + " 1.0\nelement vertex " + count + "\n" +
           (props.empty() ? "property float x\nproperty float y\nproperty float z\n" : props) + "end_header\n";
}

std::string pcdHeader(const std::string& fields, const std::string& size, const std::string& type,
                      const std::string& count, const std::string& width, const std::string& height,
                      const std::string& points, const std::string& data) {
    return "# .PCD v0.7 - Point Cloud Data file format\nVERSION 0.7\nFIELDS " + fields + "\nSIZE " + size +
           "\nTYPE " + type + "\nCOUNT " + count + "\nWIDTH " + width + "\nHEIGHT " + height +
           "\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS " + points + "\nDATA " + data + "\n";
}

struct Case {
    const char* name;      // data row tag
    std::string file;      // relative path inside the temp folder (may be non-ASCII)
    std::string bytes;     // content
    bool mustRead = false; // a valid file that must read
    std::size_t expectedPoints = 0;
};

std::vector<Case> corpus() {
    std::vector<Case> c;
    const std::string xyz3 = std::string(12, '\0');
    // --- PLY
    c.push_back({"ply-empty", "empty.ply", ""});
    c.push_back({"ply-wrong-magic", "magic.ply", "plx\nformat ascii 1.0\nelement vertex 1\nproperty float x\nend_header\n1\n"});
    c.push_back({"ply-header-truncated", "header.ply", "ply\nformat binary_little_endian 1.0\nelement vertex 3\nproperty float x\n"});
    c.push_back({"ply-1e12-vertices", "huge.ply", plyHeader("binary_little_endian", "1000000000000") + xyz3});
    c.push_back({"ply-negative-count", "negative.ply", plyHeader("binary_little_endian", "-5") + xyz3});
    c.push_back({"ply-body-truncated", "short.ply", plyHeader("binary_little_endian", "10") + std::string(12 * 9 + 5, '\0')});
    c.push_back({"ply-unknown-type", "type.ply", plyHeader("binary_little_endian", "1", "property float128 x\nproperty float y\nproperty float z\n") + xyz3});
    c.push_back({"ply-ascii-too-few-values", "few.ply", plyHeader("ascii", "2") + "1 2 3\n4 5\n"});
    c.push_back({"ply-ascii-garbage-token", "token.ply", plyHeader("ascii", "2") + "1 2 3\n4 five 6\n"});
    c.push_back({"ply-binary-garbage", "garbage.ply", garbage(4096, 1)});
    c.push_back({"ply-unknown-format", "fmt.ply", plyHeader("binary_middle_endian", "1") + xyz3});
    c.push_back({"ply-no-xyz", "noxyz.ply", plyHeader("ascii", "1", "property float a\nproperty float b\n") + "1 2\n"});
    {
        std::string h = "ply\nformat binary_little_endian 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
                        "property float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n";
        Bytes body;
        body.str(h);
        for (int i = 0; i < 9; ++i) body.le<float>(float(i));
        body.le<std::uint8_t>(3).le<std::int32_t>(0).le<std::int32_t>(1).le<std::int32_t>(7);
        c.push_back({"ply-face-index-out-of-range", "face.ply", body.s});
    }
    c.push_back({"ply-crlf-header-reads", "crlf.ply",
                 "ply\r\nformat ascii 1.0\r\nelement vertex 2\nproperty float x\r\nproperty float y\nproperty float z\r\nend_header\r\n1 2 3\r\n4 5 6\n",
                 true, 2});
    // --- PCD
    c.push_back({"pcd-empty", "empty.pcd", ""});
    c.push_back({"pcd-garbage", "garbage.pcd", garbage(2048, 2)});
    c.push_back({"pcd-1e12-points", "huge.pcd", pcdHeader("x y z", "4 4 4", "F F F", "1 1 1", "1000000000000", "1", "1000000000000", "binary") + xyz3});
    c.push_back({"pcd-points-not-width-times-height", "wh.pcd", pcdHeader("x y z", "4 4 4", "F F F", "1 1 1", "2", "2", "3", "ascii") + "1 2 3\n4 5 6\n7 8 9\n"});
    c.push_back({"pcd-binary-truncated", "short.pcd", pcdHeader("x y z", "4 4 4", "F F F", "1 1 1", "10", "1", "10", "binary") + std::string(50, '\0')});
    c.push_back({"pcd-unknown-type", "type.pcd", pcdHeader("x y z", "4 4 4", "Q Q Q", "1 1 1", "1", "1", "1", "binary") + xyz3});
    c.push_back({"pcd-size-type-mismatch", "size.pcd", pcdHeader("x y z", "3 4 4", "F F F", "1 1 1", "1", "1", "1", "binary") + xyz3});
    c.push_back({"pcd-ascii-garbage-token", "token.pcd", pcdHeader("x y z", "4 4 4", "F F F", "1 1 1", "2", "1", "2", "ascii") + "1 2 3\n4 y 6\n"});
    {
        Bytes b;  // compressed size claims far more than the file holds
        b.str(pcdHeader("x y z", "4 4 4", "F F F", "1 1 1", "2", "1", "2", "binary_compressed"));
        b.le<std::uint32_t>(1u << 30).le<std::uint32_t>(24).zeros(8);
        c.push_back({"pcd-lzf-size-lies", "lzfsize.pcd", b.s});
    }
    {
        Bytes b;  // a back-reference (ctrl 0x20: length 1+2, offset 0) before any output exists
        b.str(pcdHeader("x y z", "4 4 4", "F F F", "1 1 1", "2", "1", "2", "binary_compressed"));
        b.le<std::uint32_t>(2).le<std::uint32_t>(24).le<std::uint8_t>(0x20).le<std::uint8_t>(0x05);
        c.push_back({"pcd-lzf-backref-before-start", "lzfref.pcd", b.s});
    }
    // --- text
    c.push_back({"xyz-empty", "empty.xyz", ""});
    c.push_back({"xyz-only-comments", "comments.csv", "# x,y,z\n// nothing here\n\n"});
    c.push_back({"xyz-garbage-token", "token.xyz", "1 2 3\n4 5 6\n7 eight 9\n"});
    c.push_back({"xyz-column-count-changes", "columns.txt", "1 2 3 4\n5 6 7 8\n9 10 11\n"});
    c.push_back({"xyz-binary-garbage", "garbage.xyz", garbage(3000, 3)});
    c.push_back({"xyz-mixed-line-endings-read", "mixed.xyz", "1 2 3\r\n4 5 6\n7 8 9\r\n10 11 12", true, 4});
    c.push_back({"xyz-nan-dropped", "nan.xyz", "1 2 3\nnan 5 6\n7 8 inf\n10 11 12\n", true, 2});
    // --- OFF
    c.push_back({"off-empty", "empty.off", ""});
    c.push_back({"off-wrong-magic", "magic.off", "FOO\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n"});
    c.push_back({"off-1e12-vertices", "huge.off", "OFF\n1000000000000 1 0\n0 0 0\n"});
    c.push_back({"off-1e12-faces", "hugefaces.off", "OFF\n3 1000000000000 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n"});
    c.push_back({"off-face-index-out-of-range", "face.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 9\n"});
    c.push_back({"off-truncated", "short.off", "OFF\n4 2 0\n0 0 0\n1 0 0\n"});
    // --- KITTI / mmdet / NPY / LAS
    c.push_back({"kitti-size-not-multiple-of-16", "velodyne/000001.bin", std::string(16 * 3 + 7, '\0')});
    c.push_back({"kitti-empty", "velodyne/000002.bin", ""});
    c.push_back({"npy-bad-magic", "magic.npy", "\x92NUMPY" + std::string(100, ' ')});
    c.push_back({"npy-1e12-rows", "huge.npy", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000, 3), }", 12)});
    c.push_back({"npy-unsupported-dtype", "dtype.npy", npyFile("{'descr': '<c16', 'fortran_order': False, 'shape': (2, 3), }", 96)});
    c.push_back({"npy-too-few-columns", "cols.npy", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), }", 32)});
    c.push_back({"npy-header-length-lies", "hdr.npy",
                 Bytes().str("\x93NUMPY").le<std::uint8_t>(1).le<std::uint8_t>(0).le<std::uint16_t>(0xFFFF).str("{'descr'").s});
    c.push_back({"las-wrong-magic", "magic.las", "LASX" + std::string(400, '\0')});
    c.push_back({"las-1e9-points", "huge.las", lasFile(0, 20, 1000000000u, 40)});
    c.push_back({"las-laz-compressed", "compressed.las", lasFile(0x80 | 1, 28, 1, 28)});
    c.push_back({"las-record-too-short", "record.las", lasFile(3, 10, 1, 10)});
    c.push_back({"las-truncated-header", "header.las", lasFile(0, 20, 1, 20).substr(0, 100)});
    // --- paths and types
    c.push_back({"non-ascii-path-truncated", "Ünïcödé_点云.ply", plyHeader("binary_little_endian", "4") + xyz3});
    c.push_back({"non-ascii-path-reads", "Wohnzimmer_ß_点云.xyz", "0 0 0\n1 1 1\n", true, 2});
    c.push_back({"unknown-extension", "cloud.foo", "1 2 3\n"});
    return c;
}

} // namespace

class TestMalformedCorpus : public QObject {
    Q_OBJECT
private slots:
    void corpusIsLargeEnough() { QVERIFY(corpus().size() >= 30); }

    void answeredWithClearError_data() {
        QTest::addColumn<int>("index");
        const auto cases = corpus();
        for (std::size_t i = 0; i < cases.size(); ++i) QTest::newRow(cases[i].name) << int(i);
    }

    void answeredWithClearError() {
        QFETCH(int, index);
        const Case c = corpus()[std::size_t(index)];
        test::ScratchFolder dir;
        const fs::path path = dir.file(c.file);
        test::writeFile(path, c.bytes);

        test::LargestAllocation::start();
        std::string error;
        std::size_t points = 0;
        try {
            points = readScene(path).pointCount();
        } catch (const IoError& e) {
            error = e.what();
        } catch (const std::exception& e) {
            test::LargestAllocation::stop();
            QFAIL(qPrintable(QString("expected s4::IoError, got another exception: ") + e.what()));
        }
        test::LargestAllocation::stop();

        // No single allocation may exceed what the file could justify (generous: 64 bytes per input
        // byte, plus 1 MB of fixed buffers).
        const std::size_t bound = 64 * c.bytes.size() + (1u << 20);
        QVERIFY2(test::LargestAllocation::bytes <= bound,
                 qPrintable(QString("largest allocation %1 bytes exceeds %2").arg(test::LargestAllocation::bytes.load()).arg(bound)));

        if (c.mustRead) {
            QVERIFY2(error.empty(), error.c_str());
            QCOMPARE(points, c.expectedPoints);
            return;
        }
        QVERIFY2(!error.empty(), "malformed file was accepted");
        const std::string fileName = fs::u8path(c.file).filename().string();
        QVERIFY2(error.find(fileName) != std::string::npos, ("message does not name the file: " + error).c_str());
        QVERIFY2(error.find('\n') == std::string::npos, ("message is not one line: " + error).c_str());
        qInfo("%s -> %s", c.name, error.c_str());
    }

    void missingFileAndNonRoomFolder() {
        test::ScratchFolder dir;
        const fs::path missing = dir.file("nope.ply");
        QVERIFY_THROWS_EXCEPTION(IoError, readScene(missing));
        QVERIFY_THROWS_EXCEPTION(IoError, readScene(fs::path(dir.path().toStdString())));
    }
};

QTEST_GUILESS_MAIN(TestMalformedCorpus)
#include "tst_malformed_corpus.moc"
