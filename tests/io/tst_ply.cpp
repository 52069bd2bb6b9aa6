// PLY reading: hand-written ascii, binary little- and big-endian files with known values, every scalar
// type, wide coordinates, lists, faces, unknown elements, attribute mapping, the shared ScanNet scene
// against an independent record parser, the raw ScanNet layout, and malformed files.
#include "core/common/Error.h"
#include "core/io/SceneReader.h"
#include "tests/support/ByteBuilder.h"
#include "tests/support/TestData.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <tuple>

using namespace s4;
namespace fs = std::filesystem;
using s4::test::Bytes;

namespace {

struct TempFolder {
    QTemporaryDir dir;
    fs::path path(const std::string& name) const { return fs::path(dir.path().toStdString()) / name; }
    fs::path write(const std::string& name, const std::string& bytes) const {
        const fs::path p = path(name);
        test::writeFile(p, bytes);
        return p;
    }
};

template <class T>
const T* values(const Scene& scene, const char* name) {
    const AttributeArray* a = scene.find(name);
    if (!a) throw std::runtime_error(std::string("missing attribute ") + name);
    return a->data<T>();
}

bool hasNoteContaining(const Scene& scene, const std::string& text) {
    for (const auto& n : scene.source.notes)
        if (n.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

class TestPly : public QObject {
    Q_OBJECT
private slots:
    void asciiKnownValues() {
        TempFolder t;
        const auto p = t.write("a.ply",
                               "ply\nformat ascii 1.0\ncomment hand made\nelement vertex 2\n"
                               "property float x\nproperty float y\nproperty float z\n"
                               "property uchar red\nproperty uchar green\nproperty uchar blue\n"
                               "property float nx\nproperty float ny\nproperty float nz\n"
                               "property float intensity\nproperty int label\nproperty float curvature\n"
                               "end_header\n"
                               "1.5 -2 3.25 255 0 7 0 0 1 0.5 12 -0.125\n"
                               "\n"
                               "4 5 6 1 2 3 1 0 0 2.5 -1 8\n");
        const Scene s = readScene(p);
        QCOMPARE(s.source.format, std::string("ply-ascii"));
        QCOMPARE(s.pointCount(), std::size_t(2));
        QCOMPARE(s.positions[0], Eigen::Vector3f(1.5f, -2.f, 3.25f));
        QCOMPARE(s.positions[1], Eigen::Vector3f(4.f, 5.f, 6.f));
        const auto* rgb = values<std::uint8_t>(s, attr::kColor);
        QCOMPARE(int(rgb[0]), 255);
        QCOMPARE(int(rgb[2]), 7);
        QCOMPARE(int(rgb[5]), 3);
        const auto* n = values<float>(s, attr::kNormal);
        QCOMPARE(n[2], 1.f);
        QCOMPARE(n[3], 1.f);
        QCOMPARE(values<float>(s, attr::kIntensity)[1], 2.5f);
        QCOMPARE(values<std::int32_t>(s, attr::kLabel)[0], 12);
        QCOMPARE(values<std::int32_t>(s, attr::kLabel)[1], -1);
        QCOMPARE(values<float>(s, "curvature")[0], -0.125f);
        QCOMPARE(s.offset, Eigen::Vector3d::Zero().eval());
    }

    void binaryLittleEndianKnownValues() {
        TempFolder t;
        Bytes b;
        b.str(
            "ply\nformat binary_little_endian 1.0\nelement vertex 2\nproperty float x\nproperty float y\n"
            "property float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\n"
            "property ushort label\nproperty int instance\nproperty double weight\nend_header\n");
        b.le(1.f).le(2.f).le(3.f).le<std::uint8_t>(10).le<std::uint8_t>(20).le<std::uint8_t>(30);
        b.le<std::uint16_t>(40).le<std::int32_t>(-3).le(0.25);
        b.le(-1.f).le(-2.f).le(-3.f).le<std::uint8_t>(0).le<std::uint8_t>(128).le<std::uint8_t>(255);
        b.le<std::uint16_t>(65535).le<std::int32_t>(100000).le(-8.5);
        const Scene s = readScene(t.write("le.ply", b.s));
        QCOMPARE(s.source.format, std::string("ply-binary-le"));
        QCOMPARE(s.pointCount(), std::size_t(2));
        QCOMPARE(s.positions[1], Eigen::Vector3f(-1.f, -2.f, -3.f));
        const auto* rgb = values<std::uint8_t>(s, attr::kColor);
        QCOMPARE(int(rgb[1]), 20);
        QCOMPARE(int(rgb[4]), 128);
        QCOMPARE(values<std::int32_t>(s, attr::kLabel)[1], 65535);
        QCOMPARE(values<std::int32_t>(s, attr::kInstance)[0], -3);
        QCOMPARE(values<std::int32_t>(s, attr::kInstance)[1], 100000);
        QCOMPARE(values<float>(s, "weight")[1], -8.5f);
    }

    // Written byte by byte: 1.5f = 3F C0 00 00, -2.0f = C0 00 00 00, 0.25f = 3E 80 00 00 (IEEE 754).
    void binaryBigEndianByteByByte() {
        TempFolder t;
        Bytes b;
        b.str(
            "ply\nformat binary_big_endian 1.0\nelement vertex 2\nproperty float x\nproperty float y\n"
            "property float z\nproperty short label\nproperty uint segment\nend_header\n");
        b.raw({0x3F, 0xC0, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x3E, 0x80, 0x00, 0x00});  // 1.5 -2 0.25
        b.raw({0xFF, 0xFE});                                                              // short -2
        b.raw({0x00, 0x01, 0x00, 0x02});                                                  // uint 65538
        b.raw({0x00, 0x00, 0x00, 0x00, 0x41, 0x20, 0x00, 0x00, 0xC2, 0xC8, 0x00, 0x00});  // 0 10 -100
        b.raw({0x01, 0x02});                                                              // short 258
        b.raw({0x00, 0x00, 0x00, 0x07});                                                  // uint 7
        const Scene s = readScene(t.write("be.ply", b.s));
        QCOMPARE(s.source.format, std::string("ply-binary-be"));
        QCOMPARE(s.pointCount(), std::size_t(2));
        QCOMPARE(s.positions[0], Eigen::Vector3f(1.5f, -2.f, 0.25f));
        QCOMPARE(s.positions[1], Eigen::Vector3f(0.f, 10.f, -100.f));
        QCOMPARE(values<std::int32_t>(s, attr::kLabel)[0], -2);
        QCOMPARE(values<std::int32_t>(s, attr::kLabel)[1], 258);
        QCOMPARE(values<std::int32_t>(s, attr::kSuperpoint)[0], 65538);
        QCOMPARE(values<std::int32_t>(s, attr::kSuperpoint)[1], 7);
    }

    // Both the classic names and the sized aliases, each landing in a float field of its own name.
    void everyScalarTypeAndAlias() {
        TempFolder t;
        const char* classic[] = {"char", "uchar", "short", "ushort", "int", "uint", "float", "double"};
        const char* sized[] = {"int8", "uint8", "int16", "uint16", "int32", "uint32", "float32", "float64"};
        for (auto names : {classic, sized}) {
            std::string header =
                "ply\nformat binary_little_endian 1.0\nelement vertex 1\n"
                "property float x\nproperty float y\nproperty float z\n";
            for (int k = 0; k < 8; ++k)
                header += std::string("property ") + names[k] + " v" + std::to_string(k) + "\n";
            Bytes b;
            b.str(header + "end_header\n").le(0.f).le(0.f).le(0.f);
            b.le<std::int8_t>(-100).le<std::uint8_t>(200).le<std::int16_t>(-30000).le<std::uint16_t>(60000);
            b.le<std::int32_t>(-123456).le<std::uint32_t>(4000000000u).le(1.25f).le(-2.5);
            const Scene s = readScene(t.write(std::string("types_") + names[0] + ".ply", b.s));
            const double expected[] = {-100, 200, -30000, 60000, -123456, 4000000000.0, 1.25, -2.5};
            for (int k = 0; k < 8; ++k) {
                const std::string field = "v" + std::to_string(k);
                QVERIFY2(s.find(field), field.c_str());
                QCOMPARE(double(values<float>(s, field.c_str())[0]), double(float(expected[k])));
            }
        }
    }

    // Georeferenced data: double coordinates far from the origin keep sub-millimetre precision.
    void doubleCoordinatesWithLargeOffset() {
        TempFolder t;
        Bytes b;
        b.str(
            "ply\nformat binary_little_endian 1.0\nelement vertex 2\nproperty double x\nproperty double y\n"
            "property double z\nend_header\n");
        b.le(500000.25).le(4000000.5).le(100.125);
        b.le(500010.0625).le(3999990.75).le(101.0);
        const Scene s = readScene(t.write("utm.ply", b.s));
        QCOMPARE(s.offset, Eigen::Vector3d(500000.0, 4000001.0, 100.0));  // first point, rounded
        QCOMPARE(s.positions[0], Eigen::Vector3f(0.25f, -0.5f, 0.125f));
        QCOMPARE(s.positions[1], Eigen::Vector3f(10.0625f, -10.25f, 1.0f));
        QCOMPARE(s.positions[1].cast<double>() + s.offset, Eigen::Vector3d(500010.0625, 3999990.75, 101.0));
    }

    void offsetCommentIsApplied() {
        TempFolder t;
        const Scene s = readScene(t.write("off.ply",
                                          "ply\nformat ascii 1.0\ncomment offset 1000000.5 -2 3\n"
                                          "element vertex 1\nproperty float x\nproperty float y\n"
                                          "property float z\nend_header\n1 2 3\n"));
        QCOMPARE(s.offset, Eigen::Vector3d(1000000.5, -2.0, 3.0));
        QCOMPARE(s.positions[0], Eigen::Vector3f(1.f, 2.f, 3.f));
    }

    // Labels are never rounded or clamped silently: whole-number floats read as they are; a fraction, a
    // NaN or a value beyond 32 bits (ascii or binary) is refused with a message saying why.
    void integerFieldsAreNotAlteredSilently() {
        TempFolder t;
        auto ascii = [&](const char* name, const char* type, const char* value) {
            return t.write(name, std::string("ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\n"
                                             "property float y\nproperty float z\nproperty ") +
                                     type + " label\nend_header\n0 0 0 4\n1 1 1 " + value + "\n");
        };
        const Scene whole = readScene(ascii("whole.ply", "float", "7.0"));
        QCOMPARE(whole.find(attr::kLabel)->data<std::int32_t>()[1], 7);
        // NaN is how float scalar fields say "no value": the unannotated label 0.
        const Scene unassigned = readScene(ascii("nan.ply", "float", "nan"));
        QCOMPARE(unassigned.find(attr::kLabel)->data<std::int32_t>()[1], 0);
        for (const auto& [name, type, value] :
             {std::tuple{"half.ply", "float", "1.5"}, std::tuple{"huge.ply", "double", "3e9"},
              std::tuple{"uint.ply", "uint", "4000000000"}}) {
            try {
                readScene(ascii(name, type, value));
                QFAIL(name);
            } catch (const IoError& e) {
                QVERIFY2(std::string(e.what()).find("not whole numbers or do not fit their type") != std::string::npos,
                         e.what());
            }
        }
        Bytes b;
        b.str("ply\nformat binary_little_endian 1.0\nelement vertex 1\nproperty float x\nproperty float y\n"
              "property float z\nproperty float label\nend_header\n");
        b.le(0.f).le(0.f).le(0.f).le(2.25f);
        QVERIFY_THROWS_EXCEPTION(IoError, readScene(t.write("binary.ply", b.s)));
    }

    // A global_shift places double coordinates; an 'offset' comment beside it is not added on top, and a
    // global_shift on float coordinates is ignored with a note.
    void globalShiftIsNotCountedTwice() {
        TempFolder t;
        const Scene both = readScene(t.write("both.ply",
                                             "ply\nformat ascii 1.0\ncomment global_shift 1000 2000 0\n"
                                             "comment offset 5 5 5\nelement vertex 1\nproperty double x\n"
                                             "property double y\nproperty double z\nend_header\n1001.5 2002 3\n"));
        QCOMPARE(both.offset, Eigen::Vector3d(1000, 2000, 0));
        QCOMPARE(both.positions[0], Eigen::Vector3f(1.5f, 2.f, 3.f));
        const Scene floats = readScene(t.write("floats.ply",
                                               "ply\nformat ascii 1.0\ncomment global_shift 1000 2000 0\n"
                                               "element vertex 1\nproperty float x\nproperty float y\n"
                                               "property float z\nend_header\n1 2 3\n"));
        QVERIFY(floats.offset.isZero(0.0));
        QCOMPARE(floats.positions[0], Eigen::Vector3f(1.f, 2.f, 3.f));
    }

    void listPropertiesAreSkipped() {
        TempFolder t;
        Bytes b;
        b.str(
            "ply\nformat binary_little_endian 1.0\nelement vertex 2\nproperty float x\n"
            "property list uchar int neighbours\nproperty float y\nproperty float z\nproperty uchar label\n"
            "end_header\n");
        b.le(1.f)
            .le<std::uint8_t>(2)
            .le<std::int32_t>(1)
            .le<std::int32_t>(9)
            .le(2.f)
            .le(3.f)
            .le<std::uint8_t>(4);
        b.le(5.f).le<std::uint8_t>(0).le(6.f).le(7.f).le<std::uint8_t>(8);
        const Scene s = readScene(t.write("list.ply", b.s));
        QCOMPARE(s.pointCount(), std::size_t(2));
        QCOMPARE(s.positions[0], Eigen::Vector3f(1.f, 2.f, 3.f));
        QCOMPARE(s.positions[1], Eigen::Vector3f(5.f, 6.f, 7.f));
        QCOMPARE(values<std::int32_t>(s, attr::kLabel)[1], 8);
        QVERIFY(!s.find("neighbours"));
        QVERIFY(hasNoteContaining(s, "neighbours"));

        const Scene a =
            readScene(t.write("list_ascii.ply",
                              "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\n"
                              "property list uchar float stuff\nproperty float y\nproperty float z\n"
                              "end_header\n1 3 0.1 0.2 0.3 2 3\n"));
        QCOMPARE(a.positions[0], Eigen::Vector3f(1.f, 2.f, 3.f));
    }

    void quadFaceIsTriangulated() {
        TempFolder t;
        const std::string header =
            "element vertex 4\nproperty float x\nproperty float y\nproperty float z\n"
            "element face 2\nproperty list uchar uint vertex_indices\nend_header\n";
        Bytes b;
        b.str("ply\nformat binary_little_endian 1.0\n" + header);
        for (int i = 0; i < 4; ++i) b.le(float(i)).le(float(i % 2)).le(0.f);
        b.le<std::uint8_t>(4)
            .le<std::uint32_t>(0)
            .le<std::uint32_t>(1)
            .le<std::uint32_t>(2)
            .le<std::uint32_t>(3);
        b.le<std::uint8_t>(3).le<std::uint32_t>(3).le<std::uint32_t>(2).le<std::uint32_t>(1);
        const std::string ascii =
            "ply\nformat ascii 1.0\n" + header + "0 0 0\n1 1 0\n2 0 0\n3 1 0\n4 0 1 2 3\n3 3 2 1\n";
        for (const auto& [name, bytes] : {std::pair{"quad.ply", b.s}, std::pair{"quad_ascii.ply", ascii}}) {
            const Scene s = readScene(t.write(name, bytes));
            QCOMPARE(s.faces.size(), std::size_t(3));
            QCOMPARE(s.faces[0], Eigen::Vector3i(0, 1, 2));
            QCOMPARE(s.faces[1], Eigen::Vector3i(0, 2, 3));
            QCOMPARE(s.faces[2], Eigen::Vector3i(3, 2, 1));
        }
    }

    // An element the reader does not know, with and without lists, between vertices and faces.
    void unknownElementsAreSkipped() {
        TempFolder t;
        Bytes b;
        b.str(
            "ply\nformat binary_big_endian 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
            "property float z\nelement material 2\nproperty double shininess\nproperty uchar id\n"
            "element edge 2\nproperty list uchar int vertex_pair\nproperty int crease\n"
            "element face 1\nproperty uchar flags\nproperty list uchar int vertex_index\nend_header\n");
        for (int i = 0; i < 9; ++i) b.be(float(i));
        b.be(0.5).be<std::uint8_t>(1).be(0.75).be<std::uint8_t>(2);
        b.be<std::uint8_t>(2).be<std::int32_t>(0).be<std::int32_t>(1).be<std::int32_t>(5);
        b.be<std::uint8_t>(3).be<std::int32_t>(0).be<std::int32_t>(1).be<std::int32_t>(2).be<std::int32_t>(6);
        b.be<std::uint8_t>(9).be<std::uint8_t>(3).be<std::int32_t>(2).be<std::int32_t>(1).be<std::int32_t>(0);
        const Scene s = readScene(t.write("elements.ply", b.s));
        QCOMPARE(s.pointCount(), std::size_t(3));
        QCOMPARE(s.positions[2], Eigen::Vector3f(6.f, 7.f, 8.f));
        QCOMPARE(s.faces.size(), std::size_t(1));
        QCOMPARE(s.faces[0], Eigen::Vector3i(2, 1, 0));
        QVERIFY(hasNoteContaining(s, "material"));
        QVERIFY(hasNoteContaining(s, "edge"));
    }

    void nameAliasesMapToStandardAttributes() {
        TempFolder t;
        const Scene s =
            readScene(t.write("alias.ply",
                              "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\n"
                              "property float z\nproperty uchar r\nproperty uchar g\nproperty uchar b\n"
                              "property float scalar_intensity\nproperty int class\nproperty int objectId\n"
                              "property int segment\nproperty float remission\nproperty float feat_0\n"
                              "property float feat_1\nproperty float feat_2\nproperty float rgb\nend_header\n"
                              "0 0 0 1 2 3 0.5 7 8 9 0.25 10 11 12 99\n"));
        QCOMPARE(int(values<std::uint8_t>(s, attr::kColor)[2]), 3);
        QCOMPARE(values<float>(s, attr::kIntensity)[0], 0.5f);
        QCOMPARE(values<std::int32_t>(s, attr::kLabel)[0], 7);
        QCOMPARE(values<std::int32_t>(s, attr::kInstance)[0], 8);
        QCOMPARE(values<std::int32_t>(s, attr::kSuperpoint)[0], 9);
        QCOMPARE(values<float>(s, "remission")[0], 0.25f);  // intensity already taken
        const AttributeArray* feat = s.find("feat");
        QVERIFY(feat);
        QCOMPARE(feat->components(), 3);
        QCOMPARE(feat->data<float>()[2], 12.f);
        QCOMPARE(values<float>(s, "ply_rgb")[0], 99.f);  // must not replace the colour attribute
    }

    void wideColoursAreRescaled() {
        TempFolder t;
        const Scene s16 = readScene(
            t.write("c16.ply",
                    "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\n"
                    "property float z\nproperty ushort red\nproperty ushort green\nproperty ushort blue\n"
                    "end_header\n0 0 0 65535 257 0\n"));
        const auto* c = values<std::uint8_t>(s16, attr::kColor);
        QCOMPARE(int(c[0]), 255);
        QCOMPARE(int(c[1]), 1);
        QCOMPARE(int(c[2]), 0);
        const Scene sf = readScene(
            t.write("cf.ply",
                    "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\n"
                    "property float z\nproperty float red\nproperty float green\nproperty float blue\n"
                    "end_header\n0 0 0 1 0.5 0\n1 1 1 0 0 0.2\n"));
        const auto* f = values<std::uint8_t>(sf, attr::kColor);
        QCOMPARE(int(f[0]), 255);
        QCOMPARE(int(f[1]), 128);  // 0.5 * 255 = 127.5, rounded to nearest even
        QCOMPARE(int(f[5]), 51);
    }

    void nonFinitePointsAreDroppedAndCounted() {
        TempFolder t;
        const Scene s = readScene(t.write(
            "nan.ply",
            "ply\nformat ascii 1.0\nelement vertex 4\nproperty float x\nproperty float y\n"
            "property float z\nproperty int label\nelement face 2\nproperty list uchar int vertex_indices\n"
            "end_header\n0 0 0 1\nnan 0 0 2\n1 1 1 3\n2 inf 2 4\n3 0 2 3\n3 0 1 2\n"));
        QCOMPARE(s.pointCount(), std::size_t(2));
        QCOMPARE(s.source.droppedNonFinite, std::uint64_t(2));
        QCOMPARE(values<std::int32_t>(s, attr::kLabel)[1], 3);
        QCOMPARE(s.faces.size(), std::size_t(0));  // both faces touched a dropped point

        Bytes b;
        b.str(
            "ply\nformat binary_little_endian 1.0\nelement vertex 4\nproperty float x\nproperty float y\n"
            "property float z\nelement face 2\nproperty list uchar int vertex_indices\nend_header\n");
        b.le(0.f).le(0.f).le(0.f).le(std::numeric_limits<float>::quiet_NaN()).le(0.f).le(0.f);
        b.le(1.f).le(0.f).le(0.f).le(0.f).le(1.f).le(0.f);
        b.le<std::uint8_t>(3).le<std::int32_t>(0).le<std::int32_t>(2).le<std::int32_t>(3);
        b.le<std::uint8_t>(3).le<std::int32_t>(0).le<std::int32_t>(1).le<std::int32_t>(2);
        const Scene m = readScene(t.write("nanmesh.ply", b.s));
        QCOMPARE(m.pointCount(), std::size_t(3));
        QCOMPARE(m.source.droppedNonFinite, std::uint64_t(1));
        QCOMPARE(m.faces.size(), std::size_t(1));
        QCOMPARE(m.faces[0], Eigen::Vector3i(0, 1, 2));  // (0, 2, 3) re-indexed
    }

    void crlfHeaderIsAccepted() {
        TempFolder t;
        Bytes b;
        b.str(
            "ply\r\nformat binary_little_endian 1.0\r\nelement vertex 1\r\nproperty float x\r\n"
            "property float y\r\nproperty float z\r\nend_header\r\n");
        b.le(1.f).le(2.f).le(3.f);
        const Scene s = readScene(t.write("crlf.ply", b.s));
        QCOMPARE(s.positions[0], Eigen::Vector3f(1.f, 2.f, 3.f));
    }

    void malformedFilesGiveIoError_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("location");  // expected "line N" / "byte N" in the message
        QTest::addColumn<QString>("phrase");    // words the message must contain
        const std::string xyz = "property float x\nproperty float y\nproperty float z\n";
        auto bin = [&](const std::string& count, const std::string& props = "") {
            return "ply\nformat binary_little_endian 1.0\nelement vertex " + count + "\n" +
                   (props.empty() ? xyz : props) + "end_header\n";
        };
        auto row = [](const char* tag, const char* file, const std::string& bytes, const char* location,
                      const char* phrase) {
            QTest::newRow(tag) << QString(file) << QByteArray(bytes.data(), int(bytes.size()))
                               << QString(location) << QString(phrase);
        };
        row("empty", "empty.ply", "", "", "empty");
        row("wrong-magic", "magic.ply", "PLY\nformat ascii 1.0\n", "line 1", "not a PLY file");
        row("truncated-header", "header.ply", "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\n",
            "line 5", "end_header");
        row("truncated-body", "body.ply", bin("3") + std::string(30, '\0'), "byte ", "holds only 30 bytes");
        row("1e12-vertices", "huge.ply", bin("1000000000000") + std::string(1000, '\0'), "byte ",
            "vertex count says 1000000000000 but the file holds only 1000 bytes after the header");
        row("negative-count", "negative.ply", bin("-5"), "line 3", "negative count");
        row("unknown-type", "type.ply", bin("1", "property float128 x\n"), "line 4", "unknown property type");
        row("unknown-format", "format.ply", "ply\nformat binary_middle_endian 1.0\nend_header\n", "line 2",
            "unknown PLY format");
        row("no-vertex-element", "novertex.ply",
            "ply\nformat ascii 1.0\nelement point 1\nproperty float x\nend_header\n1\n", "",
            "no 'vertex' element");
        row("no-z", "noz.ply",
            "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nend_header\n1 2\n",
            "line 3", "lacks an x, y or z");
        {
            Bytes b;
            b.str("ply\nformat binary_little_endian 1.0\nelement vertex 3\n" + xyz +
                  "element face 1\nproperty list uchar int vertex_indices\nend_header\n");
            for (int i = 0; i < 9; ++i) b.le(float(i));
            b.le<std::uint8_t>(3).le<std::int32_t>(0).le<std::int32_t>(1).le<std::int32_t>(3);
            row("face-index-out-of-range", "face.ply", b.s, "byte 205",
                "refers to vertex 3 but there are only 3");
        }
        {
            Bytes b;  // the list claims 200 indices, the file ends after 2
            b.str("ply\nformat binary_little_endian 1.0\nelement vertex 3\n" + xyz +
                  "element face 1\nproperty list uchar int vertex_indices\nend_header\n");
            for (int i = 0; i < 9; ++i) b.le(float(i));
            b.le<std::uint8_t>(200).le<std::int32_t>(0).le<std::int32_t>(1);
            row("face-list-truncated", "facelist.ply", b.s, "byte 206", "ends inside face record 1");
        }
        row("ascii-too-few-values", "few.ply",
            "ply\nformat ascii 1.0\nelement vertex 2\n" + xyz +
                "end_header\n1.000 2.000 3.000\n4.000 5.000\n",
            "line 9", "too few values");
        row("ascii-too-many-values", "many.ply",
            "ply\nformat ascii 1.0\nelement vertex 1\n" + xyz + "end_header\n1 2 3 4\n", "line 8",
            "too many values");
        row("ascii-bad-number", "token.ply",
            "ply\nformat ascii 1.0\nelement vertex 2\n" + xyz + "end_header\n1 2 3\n4 x 6\n", "line 9",
            "is not a number");
        row("ascii-missing-records", "records.ply",
            "ply\nformat ascii 1.0\nelement vertex 3\n" + xyz + "end_header\n1.5 2.5 3.5\n4.5 5.5 6.5\n\n\n",
            "line ", "ends after 2 of 3 vertex records");
        row("ascii-count-beyond-file", "asciihuge.ply",
            "ply\nformat ascii 1.0\nelement vertex 99999999999\n" + xyz + "end_header\n1 2 3\n", "byte ",
            "vertex count says 99999999999 but the file holds only 6 bytes after the header");
        row("duplicate-property", "dup.ply",
            bin("1", "property float x\nproperty float y\nproperty float z\nproperty float x\n"), "line 7",
            "appears twice");
        row("big-endian-truncated", "be.ply",
            "ply\nformat binary_big_endian 1.0\nelement vertex 2\n" + xyz + "end_header\n" +
                std::string(23, '\0'),
            "byte ", "holds only 23 bytes");
    }

    void malformedFilesGiveIoError() {
        QFETCH(QString, file);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, location);
        QFETCH(QString, phrase);
        TempFolder t;
        const fs::path p = t.write(file.toStdString(), bytes.toStdString());
        try {
            readScene(p);
            QFAIL("a malformed file was accepted");
        } catch (const IoError& e) {
            const QString message = QString::fromStdString(e.what());
            QVERIFY2(message.contains(file), qPrintable(message));
            QVERIFY2(message.contains(location), qPrintable("no '" + location + "' in: " + message));
            QVERIFY2(message.contains(phrase), qPrintable("no '" + phrase + "' in: " + message));
        }
    }

    // The shared ScanNet scene against a separate minimal parser of its fixed 23-byte records.
    void scanNetSharedFileMatchesIndependentParse() {
        const fs::path p = test::sharedData("scannet/scene0000_00_vert_nyu40.ply");
        if (!fs::exists(p)) QSKIP("shared data scannet/scene0000_00_vert_nyu40.ply is not available");
        const std::string bytes = test::readFile(p);
        const std::string layout =
            "element vertex 81369\nproperty float x\nproperty float y\nproperty float z\n"
            "property uchar red\nproperty uchar green\nproperty uchar blue\n"
            "property int label\nproperty int instance\nend_header\n";
        const std::size_t body = bytes.find(layout);
        QVERIFY2(body != std::string::npos, "the shared file's header changed; update the reference parser");
        const std::size_t start = body + layout.size();
        QCOMPARE(bytes.size() - start, std::size_t(81369) * 23);
        std::map<std::int64_t, std::uint64_t> labelHistogram, instanceHistogram;
        float lastZ = 0;
        for (std::size_t i = 0; i < 81369; ++i) {
            const char* record = bytes.data() + start + i * 23;
            std::int32_t label = 0, instance = 0;
            std::memcpy(&label, record + 15, 4);
            std::memcpy(&instance, record + 19, 4);
            ++labelHistogram[label];
            ++instanceHistogram[instance];
            if (i == 81368) std::memcpy(&lastZ, record + 8, 4);
        }

        const Scene s = readScene(p);
        QCOMPARE(s.pointCount(), std::size_t(81369));
        QVERIFY(s.find(attr::kLabel) && s.find(attr::kInstance) && s.find(attr::kColor));
        QVERIFY(s.histogram(attr::kLabel) == labelHistogram);
        QVERIFY(s.histogram(attr::kInstance) == instanceHistogram);
        QCOMPARE(s.positions.back().z(), lastZ);
        QVERIFY(labelHistogram.size() > 5);
    }

    // A generated raw-release folder: mesh + .labels.ply + segs.json.
    void scanNetRawLayout() {
        TempFolder t;
        const std::string stem = "scene0042_00_vh_clean_2";
        Bytes mesh;
        mesh.str(
            "ply\nformat binary_little_endian 1.0\nelement vertex 4\nproperty float x\nproperty float y\n"
            "property float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\n"
            "property uchar alpha\nelement face 2\nproperty list uchar int vertex_indices\nend_header\n");
        for (int i = 0; i < 4; ++i)
            mesh.le(float(i))
                .le(0.f)
                .le(float(i % 2))
                .le<std::uint8_t>(10)
                .le<std::uint8_t>(20)
                .le<std::uint8_t>(30)
                .le<std::uint8_t>(255);
        mesh.le<std::uint8_t>(3).le<std::int32_t>(0).le<std::int32_t>(1).le<std::int32_t>(2);
        mesh.le<std::uint8_t>(3).le<std::int32_t>(1).le<std::int32_t>(2).le<std::int32_t>(3);
        const fs::path meshPath = t.write(stem + ".ply", mesh.s);
        t.write(
            stem + ".labels.ply",
            "ply\nformat ascii 1.0\nelement vertex 4\nproperty float x\nproperty float y\nproperty float z\n"
            "property uchar red\nproperty uchar green\nproperty uchar blue\nproperty uchar alpha\n"
            "property ushort label\nelement face 0\nproperty list uchar int vertex_indices\nend_header\n"
            "0 0 0 1 1 1 255 5\n1 0 1 1 1 1 255 0\n2 0 0 1 1 1 255 39\n3 0 1 1 1 1 255 5\n");
        t.write(
            stem + ".0.010000.segs.json",
            R"({"params": {"kThresh": "0.0001"}, "sceneId": "scene0042_00", "segIndices": [7, 7, 1024, 3]})");

        const Scene s = readScene(meshPath);
        QCOMPARE(s.pointCount(), std::size_t(4));
        QCOMPARE(s.faces.size(), std::size_t(2));
        const auto* label = values<std::int32_t>(s, attr::kLabel);
        QCOMPARE(label[0], 5);
        QCOMPARE(label[1], 0);
        QCOMPARE(label[2], 39);
        const auto* sp = values<std::int32_t>(s, attr::kSuperpoint);
        QCOMPARE(sp[2], 1024);
        QCOMPARE(sp[3], 3);
        QCOMPARE(values<float>(s, "alpha")[0], 255.f);

        ReadOptions noSuperpoints;
        noSuperpoints.datasetSuperpoints = false;
        QVERIFY(!readScene(meshPath, noSuperpoints).find(attr::kSuperpoint));

        // A segmentation of another mesh must be refused, naming the sibling file.
        t.write(stem + ".0.010000.segs.json", R"({"segIndices": [1, 2, 3]})");
        try {
            readScene(meshPath);
            QFAIL("a segs.json with the wrong count was accepted");
        } catch (const IoError& e) {
            QVERIFY2(std::string(e.what()).find("segs.json") != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("3 entries") != std::string::npos, e.what());
        }
        t.write(stem + ".0.010000.segs.json", R"({"segIndices": [1, 2, 3, )");
        QVERIFY_THROWS_EXCEPTION(IoError, readScene(meshPath));
        t.write(stem + ".0.010000.segs.json", R"({"segIndices": [1, 2, -3, 4]})");
        QVERIFY_THROWS_EXCEPTION(IoError, readScene(meshPath));
        QVERIFY(fs::remove(t.path(stem + ".0.010000.segs.json")));

        t.write(stem + ".labels.ply",
                "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\n"
                "property float z\nproperty ushort label\nend_header\n0 0 0 1\n");
        try {
            readScene(meshPath);
            QFAIL("a labels.ply with the wrong vertex count was accepted");
        } catch (const IoError& e) {
            QVERIFY2(std::string(e.what()).find(".labels.ply") != std::string::npos, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestPly)
#include "tst_ply.moc"
