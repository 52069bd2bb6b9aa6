// Eigenvalue shape features (S4TOKEN.md §1.1) on hand-computed configurations, and PCA normals of a plane.

#include "core/common/Error.h"
#include "core/geometry/NeighborSearch.h"
#include "core/geometry/PointFeatures.h"

#include <QtTest/QtTest>

#include <random>

using namespace s4;

namespace {

void compareVec(const Eigen::Vector3f& got, const Eigen::Vector3f& want, float tol) {
    QVERIFY2((got - want).cwiseAbs().maxCoeff() <= tol,
             qPrintable(QString("got (%1, %2, %3), want (%4, %5, %6)")
                            .arg(got.x()).arg(got.y()).arg(got.z()).arg(want.x()).arg(want.y()).arg(want.z())));
}

} // namespace

class TestPointFeatures : public QObject {
    Q_OBJECT
private slots:
    void anchorsOnALineAreLinear() {
        // q − p = (±1,0,0), (±2,0,0): C = (1/4) diag(1+1+4+4, 0, 0) = diag(2.5, 0, 0).
        const Eigen::Vector3d l = neighbourhoodEigenvalues({0, 0, 0}, {{1, 0, 0}, {-1, 0, 0}, {2, 0, 0}, {-2, 0, 0}});
        QVERIFY(std::abs(l[0] - 2.5) < 1e-12 && std::abs(l[1]) < 1e-12 && std::abs(l[2]) < 1e-12);
        compareVec(shapeFeatures(l), {1, 0, 0}, 1e-6f);
    }

    void squareInAPlaneIsPlanar() {
        // q − p = (±1, ±1, 0): the cross terms cancel, C = (1/4) diag(4, 4, 0) = diag(1, 1, 0).
        const Eigen::Vector3d l = neighbourhoodEigenvalues({5, 5, 5}, {{6, 6, 5}, {4, 6, 5}, {6, 4, 5}, {4, 4, 5}});
        QVERIFY(std::abs(l[0] - 1.0) < 1e-6 && std::abs(l[1] - 1.0) < 1e-6 && std::abs(l[2]) < 1e-6);
        compareVec(shapeFeatures(l), {0, 1, 0}, 1e-5f);
    }

    void octahedronIsScattered() {
        // q − p = ±e_x, ±e_y, ±e_z: C = (1/6)·2·I = I/3, so λ1 = λ2 = λ3 and f3 = 1.
        const Eigen::Vector3d l = neighbourhoodEigenvalues(
            {0, 0, 0}, {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}});
        QVERIFY(std::abs(l[0] - 1.0 / 3) < 1e-12 && std::abs(l[2] - 1.0 / 3) < 1e-12);
        compareVec(shapeFeatures(l), {0, 0, 1}, 1e-6f);
    }

    void elongatedCrossMixesLinearityAndPlanarity() {
        // q − p = (±2,0,0), (0,±1,0): C = (1/4) diag(8, 2, 0) = diag(2, 0.5, 0):
        // f1 = (2 − 0.5)/2 = 0.75, f2 = (0.5 − 0)/2 = 0.25, f3 = 0.
        const Eigen::Vector3d l = neighbourhoodEigenvalues({0, 0, 0}, {{2, 0, 0}, {-2, 0, 0}, {0, 1, 0}, {0, -1, 0}});
        compareVec(shapeFeatures(l), {0.75f, 0.25f, 0.0f}, 1e-6f);
    }

    void covarianceIsAboutThePointNotTheMean() {
        // One-sided anchors (1,0,0), (3,0,0) around p = 0: second moment about p is (1 + 9)/2 = 5 on x
        // (about the mean it would be 1); the shape is a line either way.
        const Eigen::Vector3d l = neighbourhoodEigenvalues({0, 0, 0}, {{1, 0, 0}, {3, 0, 0}});
        QVERIFY(std::abs(l[0] - 5.0) < 1e-12);
    }

    void zeroSpreadIsGuarded() {
        compareVec(shapeFeatures(neighbourhoodEigenvalues({1, 2, 3}, {{1, 2, 3}, {1, 2, 3}})), {0, 0, 0}, 0.0f);
    }

    void runEigenFeaturesUsesFpsAnchorsAndKNearest() {
        // 7 points: origin + octahedron. With all 7 as anchors and K = 7 the origin sees itself (difference 0)
        // and the 6 axis points: C = (1/7)·2·I, isotropic → (0, 0, 1).
        const std::vector<Eigen::Vector3f> pts = {{0, 0, 0}, {1, 0, 0}, {-1, 0, 0}, {0, 1, 0},
                                                  {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
        EigenFeatureParams p;
        p.anchorCount = 7;
        p.k = 7;
        const EigenFeatures f = runEigenFeatures(pts, p);
        QCOMPARE(f.anchors.size(), std::size_t{7});
        auto sorted = f.anchors;
        std::sort(sorted.begin(), sorted.end());
        QCOMPARE(sorted, (std::vector<std::int32_t>{0, 1, 2, 3, 4, 5, 6}));
        compareVec(f.values[0], {0, 0, 1}, 1e-6f);
        for (const auto& v : f.values) QVERIFY(v.minCoeff() >= 0.0f && v.maxCoeff() <= 1.0f);
    }

    void pointsOnALineGetLinearityOne() {
        std::vector<Eigen::Vector3f> pts;
        for (int i = 0; i < 200; ++i) pts.emplace_back(0.01f * i, 0.5f * 0.01f * i, -0.01f * i);
        EigenFeatureParams p;
        p.anchorRatio = 0.2;
        p.k = 8;
        const EigenFeatures f = runEigenFeatures(pts, p);
        QCOMPARE(f.anchors.size(), std::size_t{40});
        for (const auto& v : f.values) compareVec(v, {1, 0, 0}, 1e-3f);
    }

    void planeNormalsAreSignInvariant() {
        // z = 0.5x + 0.2y + 1 has normal ∝ (−0.5, −0.2, 1); its largest component (z) is made positive.
        std::mt19937_64 rng(3);
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        std::vector<Eigen::Vector3f> pts;
        for (int i = 0; i < 2000; ++i) {
            const float x = u(rng), y = u(rng);
            pts.emplace_back(x, y, 0.5f * x + 0.2f * y + 1.0f);
        }
        const Eigen::Vector3f n = Eigen::Vector3f(-0.5f, -0.2f, 1.0f).normalized();
        NormalParams p;
        p.k = 12;
        for (const auto& v : runNormalEstimation(pts, p)) compareVec(v, n, 1e-3f);
        p.sign = NormalSign::AbsoluteValue;
        for (const auto& v : runNormalEstimation(pts, p)) compareVec(v, n.cwiseAbs(), 1e-3f);
    }

    void normalsFromAPrecomputedTableMatchTheDirectEstimate() {
        // A curved, noisy surface (random floats: no distance ties), so every normal differs. A table of
        // the k − 1 nearest *other* points plus the point itself is the same neighbourhood as the direct
        // estimate's k nearest including itself, summed in the same order: the results are identical.
        // A wider table (more columns than needed) must give the same normals too.
        std::mt19937_64 rng(11);
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        std::vector<Eigen::Vector3f> pts;
        for (int i = 0; i < 3000; ++i) {
            const float x = u(rng), y = u(rng);
            pts.emplace_back(x, y, 0.3f * x * x - 0.4f * y * y + 0.01f * u(rng));
        }
        NormalParams p;
        p.k = 12;
        const auto direct = runNormalEstimation(pts, p);
        const auto exact = normalsFromNeighbours(pts, knnAll(pts, 11, SelfMatch::Exclude), p);
        const auto wide = normalsFromNeighbours(pts, knnAll(pts, 20, SelfMatch::Exclude), p);
        QCOMPARE(exact.size(), pts.size());
        for (std::size_t i = 0; i < pts.size(); ++i) {
            compareVec(exact[i], direct[i], 0.0f);
            compareVec(wide[i], direct[i], 0.0f);
        }
        const NeighborLists narrow = knnAll(pts, 5, SelfMatch::Exclude);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, normalsFromNeighbours(pts, narrow, p));
        const std::vector<Eigen::Vector3f> fewer(pts.begin(), pts.begin() + 100);
        const NeighborLists other = knnAll(pts, 11, SelfMatch::Exclude);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, normalsFromNeighbours(fewer, other, p));
    }

    void signConventionMapsOppositeNormalsTogether() {
        const Eigen::Vector3f n = Eigen::Vector3f(0.3f, -0.9f, 0.1f).normalized();
        compareVec(signInvariantNormal(n, NormalSign::LargestComponentPositive),
                   signInvariantNormal(-n, NormalSign::LargestComponentPositive), 0.0f);
        QVERIFY(signInvariantNormal(n, NormalSign::LargestComponentPositive).y() > 0.0f);
    }

    void rejectsBadParameters() {
        NormalParams n;
        n.k = 0;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runNormalEstimation({{0, 0, 0}}, n));
        EigenFeatureParams e;
        e.k = 0;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, runEigenFeatures({{0, 0, 0}}, e));
    }
};

QTEST_GUILESS_MAIN(TestPointFeatures)
#include "tst_pointfeatures.moc"
