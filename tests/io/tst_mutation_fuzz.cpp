// Mutation fuzzing of every scene reader: valid seed files of each format (hand-built, plus small real
// files from ../shared/data when present) are truncated, bit-flipped (anywhere and in the header) and
// given absurd header numbers, deterministically. Every mutant must either read — with finite positions
// and labels sized like the cloud — or fail with an s4::IoError naming the file; never another exception,
// never a crash (the sanitizer build runs this suite under ASan+UBSan), and never one allocation far
// larger than the file could justify. Complements the hand-written hostile corpus (tst_malformed_corpus).
#include "core/common/Error.h"
#include "core/io/SceneReader.h"
#include "core/io/SceneWriter.h"
#include "tests/support/ByteBuilder.h"
#include "tests/support/LargestAllocation.h"
#include "tests/support/TestData.h"

#include <QtTest>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <random>
#include <regex>


using namespace s4;
namespace fs = std::filesystem;
using s4::test::Bytes;

namespace {

struct Seed {
    std::string name;
    std::string file;  // name inside the scratch folder (its extension picks the reader)
    std::string bytes;
};

// A small labelled, coloured mesh written by our own PLY writer (binary little-endian).
std::string writerPly(const test::ScratchFolder& dir) {
    Scene s;
    for (int i = 0; i < 40; ++i) s.positions.push_back({float(i % 7), float(i / 7), float(i % 3) * 0.5f});
    std::uint8_t* rgb = s.add("rgb", ScalarType::UInt8, 3).data<std::uint8_t>();
    std::int32_t* label = s.add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>();
    for (std::size_t i = 0; i < 40; ++i) {
        for (std::size_t c = 0; c < 3; ++c) rgb[3 * i + c] = std::uint8_t(i * 5 + c);
        label[i] = std::int32_t(i % 4);
    }
    for (int i = 0; i + 8 < 40; ++i) s.faces.emplace_back(i, i + 1, i + 7);
    const fs::path p = dir.file("writer.ply");
    writePly(s, p);
    return test::readFile(p);
}

std::vector<Seed> seeds(const test::ScratchFolder& dir) {
    std::vector<Seed> out;
    out.push_back({"ply-writer", "cloud.ply", writerPly(dir)});
    out.push_back({"ply-ascii", "ascii.ply",
                   "ply\nformat ascii 1.0\ncomment hand-made\nelement vertex 4\nproperty float x\nproperty float y\n"
                   "property float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nproperty int label\n"
                   "element face 2\nproperty list uchar int vertex_indices\nend_header\n"
                   "0 0 0 255 0 0 1\n1 0 0 0 255 0 2\n0 1 0 0 0 255 3\n1 1 0.5 9 9 9 4\n3 0 1 2\n3 1 3 2\n"});
    {
        Bytes b;
        b.str("ply\nformat binary_big_endian 1.0\nelement vertex 3\nproperty double x\nproperty double y\n"
              "property double z\nproperty ushort intensity\nend_header\n");
        for (int i = 0; i < 3; ++i) b.be<double>(i).be<double>(2.0 * i).be<double>(-i).be<std::uint16_t>(std::uint16_t(100 * i));
        out.push_back({"ply-binary-be", "be.ply", b.s});
    }
    out.push_back({"pcd-ascii", "ascii.pcd",
                   "# .PCD v0.7\nVERSION 0.7\nFIELDS x y z rgb label\nSIZE 4 4 4 4 4\nTYPE F F F U I\nCOUNT 1 1 1 1 1\n"
                   "WIDTH 3\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS 3\nDATA ascii\n"
                   "0 0 0 16711680 1\n1 0 0 65280 2\n0 1 0 255 3\n"});
    {
        Bytes b;
        b.str("# .PCD v0.7\nVERSION 0.7\nFIELDS x y z intensity\nSIZE 4 4 4 4\nTYPE F F F F\nCOUNT 1 1 1 1\n"
              "WIDTH 4\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS 4\nDATA binary\n");
        for (int i = 0; i < 4; ++i) b.le<float>(float(i)).le<float>(1.0f).le<float>(float(-i)).le<float>(0.5f * float(i));
        out.push_back({"pcd-binary", "binary.pcd", b.s});
    }
    {
        // binary_compressed: the fields column by column (x of every point, then y, z), LZF-compressed.
        // Hand-made LZF: a 16-byte literal run (control 15) for x; y equals x, so a back-reference
        // (control 0xE0: length 7 + 7 + 2 = 16, offset 15 + 1 = 16 bytes back); a literal run for z.
        Bytes columns;
        for (float v : {0.0f, 1.0f, 2.0f, 3.0f}) columns.le<float>(v);
        Bytes lzf;
        lzf.le<std::uint8_t>(15).str(columns.s).raw({0xE0, 7, 15}).le<std::uint8_t>(15);
        for (float v : {0.5f, -0.5f, 1.5f, 2.5f}) lzf.le<float>(v);
        Bytes b;
        b.str("# .PCD v0.7\nVERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH 4\nHEIGHT 1\n"
              "VIEWPOINT 0 0 0 1 0 0 0\nPOINTS 4\nDATA binary_compressed\n");
        b.le<std::uint32_t>(std::uint32_t(lzf.s.size())).le<std::uint32_t>(48).str(lzf.s);
        out.push_back({"pcd-binary-compressed", "compressed.pcd", b.s});
    }
    out.push_back({"xyz-text", "cloud.xyz", "# x y z r g b\n0 0 0 10 20 30\n1 0 0 40 50 60\n0 1 0 70 80 90\n1 1 1 1 2 3\n"});
    out.push_back({"csv-text", "cloud.csv", "x,y,z,label\n0,0,0,1\n1,0,0,2\n0,1,0,3\n"});
    out.push_back({"off-mesh", "mesh.off", "OFF\n# a square\n4 2 0\n0 0 0\n1 0 0\n1 1 0\n0 1 0\n3 0 1 2\n3 0 2 3\n"});
    out.push_back({"npy-f4", "cloud.npy", test::npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), }", 48)});
    out.push_back({"las-format0", "cloud.las", test::lasFile(0, 20, 3, 3 * 20)});
    {
        Bytes b;  // KITTI velodyne: x y z reflectance
        for (int i = 0; i < 6; ++i) b.le<float>(float(i)).le<float>(float(2 * i)).le<float>(0.1f).le<float>(0.5f);
        out.push_back({"kitti-bin", "velodyne/000000.bin", b.s});
    }
    if (test::sharedDataAvailable()) {
        for (const char* rel : {"open3d_test_data/cloud_bin_0.pcd", "modelnet/ModelNet10/table/test/table_0393.off",
                                "potree_lion/stanford_bunny_reduced.ply"}) {
            const fs::path p = test::sharedData(rel);
            if (fs::exists(p) && fs::file_size(p) < (512u << 10))
                out.push_back({std::string("shared:") + rel, "shared" + p.extension().string(), test::readFile(p)});
        }
    }
    return out;
}

// Deterministic mutants of one seed.
std::vector<std::string> mutants(const std::string& seed, unsigned salt) {
    std::mt19937 rng(1234u + salt);
    std::vector<std::string> out;
    const std::size_t n = seed.size();
    if (n == 0) return out;
    auto pick = [&](std::size_t hi) { return std::uniform_int_distribution<std::size_t>(0, hi - 1)(rng); };
    for (int k = 0; k < 16; ++k) out.push_back(seed.substr(0, pick(n)));  // truncations
    const std::size_t header = std::min<std::size_t>(n, 400);
    for (int k = 0; k < 40; ++k) {  // flips: the first 16 in the header region, then anywhere
        std::string m = seed;
        const int flips = 1 + int(pick(8));
        for (int f = 0; f < flips; ++f) m[k < 16 ? pick(header) : pick(n)] ^= char(1 + pick(255));
        out.push_back(std::move(m));
    }
    // Numbers in the header replaced by absurd ones (counts, sizes, widths).
    static const std::regex number("[0-9]+");
    const std::string head = seed.substr(0, header);
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    for (auto it = std::sregex_iterator(head.begin(), head.end(), number); it != std::sregex_iterator(); ++it)
        spans.emplace_back(std::size_t(it->position()), std::size_t(it->length()));
    for (int k = 0; k < 12 && !spans.empty(); ++k) {
        const auto [pos, len] = spans[pick(spans.size())];
        static const char* absurd[] = {"0", "4294967296", "18446744073709551615", "99999999999999999999999", "-1", "1e308"};
        out.push_back(seed.substr(0, pos) + absurd[pick(6)] + seed.substr(pos + len));
    }
    return out;
}

}  // namespace

class TestMutationFuzz : public QObject {
    Q_OBJECT
private slots:
    void seedsRead() {
        // Mutants are only meaningful next to seeds that read.
        test::ScratchFolder dir;
        for (const Seed& s : seeds(dir)) {
            const fs::path p = dir.write(s.file, s.bytes);
            try {
                const Scene scene = readScene(p);
                QVERIFY2(scene.pointCount() > 0, s.name.c_str());
                if (s.name == "pcd-binary-compressed") {  // the hand-made LZF decodes to what it encodes
                    QCOMPARE(scene.pointCount(), std::size_t(4));
                    QCOMPARE(scene.positions[3], Eigen::Vector3f(3.0f, 3.0f, 2.5f));
                }
            } catch (const std::exception& e) {
                QFAIL(qPrintable(QString::fromStdString(s.name + ": " + e.what())));
            }
        }
    }

    void mutantsReadOrFailCleanly_data() {
        QTest::addColumn<int>("index");
        test::ScratchFolder dir;
        const auto all = seeds(dir);
        for (std::size_t i = 0; i < all.size(); ++i) QTest::newRow(all[i].name.c_str()) << int(i);
    }

    void mutantsReadOrFailCleanly() {
        QFETCH(int, index);
        test::ScratchFolder dir;
        const Seed seed = seeds(dir)[std::size_t(index)];
        int read = 0, refused = 0;
        const auto all = mutants(seed.bytes, unsigned(index));
        for (std::size_t m = 0; m < all.size(); ++m) {
            const fs::path p = dir.write(seed.file, all[m]);
            const std::string what = seed.name + " mutant " + std::to_string(m);
            test::LargestAllocation::start();
            try {
                const Scene scene = readScene(p);
                test::LargestAllocation::stop();
                ++read;
                for (const auto& q : scene.positions)
                    QVERIFY2(std::isfinite(q.x()) && std::isfinite(q.y()) && std::isfinite(q.z()),
                             qPrintable(QString::fromStdString(what + ": a non-finite position was kept")));
                for (const AttributeArray& array : scene.attributes())
                    QVERIFY2(array.size() == scene.pointCount(),
                             qPrintable(QString::fromStdString(what + ": attribute " + array.name() + " is not per point")));
                for (const Eigen::Vector3i& f : scene.faces)
                    for (int v : f)
                        QVERIFY2(v >= 0 && std::size_t(v) < scene.pointCount(),
                                 qPrintable(QString::fromStdString(what + ": face index out of range")));
            } catch (const IoError& e) {
                test::LargestAllocation::stop();
                ++refused;
                const std::string message = e.what();
                QVERIFY2(message.find(p.filename().string()) != std::string::npos,
                         qPrintable(QString::fromStdString(what + ": message does not name the file: " + message)));
            } catch (const std::exception& e) {
                test::LargestAllocation::stop();
                QFAIL(qPrintable(QString::fromStdString(what + ": expected s4::IoError, got: " + e.what())));
            }
            const std::size_t bound = 64 * all[m].size() + (1u << 20);
            QVERIFY2(test::LargestAllocation::bytes <= bound,
                     qPrintable(QString::fromStdString(what + ": largest allocation " +
                                                       std::to_string(test::LargestAllocation::bytes.load()) + " > " +
                                                       std::to_string(bound))));
        }
        qInfo("%s: %d mutants read, %d refused", seed.name.c_str(), read, refused);
    }
};

QTEST_GUILESS_MAIN(TestMutationFuzz)
#include "tst_mutation_fuzz.moc"
