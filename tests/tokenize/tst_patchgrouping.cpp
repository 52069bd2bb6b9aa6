// Patch grouping (S4TOKEN.md §3) on a hand-laid cloud: the radius r = α·s, ball / superpoint-ball / kNN
// members, padding and mask, and RPN offsets.

#include "core/common/Error.h"
#include "core/tokenize/PatchGrouping.h"

#include <QtTest/QtTest>

#include <set>

using namespace s4;

namespace {

// Centres 0, 1, 2 at x = 0, 2, 4: each nearest other centre is 2 away, s = 2; α = 1.5 → r = 3.
// Others: 3 at x = 1 (label 0), 4 at x = 3 (label 1), 5 at (0, 3, 0) (label 0), 6 at (0, 3.5, 0).
const std::vector<Eigen::Vector3f> kPts = {{0, 0, 0}, {2, 0, 0}, {4, 0, 0}, {1, 0, 0},
                                           {3, 0, 0}, {0, 3, 0}, {0, 3.5f, 0}};
const std::vector<std::int32_t> kLabels = {0, 0, 1, 0, 1, 0, 0};
const std::vector<std::int32_t> kCentres = {0, 1, 2};

std::vector<std::int32_t> row(const std::vector<std::int32_t>& v, int m, int t) {
    return std::vector<std::int32_t>(v.begin() + t * m, v.begin() + (t + 1) * m);
}

} // namespace

class TestPatchGrouping : public QObject {
    Q_OBJECT
private slots:
    void radiusFromCentreSpacing() {
        PatchGroupingParams p;
        p.alpha = 1.5;
        const Patches g = runPatchGrouping(kPts, kLabels, kCentres, p);
        QCOMPARE(g.spacing, 2.0f);
        QCOMPARE(g.radius, 3.0f);
        QCOMPARE(meanNearestCentreSpacing({{0, 0, 0}, {1, 0, 0}, {5, 0, 0}}), 2.0f);  // (1 + 1 + 4) / 3
        // Coincident centres (more centres than distinct points) count once: A twice, B 1 from A, C 2
        // from B → (1 + 1 + 2) / 3, not (0 + 0 + 1 + 2) / 4.
        QCOMPARE(meanNearestCentreSpacing({{0, 0, 0}, {0, 0, 0}, {1, 0, 0}, {3, 0, 0}}), 4.0f / 3.0f);
        QCOMPARE(meanNearestCentreSpacing({{2, 2, 2}, {2, 2, 2}}), 0.0f);
    }

    // Patches do not depend on how many threads build them (more centres than one thread's chunk).
    void resultIsIndependentOfThreadCount() {
        std::vector<Eigen::Vector3f> pts;
        std::vector<std::int32_t> labels;
        for (int i = 0; i < 2000; ++i) {
            pts.emplace_back(float(i % 50) * 0.1f, float(i / 50) * 0.1f, float((i * 7) % 13) * 0.01f);
            labels.push_back((i % 50) / 10);
        }
        std::vector<std::int32_t> centres;
        for (int i = 0; i < 2000; i += 11) centres.push_back(i);  // 182 centres
        for (GroupingMode mode : {GroupingMode::Knn, GroupingMode::Ball, GroupingMode::SuperpointBall}) {
            PatchGroupingParams p;
            p.mode = mode;
            p.groupSize = 24;
            p.threads = 1;
            const Patches one = runPatchGrouping(pts, labels, centres, p);
            p.threads = 4;
            const Patches four = runPatchGrouping(pts, labels, centres, p);
            QCOMPARE(four.members, one.members);
            QCOMPARE(four.valid, one.valid);
            QCOMPARE(four.validCounts, one.validCounts);
            QCOMPARE(four.offsets.size(), one.offsets.size());
            for (std::size_t i = 0; i < one.offsets.size(); ++i) QCOMPARE(four.offsets[i], one.offsets[i]);
        }
    }

    void ballIncludesTheBoundaryAndPadsByRepetition() {
        // Around x = 0 with r = 3: 0 (d 0), 3 (d 1), 1 (d 2), 4 (d 3), 5 (d 3); not 2 (d 4) nor 6 (d 3.5).
        PatchGroupingParams p;
        p.mode = GroupingMode::Ball;
        p.alpha = 1.5;
        p.groupSize = 8;
        p.relativeNormalisation = false;
        const Patches g = runPatchGrouping(kPts, kLabels, kCentres, p);
        QCOMPARE(g.validCounts[0], 5);
        QCOMPARE(row(g.members, 8, 0), (std::vector<std::int32_t>{0, 3, 1, 4, 5, 0, 3, 1}));
        QCOMPARE(std::vector<std::uint8_t>(g.valid.begin(), g.valid.begin() + 8),
                 (std::vector<std::uint8_t>{1, 1, 1, 1, 1, 0, 0, 0}));
        QCOMPARE(g.offsets[4], Eigen::Vector3f(0, 3, 0));  // raw p_5 − p_0
    }

    void superpointBallKeepsTheCentresLabelWithRpn() {
        // Around x = 0 (label 0): the ball minus point 4 (label 1) → 0, 3, 1, 5.
        // Around x = 4 (label 1): 4 (d 1) is in; 1 (d 2) and 3 (d 3) have label 0 → 2, 4.
        PatchGroupingParams p;
        p.alpha = 1.5;
        p.groupSize = 4;
        const Patches g = runPatchGrouping(kPts, kLabels, kCentres, p);
        QVERIFY(g.normalised);
        QCOMPARE(row(g.members, 4, 0), (std::vector<std::int32_t>{0, 3, 1, 5}));
        QCOMPARE(g.validCounts[2], 2);
        QCOMPARE(row(g.members, 4, 2), (std::vector<std::int32_t>{2, 4, 2, 4}));
        // RPN: (p_j − p_t)/r with r = 3.
        QCOMPARE(g.offsets[1], Eigen::Vector3f(1.0f / 3.0f, 0, 0));
        QCOMPARE(g.offsets[3], Eigen::Vector3f(0, 1, 0));
        QCOMPARE(g.offsets[2 * 4 + 1], Eigen::Vector3f(-1.0f / 3.0f, 0, 0));
        QCOMPARE(g.offsets[0], Eigen::Vector3f(0, 0, 0));
        QCOMPARE(g.centrePositions[2], kPts[2]);
    }

    void knnTakesTheMNearestWithTheCentreFirst() {
        // Around x = 2: 1 (d 0), 3 (d 1), 4 (d 1), then 0 and 2 (d 2).
        PatchGroupingParams p;
        p.mode = GroupingMode::Knn;
        p.groupSize = 3;
        p.relativeNormalisation = false;
        const Patches g = runPatchGrouping(kPts, {}, kCentres, p);
        QCOMPARE(row(g.members, 3, 1), (std::vector<std::int32_t>{1, 3, 4}));
        QCOMPARE(g.validCounts[1], 3);
    }

    void oversizedBallsAreSubsampledDeterministically() {
        PatchGroupingParams p;
        p.mode = GroupingMode::Ball;
        p.alpha = 1.5;
        p.groupSize = 3;
        p.seed = 11;
        const Patches a = runPatchGrouping(kPts, kLabels, kCentres, p);
        const Patches b = runPatchGrouping(kPts, kLabels, kCentres, p);
        QCOMPARE(a.members, b.members);
        const std::set<std::int32_t> ball = {0, 3, 1, 4, 5};
        std::set<std::vector<std::int32_t>> seen;
        for (std::uint64_t seed = 0; seed < 30; ++seed) {
            p.seed = seed;
            const auto r = row(runPatchGrouping(kPts, kLabels, kCentres, p).members, 3, 0);
            QCOMPARE(r[0], 0);
            QVERIFY(r[1] != r[2] && r[1] != 0 && r[2] != 0);
            QVERIFY(ball.count(r[1]) && ball.count(r[2]));
            seen.insert(r);
        }
        QVERIFY(seen.size() > 1);  // the seed matters
    }

    void rejectsBadInput() {
        PatchGroupingParams p;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runPatchGrouping(kPts, {}, kCentres, p));  // SPT needs labels
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runPatchGrouping(kPts, kLabels, {0}, p));   // r = 0
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runPatchGrouping(kPts, kLabels, {0, 9}, p));
        p.alpha = 0.5;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runPatchGrouping(kPts, kLabels, kCentres, p));
        p.alpha = 1.5;
        p.mode = GroupingMode::Knn;
        p.groupSize = 2147483647;  // would overflow M + 1 and ask for N·M slots
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runPatchGrouping(kPts, kLabels, kCentres, p));
        p.groupSize = kMaxGroupSize;  // allowed on its own; 3 patches × 65536 slots fit
        QCOMPARE(runPatchGrouping(kPts, kLabels, kCentres, p).members.size(), std::size_t(3) * kMaxGroupSize);
    }
};

QTEST_GUILESS_MAIN(TestPatchGrouping)
#include "tst_patchgrouping.moc"
