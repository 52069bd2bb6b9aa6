// LAS reading: files of point formats 0, 1, 2, 3, 6, 7, 8 (LAS 1.2, 1.3 and 1.4 headers) built byte by
// byte with known scale and offset, checked against world coordinates worked out by hand; plus the
// hostile-header cases.
#include "core/common/Error.h"
#include "core/io/SceneReader.h"
#include "tests/support/ByteBuilder.h"
#include "tests/support/TestData.h"

#include <QtTest>

#include <cstring>

using namespace s4;
namespace fs = std::filesystem;
using s4::test::Bytes;

namespace {

struct LasPoint {
    std::int32_t x, y, z;
    std::uint16_t intensity;
    std::uint8_t returnByte;
    std::uint8_t classification;
    std::uint16_t rgb[3];
};

// Three points. With scale (0.001, 0.001, 0.01) and offset (500000, 4000000, 100) their world
// coordinates are (500123.456, 3999998, 105.05), (500000, 4000000, 100) and (501000, 4000000.005, 90).
const LasPoint kPoints[3] = {
    {123456, -2000, 505, 1000, 0x12, 0xE5, {65535, 32768, 256}},
    {0, 0, 0, 65535, 0x11, 0x02, {0, 0, 0}},
    {1000000, 5, -1000, 0, 0x23, 0x1F, {512, 1024, 2048}},
};
const double kWorld[3][3] = {
    {500123.456, 3999998.0, 105.05}, {500000.0, 4000000.0, 100.0}, {501000.0, 4000000.005, 90.0}};

struct LasSpec {
    int minor = 2;
    int format = 0;
    int extraBytes = 0;
    int gapBytes = 0;  // bytes between the header (and pretend VLRs) and the point data
    std::uint32_t legacyCount = 3;
    std::uint64_t count64 = 3;
    bool eightBitColour = false;
};

int minimumRecord(int format) {
    const int lengths[] = {20, 28, 26, 34, 57, 63, 30, 36, 38, 59, 67};
    return lengths[format];
}

std::string lasFile(const LasSpec& spec) {
    const std::uint16_t headerSize = spec.minor >= 4 ? 375 : spec.minor == 3 ? 235 : 227;
    const auto recordLength = std::uint16_t(minimumRecord(spec.format) + spec.extraBytes);
    Bytes b;
    b.str("LASF").le<std::uint16_t>(7).le<std::uint16_t>(0).zeros(16);
    b.le<std::uint8_t>(1).le<std::uint8_t>(std::uint8_t(spec.minor));
    b.zeros(64).le<std::uint16_t>(1).le<std::uint16_t>(2026);
    b.le<std::uint16_t>(headerSize).le<std::uint32_t>(headerSize + spec.gapBytes).le<std::uint32_t>(0);
    b.le<std::uint8_t>(std::uint8_t(spec.format))
        .le<std::uint16_t>(recordLength)
        .le<std::uint32_t>(spec.legacyCount);
    for (int i = 0; i < 5; ++i) b.le<std::uint32_t>(0);
    b.le<double>(0.001).le<double>(0.001).le<double>(0.01);
    b.le<double>(500000).le<double>(4000000).le<double>(100);
    b.le<double>(501000)
        .le<double>(500000)
        .le<double>(4000000.005)
        .le<double>(3999998)
        .le<double>(105.05)
        .le<double>(90);
    if (spec.minor >= 3) b.le<std::uint64_t>(0);  // start of waveform data
    if (spec.minor >= 4) {
        b.le<std::uint64_t>(0).le<std::uint32_t>(0).le<std::uint64_t>(spec.count64);
        for (int i = 0; i < 15; ++i) b.le<std::uint64_t>(0);
    }
    if (b.s.size() != headerSize) throw std::logic_error("test header size");
    b.str(std::string(std::size_t(spec.gapBytes), 'V'));
    const bool extended = spec.format >= 6;
    const bool gps = spec.format == 1 || spec.format == 3 || extended;
    const bool colour = spec.format == 2 || spec.format == 3 || spec.format == 7 || spec.format == 8;
    for (const auto& p : kPoints) {
        const std::size_t start = b.s.size();
        b.le(p.x).le(p.y).le(p.z).le(p.intensity).le(p.returnByte);
        if (extended) {
            b.le<std::uint8_t>(0)
                .le(p.classification)
                .le<std::uint8_t>(0)
                .le<std::int16_t>(0)
                .le<std::uint16_t>(0);
        } else {
            b.le(p.classification).le<std::int8_t>(0).le<std::uint8_t>(0).le<std::uint16_t>(0);
        }
        if (gps) b.le<double>(1e9 + 0.5);
        if (colour)
            for (auto c : p.rgb) b.le<std::uint16_t>(spec.eightBitColour ? std::uint16_t(c >> 8) : c);
        if (spec.format == 8) b.le<std::uint16_t>(4242);  // near infrared
        b.str(std::string(std::size_t(spec.extraBytes), 'E'));
        if (b.s.size() - start != recordLength) throw std::logic_error("test record size");
    }
    return b.s;
}

void put(std::string& s, std::size_t at, const void* v, std::size_t n) {
    std::memcpy(s.data() + at, v, n);
}

}  // namespace

class TestLas : public QObject {
    Q_OBJECT

    test::ScratchFolder dir_;
    fs::path write(const std::string& name, const std::string& bytes) { return dir_.write(name, bytes); }

private slots:
    void pointFormatsDecode_data() {
        QTest::addColumn<int>("minor");
        QTest::addColumn<int>("format");
        QTest::addColumn<int>("extraBytes");
        QTest::newRow("1.2 format 0") << 2 << 0 << 0;
        QTest::newRow("1.2 format 1") << 2 << 1 << 0;
        QTest::newRow("1.2 format 2") << 2 << 2 << 0;
        QTest::newRow("1.2 format 3") << 2 << 3 << 0;
        QTest::newRow("1.3 format 1") << 3 << 1 << 0;
        QTest::newRow("1.3 format 3, 5 extra bytes") << 3 << 3 << 5;
        QTest::newRow("1.4 format 1") << 4 << 1 << 0;
        QTest::newRow("1.4 format 6") << 4 << 6 << 0;
        QTest::newRow("1.4 format 7") << 4 << 7 << 0;
        QTest::newRow("1.4 format 8") << 4 << 8 << 0;
        QTest::newRow("1.4 format 8, 9 extra bytes") << 4 << 8 << 9;
    }

    void pointFormatsDecode() {
        QFETCH(int, minor);
        QFETCH(int, format);
        QFETCH(int, extraBytes);
        LasSpec spec;
        spec.minor = minor;
        spec.format = format;
        spec.extraBytes = extraBytes;
        spec.gapBytes = 54;
        const Scene s = readScene(write("f.las", lasFile(spec)));
        QCOMPARE(s.source.format, "las-1." + std::to_string(minor));
        QCOMPARE(s.pointCount(), std::size_t(3));
        // Large coordinates move into the offset (floored minimum); z stays local.
        QCOMPARE(s.offset, Eigen::Vector3d(500000.0, 3999998.0, 0.0));
        for (int i = 0; i < 3; ++i)
            for (int a = 0; a < 3; ++a)
                QVERIFY2(std::abs(double(s.positions[std::size_t(i)][a]) + s.offset[a] - kWorld[i][a]) < 1e-4,
                         qPrintable(QString("point %1 axis %2").arg(i).arg(a)));
        const auto* intensity = s.find(attr::kIntensity)->data<float>();
        QCOMPARE(intensity[0], 1000.f);
        QCOMPARE(intensity[1], 65535.f);
        const auto* label = s.find(attr::kLabel)->data<std::int32_t>();
        const auto* returns = s.find("return_number")->data<float>();
        if (format < 6) {
            // Low 5 bits of the classification byte; the top 3 are flags (0xE5 -> 5, 0x1F -> 31).
            QCOMPARE((std::vector<int>{label[0], label[1], label[2]}), (std::vector<int>{5, 2, 31}));
            QCOMPARE((std::vector<float>{returns[0], returns[1], returns[2]}), (std::vector<float>{2, 1, 3}));
        } else {
            QCOMPARE((std::vector<int>{label[0], label[1], label[2]}), (std::vector<int>{0xE5, 2, 0x1F}));
            QCOMPARE((std::vector<float>{returns[0], returns[1], returns[2]}), (std::vector<float>{2, 1, 3}));
        }
        const bool colour = format == 2 || format == 3 || format == 7 || format == 8;
        QCOMPARE(s.find(attr::kColor) != nullptr, colour);
        if (colour) {
            const auto* rgb = s.find(attr::kColor)->data<std::uint8_t>();
            // 16-bit to 8-bit: 65535 -> 255, 32768 -> 128, 256 -> 1, 512 -> 2, 1024 -> 4, 2048 -> 8.
            QCOMPARE((std::vector<int>(rgb, rgb + 9)), (std::vector<int>{255, 128, 1, 0, 0, 0, 2, 4, 8}));
        }
        if (extraBytes > 0)
            QVERIFY(std::any_of(s.source.notes.begin(), s.source.notes.end(), [](const std::string& n) {
                return n.find("extra bytes") != std::string::npos;
            }));
    }

    void eightBitColourInSixteenBitFieldsIsKept() {
        LasSpec spec;
        spec.format = 2;
        spec.eightBitColour = true;
        const Scene s = readScene(write("c8.las", lasFile(spec)));
        const auto* rgb = s.find(attr::kColor)->data<std::uint8_t>();
        QCOMPARE((std::vector<int>(rgb, rgb + 9)), (std::vector<int>{255, 128, 1, 0, 0, 0, 2, 4, 8}));
    }

    void las14ExtendedCountWhenLegacyIsZero() {
        LasSpec spec;
        spec.minor = 4;
        spec.format = 6;
        spec.legacyCount = 0;
        spec.count64 = 2;  // fewer than the file holds: the header decides
        QCOMPARE(readScene(write("c14.las", lasFile(spec))).pointCount(), std::size_t(2));
        spec.legacyCount = 3;
        spec.count64 = 0;  // a 1.4 file from a writer that only fills the legacy count
        QCOMPARE(readScene(write("c14b.las", lasFile(spec))).pointCount(), std::size_t(3));
    }

    void smallCoordinatesKeepZeroOffset() {
        std::string f = lasFile(LasSpec{});
        const double zero = 0.0;
        put(f, 155, &zero, 8);  // x offset 0 -> x in 0..1000
        put(f, 163, &zero, 8);  // y offset 0 -> y in -2..0.005
        const Scene s = readScene(write("local.las", f));
        QCOMPARE(s.offset, Eigen::Vector3d::Zero().eval());
        QCOMPARE(s.positions[0].x(), 123.456f);
        QCOMPARE(s.positions[2].y(), 0.005f);
    }

    void malformedHeadersGiveIoError_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        auto row = [](const char* tag, const std::string& bytes, const char* expected) {
            QTest::newRow(tag) << QByteArray(bytes.data(), qsizetype(bytes.size())) << QString(expected);
        };
        const std::string good = lasFile(LasSpec{});
        auto patched = [&](std::size_t at, auto value, const std::string& base) {
            std::string s = base;
            put(s, at, &value, sizeof value);
            return s;
        };
        row("wrong magic", "LASX" + good.substr(4), "byte 0: does not start with the LAS signature");
        row("truncated header", good.substr(0, 100), "ends inside the LAS header");
        row("empty", "", "does not start with the LAS signature");
        row("header size too small", patched(94, std::uint16_t(200), good), "byte 94: header size 200");
        row("header size beyond file", patched(94, std::uint16_t(60000), good), "header size 60000");
        row("offset before header end", patched(96, std::uint32_t(100), good),
            "byte 96: offset to point data 100");
        row("offset beyond file", patched(96, std::uint32_t(1u << 30), good), "lies outside the file");
        row("record shorter than format",
            patched(105, std::uint16_t(30), patched(104, std::uint8_t(3), good)),
            "byte 105: point record length 30 is shorter than the 34 bytes of point format 3");
        row("1e9 points", patched(107, std::uint32_t(1000000000u), good),
            "byte 107: the header says 1000000000 points");
        {
            LasSpec spec;
            spec.minor = 4;
            spec.format = 6;
            spec.legacyCount = 0;
            row("1.4 count 1e15", patched(247, std::uint64_t(1000000000000000ull), lasFile(spec)),
                "byte 247: the header says 1000000000000000 points");
            std::string shortHeader = lasFile(spec);
            row("1.4 with a 1.2-sized header", patched(94, std::uint16_t(227), shortHeader),
                "impossible for LAS 1.4");
        }
        row("LAZ compressed", patched(104, std::uint8_t(0x83), good), "LAZ-compressed");
        row("unknown point format", patched(104, std::uint8_t(11), good), "point data format 11 is unknown");
        row("version 2.0", patched(24, std::uint8_t(2), good), "LAS version 2.2 is not supported");
        row("zero scale", patched(139, 0.0, good), "byte 139: the y scale/offset pair is not usable");
        // Finite but absurd: int32 coordinates would leave float32 (found by tst_mutation_fuzz).
        row("scale 1e200", patched(131, 1e200, good), "header, x scale/offset: puts coordinates at");
        row("offset 1e300", patched(171, 1e300, good), "beyond any real coordinate");
        row("truncated points", good.substr(0, good.size() - 7), "only 53 B of point data follow");
    }

    void malformedHeadersGiveIoError() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const std::string error = test::readError(write("bad.las", bytes.toStdString()));
        QVERIFY2(!error.empty(), "accepted");
        QVERIFY2(QString::fromStdString(error).startsWith(
                     QString::fromStdString(dir_.path().toStdString() + "/bad.las: ")),
                 error.c_str());
        QVERIFY2(QString::fromStdString(error).contains(expected), error.c_str());
    }
};

QTEST_GUILESS_MAIN(TestLas)
#include "tst_las.moc"
