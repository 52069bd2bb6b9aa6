// Patch purity and the share of patches crossing a label boundary, on hand-made patches.
#include "core/common/Error.h"
#include "core/eval/PatchMetrics.h"

#include <QtTest>

#include <cmath>
#include <vector>

using namespace s4;

class TestPatchMetrics : public QObject {
    Q_OBJECT
private slots:
    void purityAndCrossingByHand() {
        // truth per point: 1 1 2 2 0 3 (point 4 unannotated)
        // P0 = {0,1,2}             → labels 1,1,2: purity 2/3, crosses
        // P1 = {3,4,pad}           → labels 2,(ignored): purity 1
        // P2 = {4,4,4}             → only ignored points: not evaluated
        // P3 = {5,5,pad}           → 3,3: purity 1
        // mean purity = (2/3 + 1 + 1)/3, crossing share = 1/3.
        const std::vector<std::int32_t> truth{1, 1, 2, 2, 0, 3};
        const std::vector<std::int32_t> members{0, 1, 2, 3, 4, -1, 4, 4, 4, 5, 5, 0};
        const std::vector<std::uint8_t> valid{1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0};
        const auto s = evaluatePatches(members, valid, 3, truth, 0);
        QCOMPARE(s.evaluatedPatches, std::size_t(3));
        QCOMPARE(s.crossingPatches, std::size_t(1));
        QVERIFY(std::abs(s.meanPurity - (2.0 / 3.0 + 2.0) / 3.0) < 1e-12);
        QVERIFY(std::abs(s.crossingShare - 1.0 / 3.0) < 1e-12);
    }

    void emptyMaskMeansAllValid() {
        // Without a mask the last slot of P3 (point 0, label 1) counts: P3 = {5,5,0} → purity 2/3, crosses.
        const std::vector<std::int32_t> truth{1, 1, 2, 2, 0, 3};
        const std::vector<std::int32_t> members{0, 1, 2, 5, 5, 0};
        const auto s = evaluatePatches(members, {}, 3, truth, 0);
        QCOMPARE(s.evaluatedPatches, std::size_t(2));
        QCOMPARE(s.crossingPatches, std::size_t(2));
        QVERIFY(std::abs(s.meanPurity - 2.0 / 3.0) < 1e-12);
    }

    void invalidInput() {
        const std::vector<std::int32_t> truth{1, 1};
        const std::vector<std::int32_t> outOfRange{0, 2};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, evaluatePatches(outOfRange, {}, 2, truth, 0));
        const std::vector<std::int32_t> members{0, 1, 1};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, evaluatePatches(members, {}, 2, truth, 0));
        const std::vector<std::uint8_t> shortMask{1};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, evaluatePatches(outOfRange, shortMask, 2, truth, 0));
    }
};

QTEST_GUILESS_MAIN(TestPatchMetrics)
#include "tst_patchmetrics.moc"
