// Plain FPS: a hand-worked sequence, coverage properties and the 2-approximation of the k-centre optimum.

#include "core/common/Error.h"
#include "core/geometry/FarthestPointSampling.h"

#include <QtTest/QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace s4;

namespace {

std::vector<Eigen::Vector3f> randomCloud(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    std::vector<Eigen::Vector3f> p(n);
    for (auto& x : p) x = Eigen::Vector3f(u(rng), u(rng), u(rng));
    return p;
}

// max over points of the distance to the nearest of the first k samples (brute force, double).
double coverage(const std::vector<Eigen::Vector3f>& pts, const std::vector<std::int32_t>& s, std::size_t k) {
    double worst = 0.0;
    for (const auto& p : pts) {
        double best = std::numeric_limits<double>::infinity();
        for (std::size_t j = 0; j < k; ++j) best = std::min(best, (p - pts[static_cast<std::size_t>(s[j])]).cast<double>().norm());
        worst = std::max(worst, best);
    }
    return worst;
}

} // namespace

class TestFarthestPointSampling : public QObject {
    Q_OBJECT
private slots:
    void handWorkedSequence() {
        // x = 0, 3, 8, 10, 11.75, 14 from point 0. D = [0, 9, 64, 100, 138.06, 196] → 5 (x=14);
        // D = [0, 9, 36, 16, 5.06, 0] → 2 (x=8); D = [0, 9, 0, 4, 5.06, 0] → 1 (x=3);
        // D = [0, 0, 0, 4, 5.06, 0] → 4; then 3 with D = min(4, 1.75²) = 3.0625.
        std::vector<Eigen::Vector3f> pts;
        for (float x : {0.0f, 3.0f, 8.0f, 10.0f, 11.75f, 14.0f}) pts.emplace_back(x, 0.0f, 0.0f);
        FarthestPointParams p;
        p.count = 6;
        p.firstIndex = 0;
        const SampleSequence s = runFarthestPointSampling(pts, p);
        QCOMPARE(s.indices, (std::vector<std::int32_t>{0, 5, 2, 1, 4, 3}));
        QCOMPARE(s.selectionSqDistances[1], 196.0f);
        QCOMPARE(s.selectionSqDistances[2], 36.0f);
        QCOMPARE(s.selectionSqDistances[3], 9.0f);
        QCOMPARE(s.selectionSqDistances[4], 5.0625f);
        QCOMPARE(s.selectionSqDistances[5], 3.0625f);
    }

    void tiesGoToTheSmallerIndex() {
        // x = 0, −1, 1: from 0 both others are at D = 1; the smaller index (1) goes first.
        const std::vector<Eigen::Vector3f> pts = {{0, 0, 0}, {-1, 0, 0}, {1, 0, 0}};
        FarthestPointParams p;
        p.count = 3;
        p.firstIndex = 0;
        QCOMPARE(runFarthestPointSampling(pts, p).indices, (std::vector<std::int32_t>{0, 1, 2}));
    }

    void samplesAreDistinctEvenWithDuplicates() {
        std::vector<Eigen::Vector3f> pts(50, Eigen::Vector3f(1, 1, 1));
        pts.emplace_back(2, 2, 2);
        FarthestPointParams p;
        p.count = 100;  // clamped to 51
        p.seed = 3;
        const auto s = runFarthestPointSampling(pts, p).indices;
        QCOMPARE(s.size(), pts.size());
        auto sorted = s;
        std::sort(sorted.begin(), sorted.end());
        QVERIFY(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    }

    void deterministicUnderASeed() {
        const auto pts = randomCloud(3000, 1);
        FarthestPointParams p;
        p.count = 64;
        p.seed = 77;
        QCOMPARE(runFarthestPointSampling(pts, p).indices, runFarthestPointSampling(pts, p).indices);
        p.seed = 78;
        FarthestPointParams q = p;
        q.seed = 79;
        QVERIFY(runFarthestPointSampling(pts, p).indices[0] != runFarthestPointSampling(pts, q).indices[0] ||
                runFarthestPointSampling(pts, p).indices != runFarthestPointSampling(pts, q).indices);
    }

    void coverageShrinksMonotonicallyAndMatchesSelectionDistance() {
        const auto pts = randomCloud(400, 2);
        FarthestPointParams p;
        p.count = 60;
        p.firstIndex = 17;
        const SampleSequence s = runFarthestPointSampling(pts, p);
        double previous = std::numeric_limits<double>::infinity();
        for (std::size_t k = 1; k < s.indices.size(); ++k) {
            const double c = coverage(pts, s.indices, k);
            QVERIFY(c <= previous);
            previous = c;
            // The (k+1)-th sample is the farthest point from the first k: its D is the coverage radius².
            QVERIFY(std::abs(c - std::sqrt(static_cast<double>(s.selectionSqDistances[k]))) < 1e-5);
        }
    }

    void withinTwiceTheOptimalKCentreRadius() {
        // Brute-force optimum over all 3-subsets of 14 points; FPS (any start) is a 2-approximation.
        for (std::uint64_t seed = 10; seed < 16; ++seed) {
            const auto pts = randomCloud(14, seed);
            double opt = std::numeric_limits<double>::infinity();
            for (int a = 0; a < 14; ++a)
                for (int b = a + 1; b < 14; ++b)
                    for (int c = b + 1; c < 14; ++c) opt = std::min(opt, coverage(pts, {a, b, c}, 3));
            for (int first = 0; first < 14; ++first) {
                FarthestPointParams p;
                p.count = 3;
                p.firstIndex = first;
                QVERIFY(coverage(pts, runFarthestPointSampling(pts, p).indices, 3) <= 2.0 * opt + 1e-6);
            }
        }
    }

    void rejectsBadInput() {
        FarthestPointParams p;
        p.count = 2;
        p.firstIndex = 5;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runFarthestPointSampling({{0, 0, 0}}, p));
        p.firstIndex = 0;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 runFarthestPointSampling({{0, 0, 0}, {INFINITY, 0, 0}}, p));
        QVERIFY(runFarthestPointSampling({}, p).indices.empty());
    }
};

QTEST_GUILESS_MAIN(TestFarthestPointSampling)
#include "tst_farthestpointsampling.moc"
