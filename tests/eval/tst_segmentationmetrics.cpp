// Segmentation scores (IoU, mIoU, mAcc, OA) with an ignore label, checked against hand computation.
#include "core/common/Error.h"
#include "core/eval/SegmentationMetrics.h"

#include <QtTest>

#include <cmath>
#include <vector>

using namespace s4;

namespace {
bool near(double a, double b) {
    return std::abs(a - b) < 1e-12;
}
}  // namespace

class TestSegmentationMetrics : public QObject {
    Q_OBJECT
private slots:
    void smallSceneByHand() {
        // idx:    0  1  2  3  4  5  6  7      (5 has truth 0 = ignored)
        // truth:  1  1  1  2  2  0  3  3
        // pred:   1  1  2  2  2  1  3  1
        // class 1: TP 2 (0,1), FN 1 (2), FP 1 (7)  → IoU 2/4, acc 2/3
        // class 2: TP 2 (3,4), FN 0,     FP 1 (2)  → IoU 2/3, acc 1
        // class 3: TP 1 (6),   FN 1 (7), FP 0      → IoU 1/2, acc 1/2
        // mIoU = (1/2 + 2/3 + 1/2)/3, mAcc = (2/3 + 1 + 1/2)/3, OA = 5/7.
        const std::vector<std::int32_t> truth{1, 1, 1, 2, 2, 0, 3, 3}, pred{1, 1, 2, 2, 2, 1, 3, 1};
        const auto s = evaluateSegmentation(truth, pred, 0);
        QCOMPARE(s.classes, (std::vector<std::int32_t>{1, 2, 3}));
        QVERIFY(near(s.iou[0], 0.5) && near(s.iou[1], 2.0 / 3.0) && near(s.iou[2], 0.5));
        QVERIFY(near(s.accuracy[0], 2.0 / 3.0) && near(s.accuracy[1], 1.0) && near(s.accuracy[2], 0.5));
        QVERIFY(near(s.meanIoU, (0.5 + 2.0 / 3.0 + 0.5) / 3.0));
        QVERIFY(near(s.meanAccuracy, (2.0 / 3.0 + 1.0 + 0.5) / 3.0));
        QVERIFY(near(s.overallAccuracy, 5.0 / 7.0));
        QCOMPARE(s.countedPoints, std::uint64_t(7));
    }

    void classOnlyPredictedCountsInIouNotInAccuracy() {
        // truth 1 1, pred 1 4: class 1 IoU 1/2, acc 1/2; class 4 IoU 0, accuracy undefined.
        const std::vector<std::int32_t> truth{1, 1}, pred{1, 4};
        const auto s = evaluateSegmentation(truth, pred, 0);
        QCOMPARE(s.classes, (std::vector<std::int32_t>{1, 4}));
        QVERIFY(near(s.meanIoU, 0.25));
        QVERIFY(std::isnan(s.accuracy[1]));
        QVERIFY(near(s.meanAccuracy, 0.5));
    }

    void ignoreLabelAsPredictionIsAMiss() {
        // truth 1 1 and pred 1 0 (0 = ignore): a false negative of class 1, no false positive anywhere.
        const std::vector<std::int32_t> truth{1, 1}, pred{1, 0};
        const auto s = evaluateSegmentation(truth, pred, 0);
        QCOMPARE(s.classes, (std::vector<std::int32_t>{1}));
        QVERIFY(near(s.meanIoU, 0.5));
        QVERIFY(near(s.overallAccuracy, 0.5));
        // A different ignore id: now 0 is an ordinary class and -1 the ignored one.
        const std::vector<std::int32_t> truth2{-1, 0, 0}, pred2{5, 0, 0};
        const auto t = evaluateSegmentation(truth2, pred2, -1);
        QCOMPARE(t.classes, (std::vector<std::int32_t>{0}));
        QVERIFY(near(t.meanIoU, 1.0));
    }

    void accumulatesScenes() {
        const std::vector<std::int32_t> t1{1, 2, 2}, p1{1, 1, 2}, t2{2, 3}, p2{2, 3};
        ConfusionMatrix m(0);
        m.add(t1, p1);
        m.add(t2, p2);
        QCOMPARE(m.count(2, 1), std::uint64_t(1));
        QCOMPARE(m.count(2, 2), std::uint64_t(2));
        const std::vector<std::int32_t> t{1, 2, 2, 2, 3}, p{1, 1, 2, 2, 3};
        const auto joint = evaluateSegmentation(t, p, 0);
        QVERIFY(near(m.scores().meanIoU, joint.meanIoU));
        QVERIFY(near(m.scores().overallAccuracy, 0.8));
    }

    void emptyAndInvalidInput() {
        const std::vector<std::int32_t> none{0, 0}, pred{1, 2};
        const auto s = evaluateSegmentation(none, pred, 0);
        QCOMPARE(s.countedPoints, std::uint64_t(0));
        QVERIFY(s.classes.empty());
        const std::vector<std::int32_t> shorter{1};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, evaluateSegmentation(pred, shorter, 0));
    }

    // ShapeNetPart's convention (S4TOKEN.md §8), worked out by hand:
    //  shape 0 (category A, parts 0 1 2): truth 0 0 1 1, prediction 0 1 1 1 → IoU 1/2, 2/3 and 1 (part 2
    //    absent from both) → 13/18;
    //  shape 1 (A): truth 2 2, prediction 2 2 → parts 0 and 1 absent (1), part 2 1 → 1;
    //  shape 2 (category B, parts 5 6): truth 5 6, prediction 6 6 → 0 and 1/2 → 1/4.
    //  mIoU_I = (13/18 + 1 + 1/4) / 3; mIoU_C = ((13/18 + 1) / 2 + 1/4) / 2.
    void partSegmentationByHand() {
        const std::vector<std::int32_t> partsA{0, 1, 2}, partsB{5, 6};
        const std::vector<std::int32_t> t0{0, 0, 1, 1}, p0{0, 1, 1, 1}, t1{2, 2}, p1{2, 2}, t2{5, 6}, p2{6, 6};
        const std::vector<PartShape> shapes{{0, t0, p0, partsA}, {0, t1, p1, partsA}, {1, t2, p2, partsB}};
        const PartSegmentationScores s = evaluatePartSegmentation(shapes);
        QCOMPARE(s.shapeIoU.size(), std::size_t(3));
        QVERIFY(near(s.shapeIoU[0], 13.0 / 18.0));
        QVERIFY(near(s.shapeIoU[1], 1.0));
        QVERIFY(near(s.shapeIoU[2], 0.25));
        QVERIFY(near(s.categoryIoU.at(0), (13.0 / 18.0 + 1.0) / 2.0));
        QVERIFY(near(s.instanceMeanIoU, (13.0 / 18.0 + 1.0 + 0.25) / 3.0));
        QVERIFY(near(s.categoryMeanIoU, ((13.0 / 18.0 + 1.0) / 2.0 + 0.25) / 2.0));
        // The scene convention on the same shape would leave part 2 out instead of counting it as 1.
        QVERIFY(near(evaluateSegmentation(t0, p0, -1).meanIoU, (0.5 + 2.0 / 3.0) / 2.0));
    }

    void partSegmentationRefusesBrokenShapes() {
        const std::vector<std::int32_t> parts{0, 1}, two{0, 1}, one{0}, none;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 evaluatePartSegmentation(std::vector<PartShape>{{0, two, one, parts}}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 evaluatePartSegmentation(std::vector<PartShape>{{0, none, none, parts}}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 evaluatePartSegmentation(std::vector<PartShape>{{0, two, two, none}}));
        QCOMPARE(evaluatePartSegmentation({}).instanceMeanIoU, 0.0);
    }
};

QTEST_GUILESS_MAIN(TestSegmentationMetrics)
#include "tst_segmentationmetrics.moc"
