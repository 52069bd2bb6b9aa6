// The scene model: attributes, compaction, non-finite dropping, bounds, memory and histograms.
#include "core/common/Error.h"
#include "core/scene/Scene.h"
#include "core/scene/SceneSummary.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace s4;

class TestScene : public QObject {
    Q_OBJECT
private slots:
    void addFindReplaceRemove() {
        Scene s;
        s.resize(4);
        auto& label = s.add(attr::kLabel, ScalarType::Int32, 1);
        QCOMPARE(label.size(), std::size_t(4));
        label.data<std::int32_t>()[2] = 7;
        QCOMPARE(s.find(attr::kLabel)->data<std::int32_t>()[2], 7);
        // Replacing keeps one attribute of that name, zero-filled.
        s.add(attr::kLabel, ScalarType::Int32, 1);
        QCOMPARE(s.attributes().size(), std::size_t(1));
        QCOMPARE(s.find(attr::kLabel)->data<std::int32_t>()[2], 0);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, s.find(attr::kLabel)->data<float>());
        QVERIFY(s.remove(attr::kLabel));
        QVERIFY(!s.remove(attr::kLabel));
        QVERIFY(s.find(attr::kLabel) == nullptr);
    }

    void dropNonFiniteKeepsAttributesAligned() {
        Scene s;
        s.resize(5);
        auto& rgb = s.add(attr::kColor, ScalarType::UInt8, 3);
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const float inf = std::numeric_limits<float>::infinity();
        for (int i = 0; i < 5; ++i) {
            s.positions[i] = Eigen::Vector3f(float(i), 0, 0);
            for (int c = 0; c < 3; ++c) rgb.data<std::uint8_t>()[3 * i + c] = std::uint8_t(10 * i + c);
        }
        s.positions[1].y() = nan;
        s.positions[3].z() = inf;
        QCOMPARE(s.dropNonFinite(), std::uint64_t(2));
        QCOMPARE(s.pointCount(), std::size_t(3));
        QCOMPARE(s.source.droppedNonFinite, std::uint64_t(2));
        const auto* c = s.find(attr::kColor)->data<std::uint8_t>();
        // Survivors are points 0, 2, 4 with their own colours.
        QCOMPARE(int(c[0]), 0);
        QCOMPARE(int(c[3]), 20);
        QCOMPARE(int(c[6]), 40);
        QCOMPARE(int(c[8]), 42);
        QCOMPARE(s.positions[2].x(), 4.0f);
    }

    void boundsIncludeOffsetAndMemoryCountsEveryArray() {
        Scene s;
        s.resize(2);
        s.positions[0] = {1, 2, 3};
        s.positions[1] = {-1, 5, 0};
        s.offset = {1000.0, 2000.0, 0.5};
        BoundingBox b = s.bounds();
        QVERIFY(!b.empty);
        QCOMPARE(b.min.x(), 999.0);
        QCOMPARE(b.max.y(), 2005.0);
        QCOMPARE(b.max.z(), 3.5);
        s.add(attr::kNormal, ScalarType::Float32, 3);
        s.add(attr::kLabel, ScalarType::Int32, 1);
        QCOMPARE(s.memoryBytes(), std::size_t(2 * 12 + 2 * 12 + 2 * 4));
        QVERIFY(Scene().bounds().empty);
    }

    void histogramAndSummary() {
        Scene s;
        s.resize(6);
        auto* l = s.add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>();
        const int values[] = {3, 1, 3, 0, 3, 1};
        for (int i = 0; i < 6; ++i) l[i] = values[i];
        auto h = s.histogram(attr::kLabel);
        QCOMPARE(h.size(), std::size_t(3));
        QCOMPARE(h[3], std::uint64_t(3));
        QCOMPARE(h[1], std::uint64_t(2));
        QCOMPARE(h[0], std::uint64_t(1));
        auto j = summarizeScene(s);
        QCOMPARE(j["points"].get<int>(), 6);
        QCOMPARE(j["label_histogram"]["3"].get<int>(), 3);
        QCOMPARE(j["fields"].size(), std::size_t(2));
        s.add("height", ScalarType::Float32, 1);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, s.histogram("height"));
    }
};

QTEST_GUILESS_MAIN(TestScene)
#include "tst_scene.moc"
