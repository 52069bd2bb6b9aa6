// safetensors: hand-made files in the format's exact layout, round trips through the writer,
// hand-computed float16/bfloat16 bit patterns, and malformed headers, each of which must give an
// IoError naming the file without allocating more than the file could hold.
#include "core/common/Error.h"
#include "core/model/weights/HalfFloat.h"
#include "core/model/weights/SafeTensors.h"
#include "tests/support/TestData.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <new>

using namespace s4;
namespace fs = std::filesystem;

// ---- The largest single allocation while tracking is on (replaces global operator new) ----
static std::atomic<bool> gTracking{false};
static std::atomic<std::size_t> gLargest{0};

void* operator new(std::size_t size) {
    if (gTracking.load(std::memory_order_relaxed)) {
        std::size_t seen = gLargest.load();
        while (size > seen && !gLargest.compare_exchange_weak(seen, size)) {
        }
    }
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

namespace {

std::string le64(std::uint64_t v) {
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i) s[std::size_t(i)] = char((v >> (8 * i)) & 0xFF);
    return s;
}

// A file laid out as the reference implementation writes it: length, JSON, data.
std::string fileWith(const std::string& header, const std::string& data) {
    return le64(header.size()) + header + data;
}

std::string bytesOf16(std::initializer_list<std::uint16_t> values) {
    std::string s;
    for (std::uint16_t v : values) s += {char(v & 0xFF), char(v >> 8)};
    return s;
}

std::uint32_t bitsOf(float f) {
    return std::bit_cast<std::uint32_t>(f);
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

class TestSafeTensors : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    fs::path path(const std::string& name) const { return fs::path(dir_.path().toStdString()) / name; }

    // Opens a malformed file: an IoError naming the file whose message holds `expected`, and no
    // single allocation larger than the file plus a small constant.
    void expectRejected(const std::string& name, const std::string& bytes, const char* expected) {
        const fs::path file = path(name);
        test::writeFile(file, bytes);
        QString message = "no exception";
        gLargest = 0;
        gTracking = true;
        try {
            SafeTensorsFile f(file);
        } catch (const IoError& e) {
            message = QString::fromStdString(e.what());
        } catch (const std::exception& e) {
            message = "wrong exception type: " + QString::fromStdString(e.what());
        }
        gTracking = false;
        QVERIFY2(message.startsWith(QString::fromStdString(file.string()) + ":"), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(QString::fromStdString(name) + ": " + message));
        QVERIFY2(gLargest.load() <= bytes.size() + 4096,
                 qPrintable(QString::fromStdString(name + ": allocated " + std::to_string(gLargest.load()) +
                                                   " bytes at once")));
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void readsAHandMadeFile() {
        // Two F32 tensors and metadata, exactly as Python's safetensors lays them out.
        const std::string header =
            R"({"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
            R"("a":{"dtype":"I32","shape":[1,1],"data_offsets":[8,12]}})";
        std::string data(12, '\0');
        const float b[2] = {1.5f, -0.25f};
        const std::int32_t a = -7;
        std::memcpy(data.data(), b, 8);
        std::memcpy(data.data() + 8, &a, 4);
        test::writeFile(path("hand.safetensors"), fileWith(header, data));

        SafeTensorsFile f(path("hand.safetensors"));
        QCOMPARE(f.names(), (std::vector<std::string>{"b", "a"}));  // data order
        QCOMPARE(f.metadata().at("format"), std::string("pt"));
        QCOMPARE(f.info("a").shape, (std::vector<std::int64_t>{1, 1}));
        QCOMPARE(f.info("a").dtype, SafeTensorDType::I32);
        QCOMPARE(f.toFloat32("b"), (std::vector<float>{1.5f, -0.25f}));
        QCOMPARE(f.toFloat32("a"), (std::vector<float>{-7.0f}));
        QVERIFY(!f.contains("c"));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, f.info("c"));
    }

    void halfAndBfloat16BitPatterns() {
        const std::string header = R"({"h":{"dtype":"F16","shape":[10],"data_offsets":[0,20]},)"
                                   R"("g":{"dtype":"BF16","shape":[7],"data_offsets":[20,34]}})";
        const std::string data =
            bytesOf16({0x3C00, 0xC100, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x7C00, 0xFC00, 0x7E00, 0x8000}) +
            bytesOf16({0x3F80, 0xC020, 0x477F, 0x0001, 0x7F80, 0x7FC0, 0x8000});
        test::writeFile(path("half.safetensors"), fileWith(header, data));
        SafeTensorsFile f(path("half.safetensors"));

        const std::vector<float> h = f.toFloat32("h");
        QCOMPARE(h[0], 1.0f);
        QCOMPARE(h[1], -2.5f);
        QCOMPARE(h[2], 65504.0f);                        // largest half
        QCOMPARE(bitsOf(h[3]), bitsOf(5.9604645e-8f));   // smallest subnormal, 2^-24
        QCOMPARE(bitsOf(h[4]), bitsOf(6.09755516e-5f));  // largest subnormal, 1023 × 2^-24
        QCOMPARE(bitsOf(h[5]), bitsOf(6.10351562e-5f));  // smallest normal, 2^-14
        QCOMPARE(h[6], std::numeric_limits<float>::infinity());
        QCOMPARE(h[7], -std::numeric_limits<float>::infinity());
        QVERIFY(std::isnan(h[8]));
        QCOMPARE(bitsOf(h[9]), 0x80000000u);  // -0 keeps its sign

        const std::vector<float> g = f.toFloat32("g");
        QCOMPARE(g[0], 1.0f);
        QCOMPARE(g[1], -2.5f);
        QCOMPARE(g[2], 65280.0f);             // 0x477F: 255 × 2^8
        QCOMPARE(bitsOf(g[3]), 0x00010000u);  // a float32 subnormal, 2^-133
        QCOMPARE(g[3], std::ldexp(1.0f, -133));
        QCOMPARE(g[4], std::numeric_limits<float>::infinity());
        QVERIFY(std::isnan(g[5]));
        QCOMPARE(bitsOf(g[6]), 0x80000000u);
    }

    void everyHalfMatchesTheFormula() {
        // (-1)^s × 2^(e-15) × (1 + m/1024), or 2^-14 × m/1024 for e = 0, computed in double.
        for (std::uint32_t bits = 0; bits < 0x10000; ++bits) {
            const int s = bits >> 15, e = (bits >> 10) & 0x1F, m = bits & 0x3FF;
            const float value = halfToFloat(std::uint16_t(bits));
            if (e == 31) {
                QVERIFY(m == 0 ? std::isinf(value) : std::isnan(value));
                QCOMPARE(std::signbit(value), s == 1);
                continue;
            }
            const double magnitude =
                e == 0 ? std::pow(2.0, -14) * (m / 1024.0) : std::pow(2.0, e - 15) * (1.0 + m / 1024.0);
            const double expected = s ? -magnitude : magnitude;
            if (double(value) != expected || std::signbit(value) != (s == 1))
                QFAIL(qPrintable(QString("half 0x%1 gave %2").arg(bits, 4, 16, QChar('0')).arg(value)));
        }
    }

    void float8Formats() {
        QCOMPARE(float8E4M3ToFloat(0x38), 1.0f);    // 0.0111.000: 2^0
        QCOMPARE(float8E4M3ToFloat(0x7E), 448.0f);  // largest finite
        QCOMPARE(float8E4M3ToFloat(0x01), std::ldexp(1.0f, -9));
        QVERIFY(std::isnan(float8E4M3ToFloat(0x7F)));
        QCOMPARE(float8E5M2ToFloat(0x3C), 1.0f);
        QCOMPARE(float8E5M2ToFloat(0x7C), std::numeric_limits<float>::infinity());
        QCOMPARE(float8E5M2ToFloat(0xC1), -2.5f);
    }

    void writerRoundTrip() {
        const std::vector<float> weights = {1.0f,   -0.0f, 3.25e-40f, std::numeric_limits<float>::max(),
                                            -1e-3f, 7.0f};
        std::vector<SafeTensorData> tensors;
        tensors.push_back(SafeTensorData::fromFloat32("encoder.weight", {2, 3}, weights));
        tensors.push_back({"half", SafeTensorDType::F16, {2}, {0x00, 0x3C, 0x00, 0xC1}});
        tensors.push_back({"bf", SafeTensorDType::BF16, {1}, {0x80, 0x3F}});
        tensors.push_back({"empty", SafeTensorDType::F32, {0, 4}, {}});
        tensors.push_back(
            {"count", SafeTensorDType::I64, {}, {0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}});
        const fs::path file = path("round.safetensors");
        writeSafeTensors(file, tensors, {{"format", "pt"}, {"s4.kind", "tokenizer"}});

        const std::string raw = slurp(file);
        std::uint64_t headerLength = 0;
        std::memcpy(&headerLength, raw.data(), 8);
        QCOMPARE(headerLength % 8, std::uint64_t(0));
        QCOMPARE(raw.size(), std::size_t(8 + headerLength + 24 + 4 + 2 + 0 + 8));

        SafeTensorsFile f(file);
        QCOMPARE(f.names(), (std::vector<std::string>{"encoder.weight", "half", "bf", "empty", "count"}));
        QCOMPARE(f.metadata().at("s4.kind"), std::string("tokenizer"));
        QCOMPARE(f.info("encoder.weight").shape, (std::vector<std::int64_t>{2, 3}));
        const auto back = f.toFloat32("encoder.weight");
        QCOMPARE(back.size(), weights.size());
        for (std::size_t i = 0; i < weights.size(); ++i) QCOMPARE(bitsOf(back[i]), bitsOf(weights[i]));
        QCOMPARE(f.toFloat32("half"), (std::vector<float>{1.0f, -2.5f}));
        QCOMPARE(f.toFloat32("bf"), (std::vector<float>{1.0f}));
        QCOMPARE(f.info("empty").elementCount, std::uint64_t(0));
        QVERIFY(f.toFloat32("empty").empty());
        QCOMPARE(f.info("count").shape.size(), std::size_t(0));  // a scalar
        QCOMPARE(f.toFloat32("count"), (std::vector<float>{-2.0f}));
        QCOMPARE(std::size_t(f.bytes("half").size()), std::size_t(4));
    }

    void writerRefusesInconsistentTensors() {
        const fs::path file = path("refused.safetensors");
        test::writeFile(file, "keep");
        using T = SafeTensorData;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 writeSafeTensors(file, {T{"a", SafeTensorDType::F32, {2}, {1, 2, 3}}}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 writeSafeTensors(file, {T{"a", SafeTensorDType::F32, {-1}, {}}}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 writeSafeTensors(file, {T{"a", SafeTensorDType::U8, {1}, {1}},
                                                         T{"a", SafeTensorDType::U8, {1}, {2}}}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 writeSafeTensors(file, {T{"__metadata__", SafeTensorDType::U8, {1}, {1}}}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 writeSafeTensors(file, {T{"a", SafeTensorDType::F32, {1ll << 62}, {}}}));
        QCOMPARE(slurp(file), std::string("keep"));
        QVERIFY_THROWS_EXCEPTION(IoError, writeSafeTensors(path("no/such/dir/x.safetensors"), {}));
    }

    void malformedFilesAreRejected() {
        const std::string ok = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
        const std::string data(8, '\0');
        expectRejected("short.st", "abc", "too short");
        expectRejected("long_header.st", le64(1000) + "{}", "header length says 1000");
        expectRejected("huge_header.st", le64(1ull << 63) + "{}", "header length says");
        std::string truncated = fileWith(ok, data);
        truncated.resize(truncated.size() - 4);
        expectRejected("truncated.st", truncated, "reach past the data section");
        expectRejected("outside.st",
                       fileWith(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", data),
                       "reach past the data section");
        expectRejected("mismatch.st",
                       fileWith(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", data),
                       "needs 12");
        expectRejected("negative.st",
                       fileWith(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", data),
                       "negative");
        expectRejected(
            "overflow.st",
            fileWith(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", data),
            "more elements than 2^64");
        expectRejected(
            "bytes_overflow.st",
            fileWith(R"({"w":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}})", data),
            "more than 2^64 bytes");
        expectRejected(
            "huge_claim.st",
            fileWith(R"({"w":{"dtype":"F32","shape":[1000000000000],"data_offsets":[0,4000000000000]}})",
                     data),
            "reach past the data section");
        expectRejected("fraction.st",
                       fileWith(R"({"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}})", data),
                       "non-negative integer");
        expectRejected("dtype.st",
                       fileWith(R"({"w":{"dtype":"F17","shape":[2],"data_offsets":[0,8]}})", data),
                       "unknown dtype \"F17\"");
        expectRejected("notjson.st", fileWith("{not json}      ", data), "not valid JSON");
        expectRejected("array.st", fileWith("[1,2]", data), "must be a JSON object");
        expectRejected("duplicate.st",
                       fileWith(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                data),
                       "repeats the key \"w\"");
        expectRejected("overlap.st",
                       fileWith(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                data),
                       "overlap");
        expectRejected("reversed.st",
                       fileWith(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", data),
                       "end before they begin");
        expectRejected("missing.st", fileWith(R"({"w":{"dtype":"F32","shape":[2]}})", data),
                       "lacks \"data_offsets\"");
        expectRejected("deep.st", fileWith(R"({"w":{"shape":[[[1]]]}})", data), "nests");
        std::string longShape = "1";
        for (int i = 1; i < 100; ++i) longShape += ",1";
        expectRejected("long_shape.st", fileWith(R"({"w":{"dtype":"U8","shape":[)" + longShape + "]}}", data),
                       "array of more than");
        expectRejected("metadata.st", fileWith(R"({"__metadata__":{"epoch":3}})", data),
                       "__metadata__ value of \"epoch\" must be a string");
    }
};

QTEST_GUILESS_MAIN(TestSafeTensors)
#include "tst_safetensors.moc"
