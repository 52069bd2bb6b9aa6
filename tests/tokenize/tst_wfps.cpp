// Weighted farthest point sampling (S4TOKEN.md §2): hand-worked sequences in both exponent conventions,
// the candidate threshold, the first draw, and bit-exactness of the fast sampler against a naive O(N·K)
// reference written here.

#include "core/common/Error.h"
#include "core/geometry/FarthestPointSampling.h"
#include "core/tokenize/WeightedFarthestPointSampler.h"

#include <QtTest/QtTest>

#include <cmath>
#include <limits>
#include <map>
#include <random>

using namespace s4;

namespace {

// The six-point cloud of the hand computations: x = 0, 3, 8, 10, 11.75, 14; superpoint A = {0,1,2,3}
// (n = 4), B = {4,5} (n = 2). Σ_j 1/n_{ℓ_j} = 4·(1/4) + 2·(1/2) = 2, so w_A = (1/4)/2 = 1/8 and
// w_B = (1/2)/2 = 1/4.
std::vector<Eigen::Vector3f> sixPoints() {
    std::vector<Eigen::Vector3f> pts;
    for (float x : {0.0f, 3.0f, 8.0f, 10.0f, 11.75f, 14.0f}) pts.emplace_back(x, 0.0f, 0.0f);
    return pts;
}
const std::vector<std::int32_t> kSixLabels = {0, 0, 0, 0, 1, 1};

// Naive reference: recompute every D by the definition each step and scan all points.
std::vector<std::int32_t> naiveWfps(const std::vector<Eigen::Vector3f>& pts, const std::vector<std::int32_t>& labels,
                                    double gamma, bool printed, std::size_t minSize, std::int32_t first,
                                    std::size_t count) {
    const std::size_t n = pts.size();
    std::map<std::int32_t, std::size_t> size;
    for (auto l : labels) ++size[l];
    double total = 0.0;
    for (auto l : labels) total += 1.0 / static_cast<double>(size[l]);
    std::vector<float> phi(n);
    std::vector<bool> candidate(n, true);
    for (std::size_t i = 0; i < n; ++i) {
        const double w = (1.0 / static_cast<double>(size[labels[i]])) / total;
        phi[i] = static_cast<float>(std::pow(w, printed ? -gamma : gamma));
        candidate[i] = size[labels[i]] >= minSize;
    }
    std::vector<float> d(n, std::numeric_limits<float>::infinity());
    std::vector<std::int32_t> out;
    std::int32_t next = first;
    while (next >= 0 && out.size() < count) {
        out.push_back(next);
        candidate[static_cast<std::size_t>(next)] = false;
        const Eigen::Vector3f s = pts[static_cast<std::size_t>(next)];
        next = -1;
        float best = -1.0f;
        for (std::size_t i = 0; i < n; ++i) {
            const float dx = pts[i].x() - s.x(), dy = pts[i].y() - s.y(), dz = pts[i].z() - s.z();
            const float dist = dx * dx + dy * dy + dz * dz;
            if (dist < d[i]) d[i] = dist;
            if (!candidate[i]) continue;
            const float score = d[i] * phi[i];
            if (score > best) {
                best = score;
                next = static_cast<std::int32_t>(i);
            }
        }
    }
    return out;
}

} // namespace

class TestWfps : public QObject {
    Q_OBJECT
private slots:
    void sizeWeightsByHand() {
        const auto w = superpointSizeWeights(kSixLabels);
        for (int i = 0; i < 4; ++i) QCOMPARE(w[static_cast<std::size_t>(i)], 0.125);
        QCOMPARE(w[4], 0.25);
        QCOMPARE(w[5], 0.25);
    }

    void gammaZeroIsPlainFps() {
        // φ ≡ 1. From 0: D = [0, 9, 64, 100, 138.06, 196] → 5; D = [0, 9, 36, 16, 5.06, 0] → 2;
        // D = [0, 9, 0, 4, 5.06, 0] → 1; D = [0, 0, 0, 4, 5.06, 0] → 4; then 3.
        WfpsParams p;
        p.count = 6;
        p.gamma = 0.0;
        p.firstIndex = 0;
        p.minSuperpointSize = 0;
        const auto w = runWeightedFarthestPointSampling(sixPoints(), kSixLabels, p).indices;
        QCOMPARE(w, (std::vector<std::int32_t>{0, 5, 2, 1, 4, 3}));
        FarthestPointParams f;
        f.count = 6;
        f.firstIndex = 0;
        QCOMPARE(runFarthestPointSampling(sixPoints(), f).indices, w);
    }

    void describedConventionFavoursTheSmallSuperpoint() {
        // γ = 1, φ = w: ×1/8 on A, ×1/4 on B.
        // From 0: scores 9/8, 64/8, 100/8, 138.06/4 = 34.5, 196/4 = 49 → 5.
        // D = [0, 9, 36, 16, 5.0625, 0]: 1.125, 4.5, 2, 1.27 → 2.
        // D = [0, 9, 0, 4, 5.0625, 0]: 1.125, 0.5, 1.265625 → 4 (plain FPS took 1 here).
        // D(1) = min(9, 8.75²) = 9, D(3) = min(4, 1.75²) = 3.0625: 1.125 vs 0.38 → 1, then 3.
        WfpsParams p;
        p.count = 6;
        p.gamma = 1.0;
        p.firstIndex = 0;
        p.minSuperpointSize = 0;
        QCOMPARE(runWeightedFarthestPointSampling(sixPoints(), kSixLabels, p).indices,
                 (std::vector<std::int32_t>{0, 5, 2, 4, 1, 3}));
    }

    void printedConventionFavoursTheLargeSuperpoint() {
        // γ = 1, φ = 1/w: ×8 on A, ×4 on B.
        // From 0: 72, 512, 800, 552.25, 784 → 3 (x = 10).
        // D = [0, 9, 4, 0, 3.0625, 16]: 72, 32, 12.25, 64 → 1.
        // D(2) = min(4, 25) = 4, D(4) = 3.0625, D(5) = 16: 32, 12.25, 64 → 5.
        // D(2) = 4, D(4) = min(3.0625, 5.0625): 32 vs 12.25 → 2, then 4.
        WfpsParams p;
        p.count = 6;
        p.gamma = 1.0;
        p.convention = ExponentConvention::Printed;
        p.firstIndex = 0;
        p.minSuperpointSize = 0;
        QCOMPARE(runWeightedFarthestPointSampling(sixPoints(), kSixLabels, p).indices,
                 (std::vector<std::int32_t>{0, 3, 1, 5, 2, 4}));
    }

    void smallSuperpointsAreNotCandidates() {
        // Threshold 3 drops B (2 points): only 0..3 can be chosen. From 0: D = 9, 64, 100 → 3;
        // then D(1) = min(9, 49) = 9, D(2) = min(64, 4) = 4 → 1, then 2. Only 4 samples exist.
        WfpsParams p;
        p.count = 6;
        p.gamma = 0.5;
        p.firstIndex = 0;
        p.minSuperpointSize = 3;
        QCOMPARE(runWeightedFarthestPointSampling(sixPoints(), kSixLabels, p).indices,
                 (std::vector<std::int32_t>{0, 3, 1, 2}));
        p.firstIndex = 4;  // a non-candidate cannot start
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runWeightedFarthestPointSampling(sixPoints(), kSixLabels, p));
        p.firstIndex = -1;
        p.minSuperpointSize = 7;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runWeightedFarthestPointSampling(sixPoints(), kSixLabels, p));
    }

    void firstDrawFollowsTheSizeWeights() {
        // A superpoint of 10 points and one of 990: each holds total weight 1/2, so about half of the first
        // draws land in the small one (plain uniform choice would give 1 %).
        std::vector<Eigen::Vector3f> pts;
        std::vector<std::int32_t> labels;
        for (int i = 0; i < 1000; ++i) {
            pts.emplace_back(static_cast<float>(i), 0.0f, 0.0f);
            labels.push_back(i < 10 ? 7 : 3);
        }
        WfpsParams p;
        p.count = 1;
        int small = 0;
        for (std::uint64_t seed = 0; seed < 2000; ++seed) {
            p.seed = seed;
            small += runWeightedFarthestPointSampling(pts, labels, p).indices[0] < 10;
        }
        QVERIFY2(small > 880 && small < 1120, qPrintable(QString::number(small)));
        p.seed = 5;
        QCOMPARE(runWeightedFarthestPointSampling(pts, labels, p).indices,
                 runWeightedFarthestPointSampling(pts, labels, p).indices);
    }

    void fastSamplerEqualsNaiveReference() {
        std::mt19937_64 rng(2024);
        for (int trial = 0; trial < 40; ++trial) {
            const std::size_t n = trial < 4 ? static_cast<std::size_t>(trial + 1) : 200 + 97 * static_cast<std::size_t>(trial);
            std::uniform_real_distribution<float> u(-5.0f, 5.0f);
            std::uniform_int_distribution<int> coarse(0, 6);
            std::vector<Eigen::Vector3f> pts(n);
            for (std::size_t i = 0; i < n; ++i)
                pts[i] = trial % 3 == 0 ? Eigen::Vector3f(coarse(rng), coarse(rng), coarse(rng))  // many ties/duplicates
                                        : Eigen::Vector3f(u(rng), u(rng), 0.1f * u(rng));
            // Skewed superpoint sizes: label = floor of a squared uniform over a random label count.
            const int labelsCount = 1 + static_cast<int>(rng() % 40);
            std::vector<std::int32_t> labels(n);
            std::uniform_real_distribution<double> v(0.0, 1.0);
            for (auto& l : labels) l = static_cast<std::int32_t>(std::floor(v(rng) * v(rng) * labelsCount));
            const double gammas[] = {0.0, 0.1, 0.5, 1.0};
            const double gamma = gammas[trial % 4];
            const bool printed = trial % 5 == 1;
            const std::size_t minSize = trial % 2 ? 5 : 0;
            WfpsParams p;
            p.gamma = gamma;
            p.convention = printed ? ExponentConvention::Printed : ExponentConvention::Described;
            p.minSuperpointSize = minSize;
            p.count = trial % 3 == 0 ? n : std::min<std::size_t>(n, 150);
            p.seed = static_cast<std::uint64_t>(trial);
            std::vector<std::int32_t> got;
            try {
                got = runWeightedFarthestPointSampling(pts, labels, p).indices;
            } catch (const InvalidArgument&) {
                continue;  // every superpoint below the threshold: nothing to compare
            }
            const auto want = naiveWfps(pts, labels, gamma, printed, minSize, got[0], p.count);
            QCOMPARE(got, want);
            if (gamma == 0.0) {
                FarthestPointParams f;
                f.count = p.count;
                f.firstIndex = got[0];
                if (minSize == 0) QCOMPARE(runFarthestPointSampling(pts, f).indices, got);
            }
        }
    }

    void withoutLabelsItIsFps() {
        std::mt19937_64 rng(8);
        std::uniform_real_distribution<float> u(0.0f, 1.0f);
        std::vector<Eigen::Vector3f> pts(5000);
        for (auto& x : pts) x = Eigen::Vector3f(u(rng), u(rng), u(rng));
        WfpsParams p;
        p.count = 300;
        p.gamma = 0.7;
        p.seed = 4;
        const auto w = runWeightedFarthestPointSampling(pts, {}, p).indices;
        FarthestPointParams f;
        f.count = 300;
        f.firstIndex = w[0];
        QCOMPARE(runFarthestPointSampling(pts, f).indices, w);
    }

    void rejectsBadParameters() {
        WfpsParams p;
        p.gamma = 1.5;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runWeightedFarthestPointSampling(sixPoints(), kSixLabels, p));
        p.gamma = 0.5;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runWeightedFarthestPointSampling(sixPoints(), {1, 2}, p));
    }
};

QTEST_GUILESS_MAIN(TestWfps)
#include "tst_wfps.moc"
