// NumPy .npy reading: headers of format versions 1, 2 and 3, float32/float64 in either byte order,
// C and Fortran order, guessed and explicit column layouts, and strict rejection of malformed headers.
#include "core/common/Error.h"
#include "core/io/SceneReader.h"
#include "tests/support/TestData.h"

#include <QtTest>

#include <bit>
#include <cmath>
#include <cstring>

using namespace s4;
namespace fs = std::filesystem;

namespace {

template <class T>
std::string encode(const std::vector<double>& values, bool bigEndian) {
    std::string out;
    for (double v : values) {
        const T t = static_cast<T>(v);
        char b[sizeof(T)];
        std::memcpy(b, &t, sizeof(T));
        if (bigEndian) std::reverse(b, b + sizeof(T));
        out.append(b, sizeof(T));
    }
    return out;
}

/// A .npy file: magic, version, header length, the dictionary padded to a multiple of 64, payload.
std::string npy(int version, const std::string& dict, const std::string& payload) {
    std::string header = dict;
    const std::size_t prefix = version == 1 ? 10 : 12;
    while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string out = "\x93NUMPY";
    out += char(version);
    out += char(0);
    const std::uint32_t length = std::uint32_t(header.size());
    out += char(length & 0xFF);
    out += char((length >> 8) & 0xFF);
    if (version != 1) {
        out += char((length >> 16) & 0xFF);
        out += char(length >> 24);
    }
    return out + header + payload;
}

std::string dict(const std::string& descr, bool fortran, const std::string& shape) {
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
           ", 'shape': " + shape + ", }";
}

}  // namespace

class TestNpy : public QObject {
    Q_OBJECT

    test::ScratchFolder dir_;
    fs::path write(const std::string& name, const std::string& bytes) { return dir_.write(name, bytes); }

private slots:
    void versionsAndDtypes_data() {
        QTest::addColumn<int>("version");
        QTest::addColumn<QString>("descr");
        QTest::newRow("v1 <f4") << 1 << "<f4";
        QTest::newRow("v1 >f8") << 1 << ">f8";
        QTest::newRow("v2 <f8") << 2 << "<f8";
        QTest::newRow("v2 >f4") << 2 << ">f4";
        QTest::newRow("v3 <f4") << 3 << "<f4";
    }

    void versionsAndDtypes() {
        QFETCH(int, version);
        QFETCH(QString, descr);
        const std::vector<double> values{1.5, -2, 3, 4, 5.25, -6e3};
        const std::string d = descr.toStdString();
        const bool big = d[0] == '>';
        const std::string payload = d[2] == '4' ? encode<float>(values, big) : encode<double>(values, big);
        const Scene s = readScene(write("v.npy", npy(version, dict(d, false, "(2, 3)"), payload)));
        QCOMPARE(s.pointCount(), std::size_t(2));
        QCOMPARE(s.positions[0], Eigen::Vector3f(1.5f, -2.f, 3.f));
        QCOMPARE(s.positions[1], Eigen::Vector3f(4.f, 5.25f, -6000.f));
        QCOMPARE(s.source.format, "npy-" + d);
    }

    void fortranOrderIsColumnMajor() {
        // Column-major: x0 x1 y0 y1 z0 z1.
        const std::string payload = encode<float>({1, 4, 2, 5, 3, 6}, false);
        const Scene s = readScene(write("f.npy", npy(1, dict("<f4", true, "(2, 3)"), payload)));
        QCOMPARE(s.positions[0], Eigen::Vector3f(1, 2, 3));
        QCOMPARE(s.positions[1], Eigen::Vector3f(4, 5, 6));
    }

    void sixColumnsAreColoursInEitherRange() {
        const Scene bytes = readScene(
            write("c255.npy", npy(1, dict("<f4", false, "(2, 6)"),
                                  encode<float>({0, 0, 0, 255, 128, 0, 1, 1, 1, 10, 20, 30}, false))));
        const auto* rgb = bytes.find(attr::kColor)->data<std::uint8_t>();
        QCOMPARE((std::vector<int>(rgb, rgb + 6)), (std::vector<int>{255, 128, 0, 10, 20, 30}));
        const Scene unit =
            readScene(write("c1.npy", npy(1, dict("<f8", false, "(2, 6)"),
                                          encode<double>({0, 0, 0, 1, 0.5, 0, 1, 1, 1, 0.2, 0, 1}, false))));
        const auto* rgb1 = unit.find(attr::kColor)->data<std::uint8_t>();
        QCOMPARE((std::vector<int>(rgb1, rgb1 + 6)), (std::vector<int>{255, 128, 0, 51, 0, 255}));
    }

    void sixColumnsOfUnitVectorsAreNormals() {
        const Scene s =
            readScene(write("n.npy", npy(1, dict("<f4", false, "(2, 6)"),
                                         encode<float>({0, 0, 0, 0, 0, 1, 1, 1, 1, 0.6, -0.8, 0}, false))));
        QVERIFY(!s.find(attr::kColor));
        const auto* n = s.find(attr::kNormal)->data<float>();
        QCOMPARE((std::vector<float>(n, n + 6)), (std::vector<float>{0, 0, 1, 0.6f, -0.8f, 0}));
    }

    void explicitColumnsOverrideTheGuess() {
        ReadOptions options;
        options.columns = "skip,x,y,z,label,intensity,instance";
        const std::string payload = encode<float>({9, 1, 2, 3, 7, 0.5, 11, 9, 4, 5, 6, -1, 0.25, 12}, false);
        const Scene s = readScene(write("cols.npy", npy(2, dict("<f4", false, "(2, 7)"), payload)), options);
        QCOMPARE(s.positions[1], Eigen::Vector3f(4, 5, 6));
        QCOMPARE(s.find(attr::kLabel)->data<std::int32_t>()[1], -1);
        QCOMPARE(s.find(attr::kInstance)->data<std::int32_t>()[0], 11);
        QCOMPARE(s.find(attr::kIntensity)->data<float>()[1], 0.25f);

        options.columns = "x,y,z,r,g,b";
        QVERIFY_THROWS_EXCEPTION(
            IoError, readScene(write("cols2.npy", npy(2, dict("<f4", false, "(2, 7)"), payload)), options));
        options.columns = "x,y,z,label,skip,skip,skip";
        const std::string fractional = encode<float>({1, 2, 3, 7.5, 0, 0, 0}, false);
        QVERIFY_THROWS_EXCEPTION(
            IoError,
            readScene(write("cols3.npy", npy(1, dict("<f4", false, "(1, 7)"), fractional)), options));
    }

    void nonFiniteRowsAreDropped() {
        const std::string payload = encode<float>({1, 2, 3, NAN, 0, 0, 4, 5, INFINITY, 7, 8, 9}, false);
        const Scene s = readScene(write("nan.npy", npy(1, dict("<f4", false, "(4, 3)"), payload)));
        QCOMPARE(s.pointCount(), std::size_t(2));
        QCOMPARE(s.source.droppedNonFinite, std::uint64_t(2));
        QCOMPARE(s.positions[1], Eigen::Vector3f(7, 8, 9));
    }

    void malformedFilesGiveIoError_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        auto row = [](const char* tag, const std::string& bytes, const char* expected) {
            QTest::newRow(tag) << QByteArray(bytes.data(), qsizetype(bytes.size())) << QString(expected);
        };
        const std::string six = encode<float>({1, 2, 3, 4, 5, 6}, false);
        row("bad magic", "\x92NUMPY" + npy(1, dict("<f4", false, "(2, 3)"), six).substr(6),
            "byte 0: does not start with the NumPy magic");
        row("empty", "", "NumPy magic");
        {
            std::string v4 = npy(1, dict("<f4", false, "(2, 3)"), six);
            v4[6] = 4;
            row("version 4", v4, "byte 6: NumPy format version 4.0");
        }
        row("header length lies", std::string("\x93NUMPY\x01\x00\xFF\xFF{'descr'", 18),
            "byte 8: the header length 65535");
        row("dictionary not closed",
            npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ", six),
            "expected a quoted string");
        row("missing shape", npy(1, "{'descr': '<f4', 'fortran_order': False, }", six),
            "lacks a valid 'shape'");
        row("extra key", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1, }", six),
            "expected a string, True");
        row("unexpected key",
            npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 'y', }", six),
            "unexpected key 'x'");
        row("repeated key",
            npy(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", six),
            "appears twice");
        row("fortran_order not bool",
            npy(1, "{'descr': '<f4', 'fortran_order': 'no', 'shape': (2, 3), }", six),
            "lacks a valid 'fortran_order'");
        row("complex dtype", npy(1, dict("<c16", false, "(2, 3)"), std::string(96, '\0')),
            "dtype '<c16' is not supported");
        row("integer dtype", npy(1, dict("<i4", false, "(2, 3)"), six), "dtype '<i4' is not supported");
        row("one-dimensional", npy(1, dict("<f4", false, "(6,)"), six), "shape has 1 dimensions");
        row("two columns", npy(1, dict("<f4", false, "(3, 2)"), six), "shape has 2 columns");
        row("negative dimension", npy(1, dict("<f4", false, "(-2, 3)"), six), "non-negative whole number");
        row("shape larger than data", npy(1, dict("<f4", false, "(3, 3)"), six), "needs 36 B, but only 24 B");
        row("1e12 rows", npy(1, dict("<f4", false, "(1000000000000, 3)"), six), "(1000000000000, 3) needs");
        row("dimension overflow", npy(1, dict("<f8", false, "(99999999999999999999, 3)"), six), "too large");
        row("text after dictionary", npy(1, dict("<f4", false, "(2, 3)") + " junk", six),
            "unexpected text after the dictionary");
        row("non-ASCII header",
            npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), '\xC3\xA9': 1}", six),
            "non-ASCII byte");
    }

    void malformedFilesGiveIoError() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const std::string error = test::readError(write("bad.npy", bytes.toStdString()));
        QVERIFY2(!error.empty(), "accepted");
        QVERIFY2(QString::fromStdString(error).startsWith(
                     QString::fromStdString(dir_.path().toStdString() + "/bad.npy: ")),
                 error.c_str());
        QVERIFY2(QString::fromStdString(error).contains(expected), error.c_str());
    }
};

QTEST_GUILESS_MAIN(TestNpy)
#include "tst_npy.moc"
