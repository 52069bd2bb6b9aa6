// The superpoint stage: on a synthetic room corner it respects the faces, honours the minimum size,
// is deterministic and cancellable; dataset superpoints are taken over; on the real ScanNet scene
// the partition quality (oracle mIoU, boundary recall/precision, size) is reported and checked.
#include "core/common/Error.h"
#include "core/common/Progress.h"
#include "core/eval/PartitionMetrics.h"
#include "core/geometry/NeighborSearch.h"
#include "core/io/SceneReader.h"
#include "core/superpoint/SuperpointPartition.h"
#include "tests/support/TestData.h"

#include <QtTest>

#include <limits>
#include <map>
#include <random>

using namespace s4;

namespace {

// Floor z=0 and two walls x=0, y=0 of a 2 m corner, plus a 0.4 m cube standing on the floor; points on
// a jittered 2 cm grid. Label = which surface (1 floor, 2 wall x, 3 wall y, 4 cube).
Scene roomCorner(std::vector<std::int32_t>& labels) {
    Scene s;
    std::mt19937 rng(11);
    auto jitter = [&] { return float(double(rng()) / 4294967295.0 - 0.5) * 0.004f; };
    auto add = [&](Eigen::Vector3f p, std::int32_t label) {
        s.positions.push_back(p + Eigen::Vector3f(jitter(), jitter(), jitter()));
        labels.push_back(label);
    };
    const float step = 0.02f;
    for (float u = 0.01f; u < 2.0f; u += step)
        for (float v = 0.01f; v < 2.0f; v += step) {
            const bool underCube = u > 0.8f && u < 1.2f && v > 0.8f && v < 1.2f;
            if (!underCube) add({u, v, 0.0f}, 1);
            if (v > 0.01f) add({0.0f, u, v}, 2);
            if (v > 0.01f) add({u, 0.0f, v}, 3);
        }
    for (float u = 0.81f; u < 1.2f; u += step)
        for (float v = 0.81f; v < 1.2f; v += step) {
            add({u, v, 0.4f}, 4);         // top
            add({u, 0.8f, v - 0.8f}, 4);  // side y = 0.8
            add({u, 1.2f, v - 0.8f}, 4);  // side y = 1.2
            add({0.8f, u, v - 0.8f}, 4);  // side x = 0.8
            add({1.2f, u, v - 0.8f}, 4);  // side x = 1.2
        }
    s.resize(s.positions.size());
    return s;
}

}  // namespace

class TestSuperpointPartition : public QObject {
    Q_OBJECT
private slots:
    void syntheticCornerRespectsSurfaces() {
        std::vector<std::int32_t> truth;
        const Scene scene = roomCorner(truth);
        SuperpointParams params;
        const auto r = runSuperpointPartition(scene, params);
        QVERIFY(!r.fromDataset);
        QCOMPARE(r.labels.size(), scene.pointCount());
        QVERIFY(r.count >= 4);
        // Labels are 0..count-1 numbered by first point.
        std::int32_t next = 0;
        std::map<std::int32_t, std::size_t> size;
        for (const auto l : r.labels) {
            QVERIFY(l >= 0 && l <= next);
            if (l == next) ++next;
            ++size[l];
        }
        QCOMPARE(std::size_t(next), r.count);
        for (const auto& [label, n] : size)
            QVERIFY2(n >= params.minSuperpointSize,
                     qPrintable(QString("superpoint %1 has %2 points").arg(label).arg(n)));
        const auto nb = knnAll(scene.positions, 8, SelfMatch::Exclude);
        const auto scores = evaluatePartition(r.labels, truth, nb.indices, nb.k, 0);
        qInfo(
            "synthetic corner: %zu points, %zu superpoints, oracle mIoU %.4f, boundary recall %.3f precision "
            "%.3f",
            scene.pointCount(), r.count, scores.oracle.meanIoU, scores.boundary.recall,
            scores.boundary.precision);
        QVERIFY(scores.oracle.meanIoU >= 0.95);
        QVERIFY(scores.boundary.recall >= 0.9);
        // Energy trace of the cut pursuit never increases.
        for (std::size_t k = 1; k < r.energyTrace.size(); ++k)
            QVERIFY(r.energyTrace[k] <= r.energyTrace[k - 1] * (1 + 1e-12));

        const auto again = runSuperpointPartition(scene, params);
        QCOMPARE(again.labels, r.labels);
    }

    void datasetSuperpointsAreTakenOver() {
        Scene s;
        s.resize(5);
        for (int i = 0; i < 5; ++i) s.positions[std::size_t(i)] = Eigen::Vector3f(float(i), 0, 0);
        auto& sp = s.add(attr::kSuperpoint, ScalarType::Int32, 1);
        const std::int32_t given[] = {5, 5, 9, 9, 5};
        std::copy(given, given + 5, sp.data<std::int32_t>());
        SuperpointParams params;
        const auto r = runSuperpointPartition(s, params);
        QVERIFY(r.fromDataset);
        QCOMPARE(r.count, std::size_t(2));
        QCOMPARE(r.labels, (std::vector<std::int32_t>{0, 0, 1, 1, 0}));
        // Switched off, the stage computes its own partition instead.
        params.useDatasetSuperpoints = false;
        params.minSuperpointSize = 1;
        params.normals.k = 3;
        params.eigenFeatures.k = 2;
        params.graphNeighbours = 2;
        const auto own = runSuperpointPartition(s, params);
        QVERIFY(!own.fromDataset);
        QCOMPARE(own.labels.size(), std::size_t(5));
    }

    void cancelAndInvalidParameters() {
        std::vector<std::int32_t> truth;
        const Scene scene = roomCorner(truth);
        CancelFlag flag;
        flag.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 runSuperpointPartition(scene, {}, Progress({}, flag.asCallback())));
        SuperpointParams bad;
        bad.graphNeighbours = 0;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runSuperpointPartition(scene, bad));
        bad = {};
        bad.regularization = -1.0;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runSuperpointPartition(scene, bad));
        for (const double lambda : {-1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
            bad = {};
            bad.planarMerge.penalty = lambda;
            QVERIFY_THROWS_EXCEPTION(InvalidArgument, runSuperpointPartition(scene, bad));
        }
        bad = {};
        bad.planarMerge.featureWeight = -0.5;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runSuperpointPartition(scene, bad));
    }

    void scannetScenePartitionQuality() {
        const auto path = test::sharedData("scannet/scene0000_00_vert_nyu40.ply");
        if (!std::filesystem::exists(path)) QSKIP("shared ScanNet scene not available");
        Scene scene;
        try {
            scene = readScene(path);
        } catch (const IoError& e) {
            QSKIP(qPrintable(QString("the PLY reader cannot read the scene yet: %1").arg(e.what())));
        }
        QCOMPARE(scene.pointCount(), std::size_t(81369));
        const AttributeArray* label = scene.find(attr::kLabel);
        QVERIFY(label != nullptr);
        const std::vector<std::int32_t> truth(label->data<std::int32_t>(),
                                              label->data<std::int32_t>() + scene.pointCount());
        SuperpointParams params;
        params.useDatasetSuperpoints = false;
        const auto r = runSuperpointPartition(scene, params);
        const auto nb = knnAll(scene.positions, 10, SelfMatch::Exclude);
        const auto s = evaluatePartition(r.labels, truth, nb.indices, nb.k, 0);
        qInfo(
            "ScanNet scene0000_00: %zu superpoints (%zu cut-pursuit components, %zu after the minimum-size "
            "merge), mean size %.2f, oracle mIoU %.4f (OA %.4f, %zu classes), boundary recall %.3f precision %.3f",
            s.superpointCount, r.cutPursuitComponents, r.minimumSizeComponents, s.meanSuperpointSize, s.oracle.meanIoU,
            s.oracle.overallAccuracy, s.oracle.classes.size(), s.boundary.recall, s.boundary.precision);
        // The target: oracle mIoU ≥ 0.90 at a mean size ≥ 20. The defaults give 0.903 at 20.5
        // (bench/README.md "Superpoints"); without the planar merge the stage gave 0.889 at 20.3.
        QVERIFY2(s.meanSuperpointSize >= 20.0, qPrintable(QString::number(s.meanSuperpointSize)));
        QVERIFY2(s.oracle.meanIoU >= 0.90, qPrintable(QString::number(s.oracle.meanIoU)));
        QVERIFY(s.boundary.recall >= 0.95);
        // The planar merge made it: the same stage without it, at the minimum size that keeps the mean
        // size ≥ 20, stays below the target.
        params.regularization = 0.05;
        params.minSuperpointSize = 8;
        params.planarMerge.penalty = 0.0;
        const auto before = runSuperpointPartition(scene, params);
        const auto b = evaluatePartition(before.labels, truth, nb.indices, nb.k, 0);
        qInfo("without the planar merge (ρ 0.05, minimum size 8): %zu superpoints, mean size %.2f, oracle %.4f",
              b.superpointCount, b.meanSuperpointSize, b.oracle.meanIoU);
        QVERIFY(b.meanSuperpointSize >= 20.0);
        QVERIFY(b.oracle.meanIoU < s.oracle.meanIoU - 0.005);
    }
};

QTEST_GUILESS_MAIN(TestSuperpointPartition)
#include "tst_superpointpartition.moc"
