// Writers: writePly round trips a scene with every attribute kind through readScene; every label
// format round trips through its reader (or, for KITTI, a hand-decoded uint32); invalid labels are
// refused without touching an existing file.
#include "core/common/Error.h"
#include "core/io/LabelWriter.h"
#include "core/io/SceneReader.h"
#include "core/io/SceneWriter.h"
#include "tests/support/TestData.h"

#include <QtTest>

#include <cstring>
#include <fstream>
#include <iterator>

using namespace s4;
namespace fs = std::filesystem;

namespace {

// 5 points with a large offset, every standard attribute, a float field, a 4-component float field, a
// uint32 field and two triangles.
Scene everyAttributeKind() {
    Scene s;
    s.offset = Eigen::Vector3d(651234.0, 5412345.0, -12.5);
    s.positions = {
        {0.f, 0.f, 0.f}, {1.25f, -2.5f, 0.125f}, {3.f, 4.f, 5.f}, {-1e-3f, 7.f, 8.f}, {9.f, 10.f, 11.5f}};
    std::uint8_t* rgb = s.add(attr::kColor, ScalarType::UInt8, 3).data<std::uint8_t>();
    float* normal = s.add(attr::kNormal, ScalarType::Float32, 3).data<float>();
    float* intensity = s.add(attr::kIntensity, ScalarType::Float32, 1).data<float>();
    std::int32_t* label = s.add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>();
    std::int32_t* instance = s.add(attr::kInstance, ScalarType::Int32, 1).data<std::int32_t>();
    std::int32_t* superpoint = s.add(attr::kSuperpoint, ScalarType::Int32, 1).data<std::int32_t>();
    float* curvature = s.add("curvature", ScalarType::Float32, 1).data<float>();
    float* feature = s.add("feature", ScalarType::Float32, 4).data<float>();
    std::uint32_t* hits = s.add("hits", ScalarType::UInt32, 1).data<std::uint32_t>();
    for (int i = 0; i < 5; ++i) {
        for (int c = 0; c < 3; ++c) rgb[3 * i + c] = std::uint8_t(50 * i + 17 * c);
        normal[3 * i + i % 3] = (i % 2) ? -1.f : 1.f;
        intensity[i] = 0.1f * float(i) + 1e-7f;
        label[i] = i == 3 ? -1 : 7 * i;
        instance[i] = 1000 + i;
        superpoint[i] = 123456 + i;
        curvature[i] = 1.f / float(i + 3);
        for (int c = 0; c < 4; ++c) feature[4 * i + c] = float(i) - 0.25f * float(c);
        hits[i] = 16777216u - std::uint32_t(i);  // still exact in float32
    }
    s.faces = {{0, 1, 2}, {2, 3, 4}};
    return s;
}

void compareBytes(const AttributeArray& a, const AttributeArray& b) {
    QCOMPARE(a.type(), b.type());
    QCOMPARE(a.components(), b.components());
    QCOMPARE(a.size(), b.size());
    QVERIFY2(std::memcmp(a.rawData(), b.rawData(), a.byteSize()) == 0, a.name().c_str());
}

Scene sceneWithLabels(std::vector<std::int32_t> labels, std::vector<std::int32_t> instances = {}) {
    Scene s;
    s.resize(labels.size());
    for (std::size_t i = 0; i < labels.size(); ++i)
        s.positions[i] = Eigen::Vector3f(float(i), 2.f * float(i), 0.5f);
    std::memcpy(s.add(attr::kLabel, ScalarType::Int32, 1).rawData(), labels.data(), labels.size() * 4);
    if (!instances.empty())
        std::memcpy(s.add(attr::kInstance, ScalarType::Int32, 1).rawData(), instances.data(),
                    instances.size() * 4);
    return s;
}

}  // namespace

class TestWriters : public QObject {
    Q_OBJECT
private slots:
    void plyRoundTripKeepsEveryAttribute() {
        test::ScratchFolder dir;
        const fs::path p = dir.file("all.ply");
        const Scene original = everyAttributeKind();
        writePly(original, p);
        const Scene back = readScene(p);

        QCOMPARE(back.source.format, std::string("ply-binary-le"));
        QCOMPARE(back.pointCount(), original.pointCount());
        QVERIFY(back.positions == original.positions);
        QCOMPARE(back.offset, original.offset);
        QVERIFY(back.faces == original.faces);
        for (const char* name : {attr::kColor, attr::kNormal, attr::kIntensity, attr::kLabel, attr::kInstance,
                                 attr::kSuperpoint, "curvature", "feature"}) {
            QVERIFY2(back.find(name), name);
            compareBytes(*original.find(name), *back.find(name));
        }
        // Generic non-float fields come back as float32 fields with the same values.
        const AttributeArray* hits = back.find("hits");
        QVERIFY(hits);
        QCOMPARE(hits->type(), ScalarType::Float32);
        for (std::size_t i = 0; i < 5; ++i)
            QCOMPARE(hits->valueAsDouble(i), original.find("hits")->valueAsDouble(i));
        QCOMPARE(back.attributes().size(), original.attributes().size());
    }

    void plyHeaderNamesComponents() {
        test::ScratchFolder dir;
        const fs::path p = dir.file("h.ply");
        writePly(everyAttributeKind(), p, {true, {"made by a test"}});
        const std::string bytes = test::readFile(p);
        const std::string header = bytes.substr(0, bytes.find("end_header"));
        for (const char* line : {"format binary_little_endian 1.0\n", "comment made by a test\n",
                                 "comment global_shift 651234 5412345 -12.5\n", "property double x\n",
                                 "property uchar red\n",
                                 "property float nz\n", "property int label\n", "property float feature_3\n",
                                 "property uint hits\n", "element face 2\n"})
            QVERIFY2(header.find(line) != std::string::npos, line);
    }

    // Other readers must see true coordinates: the first record of a shifted scene holds the world
    // position as three little-endian doubles (read here by hand, not through the library); a scene
    // without an offset keeps float coordinates and names no shift.
    void plyWritesWorldCoordinatesForShiftedScenes() {
        test::ScratchFolder dir;
        const fs::path p = dir.file("world.ply");
        Scene original = everyAttributeKind();
        original.positions[0] = {1.25f, -2.5f, 0.125f};  // not the offset itself
        writePly(original, p);
        const std::string bytes = test::readFile(p);
        const std::size_t body = bytes.find("end_header\n") + std::strlen("end_header\n");
        double first[3];
        std::memcpy(first, bytes.data() + body, sizeof first);
        for (int c = 0; c < 3; ++c)
            QCOMPARE(first[c], original.offset[c] + double(original.positions[0][c]));
        Scene local = original;
        local.offset.setZero();
        const fs::path q = dir.file("local.ply");
        writePly(local, q);
        const std::string localBytes = test::readFile(q);
        const std::string header = localBytes.substr(0, localBytes.find("end_header"));
        QVERIFY(header.find("property float x\n") != std::string::npos);
        QVERIFY(header.find("global_shift") == std::string::npos && header.find("comment offset") == std::string::npos);
        const Scene back = readScene(q);
        QVERIFY(back.positions == local.positions);
        QVERIFY(back.offset.isZero(0.0));
    }

    void plyWriterRefusesDanglingFaces() {
        test::ScratchFolder dir;
        Scene s = everyAttributeKind();
        s.faces.push_back({0, 1, 5});
        const fs::path p = dir.file("bad.ply");
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, writePly(s, p));
        QVERIFY(!fs::exists(p));
        PlyWriteOptions noFaces;
        noFaces.writeFaces = false;
        writePly(s, p, noFaces);
        QVERIFY(readScene(p).faces.empty());
    }

    void textLabelsRoundTrip() {
        test::ScratchFolder dir;
        const fs::path p = dir.file("labels.txt");
        const std::vector<std::int32_t> labels = {0, 5, -1, 2147483647, 40};
        writeLabels(p, sceneWithLabels(labels), LabelFormat::Text);
        QCOMPARE(test::readFile(p), std::string("0\n5\n-1\n2147483647\n40\n"));
        QVERIFY(readTextLabels(p) == labels);
    }

    void semanticKittiLabelsRoundTrip() {
        test::ScratchFolder dir;
        const fs::path p = dir.file("000000.label");
        writeLabels(p, sceneWithLabels({10, 40, 0, 65535}, {3, 0, 65535, 1}), LabelFormat::SemanticKitti);
        const std::string bytes = test::readFile(p);
        QCOMPARE(bytes.size(), std::size_t(16));
        // instance << 16 | semantic, little-endian: (3 << 16) | 10 = 0x0003000A.
        QCOMPARE(std::string(bytes.data(), 4), std::string("\x0A\x00\x03\x00", 4));
        const SemanticKittiLabels back = readSemanticKittiLabels(p);
        QVERIFY(back.semantic == std::vector<std::int32_t>({10, 40, 0, 65535}));
        QVERIFY(back.instance == std::vector<std::int32_t>({3, 0, 65535, 1}));

        // Without an instance attribute the high half is 0.
        writeLabels(p, sceneWithLabels({7}), LabelFormat::SemanticKitti);
        QCOMPARE(test::readFile(p), std::string("\x07\x00\x00\x00", 4));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 writeLabels(p, sceneWithLabels({-1}), LabelFormat::SemanticKitti));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 writeLabels(p, sceneWithLabels({70000}), LabelFormat::SemanticKitti));
    }

    void scanNetIdsAreValidatedAndMapped() {
        test::ScratchFolder dir;
        const fs::path p = dir.file("scene0707_00.txt");
        writeLabels(p, sceneWithLabels({0, 1, 40, 39}), LabelFormat::ScanNetIds);
        QVERIFY(readTextLabels(p) == std::vector<std::int32_t>({0, 1, 40, 39}));

        // ScanNet-20 indices 0..19 → NYU40 ids; -1 (ignore) → 0.
        std::vector<std::int32_t> indices;
        for (int i = 0; i < 20; ++i) indices.push_back(i);
        indices.push_back(-1);
        LabelWriteOptions mapped;
        mapped.scanNet20ToNyu40 = true;
        writeLabels(p, sceneWithLabels(indices), LabelFormat::ScanNetIds, mapped);
        const std::vector<std::int32_t> expected = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                                    12, 14, 16, 24, 28, 33, 34, 36, 39, 0};
        QVERIFY(readTextLabels(p) == expected);

        // Invalid ids are refused and the previous file stays as it was.
        const std::string before = test::readFile(p);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 writeLabels(p, sceneWithLabels({3, 41}), LabelFormat::ScanNetIds));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 writeLabels(p, sceneWithLabels({20}), LabelFormat::ScanNetIds, mapped));
        QCOMPARE(test::readFile(p), before);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, writeLabels(p, Scene(), LabelFormat::ScanNetIds));
    }

    void plyFieldLabelsRoundTrip() {
        test::ScratchFolder dir;
        const fs::path p = dir.file("labels.ply");
        Scene s = sceneWithLabels({3, -1, 12});
        s.offset = Eigen::Vector3d(1e6, 2e6, 0.0);
        s.add(attr::kColor, ScalarType::UInt8, 3);  // not part of the label file
        writeLabels(p, s, LabelFormat::PlyField);
        const Scene back = readScene(p);
        QVERIFY(back.positions == s.positions);
        QCOMPARE(back.offset, s.offset);
        QCOMPARE(back.attributes().size(), std::size_t(1));
        compareBytes(*s.find(attr::kLabel), *back.find(attr::kLabel));
    }

    void labelReadersRejectMalformedFiles() {
        test::ScratchFolder dir;
        const fs::path text = dir.file("bad.txt");
        test::writeFile(text, "1\n2\nthree\n");
        try {
            readTextLabels(text);
            QFAIL("a text label file with a word was accepted");
        } catch (const IoError& e) {
            QVERIFY2(std::string(e.what()).find("bad.txt: line 3") != std::string::npos, e.what());
        }
        const fs::path kitti = dir.file("bad.label");
        test::writeFile(kitti, std::string(7, '\0'));
        QVERIFY_THROWS_EXCEPTION(IoError, readSemanticKittiLabels(kitti));
    }
};

QTEST_GUILESS_MAIN(TestWriters)
#include "tst_writers.moc"
