// Superpoint-aware feature propagation (S4TOKEN.md §5, Eq. 4): weights by hand, the superpoint mask,
// the 3-nearest-centre fallback, and applying the weights to a feature matrix.

#include "core/common/Error.h"
#include "core/tokenize/FeaturePropagation.h"

#include <QtTest/QtTest>

using namespace s4;

namespace {

// Centres: points 0 (x = 0, label 0), 1 (x = 4, label 0), 2 (x = 10, label 1).
// Others: 3 at x = 1 (label 0), 4 at x = 9 (label 0), 5 at x = 11 (label 2: no centre).
const std::vector<Eigen::Vector3f> kPts = {{0, 0, 0}, {4, 0, 0}, {10, 0, 0}, {1, 0, 0}, {9, 0, 0}, {11, 0, 0}};
const std::vector<std::int32_t> kLabels = {0, 0, 1, 0, 0, 2};
const std::vector<std::int32_t> kCentres = {0, 1, 2};
constexpr double kEps = 1e-4;

// Eq. 4 for the given distances.
std::vector<double> idw(std::initializer_list<double> distances) {
    std::vector<double> w;
    double total = 0;
    for (double d : distances) {
        w.push_back(1.0 / (d + kEps));
        total += w.back();
    }
    for (double& x : w) x /= total;
    return w;
}

void checkRow(const PropagationWeights& pw, std::size_t i, const std::vector<std::int32_t>& centres,
              const std::vector<double>& weights) {
    QCOMPARE(pw.rowStart[i + 1] - pw.rowStart[i], centres.size());
    for (std::size_t j = 0; j < centres.size(); ++j) {
        QCOMPARE(pw.centre[pw.rowStart[i] + j], centres[j]);
        QVERIFY(std::abs(pw.weight[pw.rowStart[i] + j] - weights[j]) < 1e-6);
    }
}

} // namespace

class TestFeaturePropagation : public QObject {
    Q_OBJECT
private slots:
    void weightsByHand() {
        const PropagationWeights pw = runFeaturePropagation(kPts, kLabels, kCentres, {});
        // Point 3 (x = 1, label 0): centres 0 (d 1) and 1 (d 3): w ≈ 3/4, 1/4.
        checkRow(pw, 3, {0, 1}, idw({1, 3}));
        QVERIFY(std::abs(pw.weight[pw.rowStart[3]] - 0.75) < 1e-4);
        // Point 4 (x = 9, label 0): centre 2 is nearest but in another superpoint; d = 9, 5 → 5/14, 9/14.
        checkRow(pw, 4, {0, 1}, idw({9, 5}));
        QVERIFY(std::abs(pw.weight[pw.rowStart[4] + 1] - 9.0 / 14.0) < 1e-4);
        QCOMPARE(pw.usedFallback[4], std::uint8_t{0});
        // Point 5 (label 2, no centre): fallback over the 3 nearest centres, d = 1, 7, 11 →
        // 77/95, 11/95, 7/95 (ignoring ε).
        checkRow(pw, 5, {2, 1, 0}, idw({1, 7, 11}));
        QVERIFY(std::abs(pw.weight[pw.rowStart[5]] - 77.0 / 95.0) < 1e-4);
        QCOMPARE(pw.usedFallback[5], std::uint8_t{1});
        // A centre gets almost all of its own feature: 1/ε against 1/(4 + ε).
        checkRow(pw, 0, {0, 1}, idw({0, 4}));
        QVERIFY(pw.weight[pw.rowStart[0]] > 0.9999f);
    }

    void propagatesAFeatureMatrix() {
        const PropagationWeights pw = runFeaturePropagation(kPts, kLabels, kCentres, {});
        const std::vector<float> f = {1, 0, 0, 1, 5, 5};  // 3 centres × 2
        const std::vector<float> out = propagateFeatures(pw, f, 2);
        QCOMPARE(out.size(), std::size_t{12});
        const auto w3 = idw({1, 3});
        QVERIFY(std::abs(out[6] - w3[0]) < 1e-6 && std::abs(out[7] - w3[1]) < 1e-6);
        const auto w5 = idw({1, 7, 11});
        QVERIFY(std::abs(out[10] - (5 * w5[0] + w5[2])) < 1e-5);
        QVERIFY(std::abs(out[11] - (5 * w5[0] + w5[1])) < 1e-5);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, propagateFeatures(pw, f, 3));
    }

    void withoutLabelsEveryPointFallsBack() {
        const PropagationWeights pw = runFeaturePropagation(kPts, {}, kCentres, {});
        checkRow(pw, 4, {2, 1, 0}, idw({1, 5, 9}));
        for (auto f : pw.usedFallback) QCOMPARE(f, std::uint8_t{1});
    }

    void rejectsBadInput() {
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runFeaturePropagation(kPts, kLabels, {}, {}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runFeaturePropagation(kPts, kLabels, {6}, {}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runFeaturePropagation(kPts, {0}, kCentres, {}));
        // A non-centre point that is not finite (it would have no nearest centre).
        auto withNaN = kPts;
        withNaN.back() = {std::numeric_limits<float>::quiet_NaN(), 0, 0};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runFeaturePropagation(withNaN, {}, kCentres, {}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runFeaturePropagation(withNaN, kLabels, kCentres, {}));
    }
};

QTEST_GUILESS_MAIN(TestFeaturePropagation)
#include "tst_featurepropagation.moc"
