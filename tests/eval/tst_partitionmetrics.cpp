// Superpoint oracle mIoU and boundary recall / precision on tiny partitions computed by hand.
#include "core/common/Error.h"
#include "core/eval/PartitionMetrics.h"

#include <QtTest>

#include <cmath>
#include <vector>

using namespace s4;

namespace {

bool near(double a, double b) {
    return std::abs(a - b) < 1e-12;
}

// Ten points on a line; point i's neighbours are i−1 and i+1 (−1 past the ends).
std::vector<std::int32_t> lineNeighbours(int n) {
    std::vector<std::int32_t> nb;
    for (int i = 0; i < n; ++i) {
        nb.push_back(i - 1);
        nb.push_back(i + 1 < n ? i + 1 : -1);
    }
    return nb;
}

// idx:        0  1  2  3  4  5  6  7  8  9
const std::vector<std::int32_t> kSuperpoint{0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
const std::vector<std::int32_t> kTruth{1, 1, 1, 2, 2, 2, 0, 3, 3, 1};

}  // namespace

class TestPartitionMetrics : public QObject {
    Q_OBJECT
private slots:
    void oracleMeanIoUByHand() {
        // Superpoint 0 = {1,1,1,2} → 1; superpoint 1 = {2,2,(0)} → 2; superpoint 2 = {3,3,1} → 3.
        // Oracle prediction: 1 1 1 1 2 2 2 3 3 3; point 6 (truth 0) is not counted.
        // class 1: truth {0,1,2,9}, predicted {0,1,2,3}: TP 3, FN 1, FP 1 → 3/5
        // class 2: truth {3,4,5},   predicted {4,5}:     TP 2, FN 1, FP 0 → 2/3
        // class 3: truth {7,8},     predicted {7,8,9}:   TP 2, FN 0, FP 1 → 2/3
        // oracle mIoU = (3/5 + 2/3 + 2/3) / 3 ≈ 0.6444, OA = 7/9.
        const auto oracle = superpointMajorityLabels(kSuperpoint, kTruth, 0);
        QCOMPARE(oracle, (std::vector<std::int32_t>{1, 1, 1, 1, 2, 2, 2, 3, 3, 3}));
        const auto nb = lineNeighbours(10);
        const auto s = evaluatePartition(kSuperpoint, kTruth, nb, 2, 0);
        QVERIFY(near(s.oracle.meanIoU, (0.6 + 2.0 / 3.0 + 2.0 / 3.0) / 3.0));
        QVERIFY(near(s.oracle.overallAccuracy, 7.0 / 9.0));
        QCOMPARE(s.superpointCount, std::size_t(3));
        QVERIFY(near(s.meanSuperpointSize, 10.0 / 3.0));
    }

    void majorityTiesAndIgnoredOnlySuperpoints() {
        // Superpoint 5: labels 4 and 2 once each → 2 (smaller id). Superpoint 9: ignored points only → 0.
        const std::vector<std::int32_t> sp{5, 5, 9, 9}, truth{4, 2, 0, 0};
        QCOMPARE(superpointMajorityLabels(sp, truth, 0), (std::vector<std::int32_t>{2, 2, 0, 0}));
        const std::vector<std::int32_t> negative{0, -1, 0, 0};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, superpointMajorityLabels(negative, truth, 0));
    }

    void boundaryRecallAndPrecisionByHand() {
        // Predicted boundary points (a neighbour in another superpoint): 3, 4, 6, 7.
        // Ground-truth boundary points (labelled, with a labelled neighbour of another label): 2, 3, 8, 9
        // (4–5 are 2–2, 6 is ignored, 7's neighbours are ignored 6 and same-label 8).
        // Recall: 2 (neighbour 3 predicted) ✓, 3 ✓, 8 (neighbour 7 predicted) ✓, 9 (neighbour 8 not) ✗ → 3/4.
        // Precision over predicted points with a label (3, 4, 7; 6 is ignored): 3 ✓, 4 (neighbour 3) ✓,
        // 7 (neighbour 8) ✓ → 3/3.
        const auto nb = lineNeighbours(10);
        const auto b = boundaryScores(kSuperpoint, kTruth, nb, 2, 0);
        QCOMPARE(b.truthBoundaryPoints, std::uint64_t(4));
        QCOMPARE(b.predictedBoundaryPoints, std::uint64_t(3));
        QVERIFY(near(b.recall, 0.75));
        QVERIFY(near(b.precision, 1.0));
    }

    void boundaryEdgeCases() {
        // One superpoint, one label: nothing to find and nothing claimed → both 1.
        const std::vector<std::int32_t> sp(4, 0), truth(4, 7);
        const auto nb = lineNeighbours(4);
        const auto b = boundaryScores(sp, truth, nb, 2, 0);
        QCOMPARE(b.truthBoundaryPoints, std::uint64_t(0));
        QVERIFY(near(b.recall, 1.0) && near(b.precision, 1.0));
        // Every point its own superpoint, one label: recall 1 (nothing to find), precision 0.
        const std::vector<std::int32_t> each{0, 1, 2, 3};
        const auto c = boundaryScores(each, truth, nb, 2, 0);
        QVERIFY(near(c.precision, 0.0));
        const std::vector<std::int32_t> badNb{0, 1, 2, 9, 0, 0, 0, 0};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, boundaryScores(sp, truth, badNb, 2, 0));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, boundaryScores(sp, truth, nb, 3, 0));
    }
};

QTEST_GUILESS_MAIN(TestPartitionMetrics)
#include "tst_partitionmetrics.moc"
