// kNN and radius queries of the kd-tree against a brute-force search written here, on random clouds with
// many exact ties (coordinates on a coarse grid, duplicated points).

#include "core/common/Error.h"
#include "core/geometry/NeighborSearch.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <limits>
#include <random>

using namespace s4;

namespace {

struct Hit {
    float d2;
    std::int32_t index;
};

float bruteD2(const Eigen::Vector3f& a, const Eigen::Vector3f& b) {
    const float dx = a.x() - b.x(), dy = a.y() - b.y(), dz = a.z() - b.z();
    return dx * dx + dy * dy + dz * dz;
}

std::vector<Hit> bruteSorted(const std::vector<Eigen::Vector3f>& pts, const Eigen::Vector3f& q) {
    std::vector<Hit> h;
    for (std::size_t i = 0; i < pts.size(); ++i) h.push_back({bruteD2(pts[i], q), static_cast<std::int32_t>(i)});
    std::sort(h.begin(), h.end(), [](const Hit& a, const Hit& b) { return a.d2 < b.d2 || (a.d2 == b.d2 && a.index < b.index); });
    return h;
}

std::vector<Eigen::Vector3f> gridCloud(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> g(0, 9);
    std::vector<Eigen::Vector3f> p(n);
    for (auto& x : p) x = Eigen::Vector3f(0.1f * g(rng), 0.1f * g(rng), 0.1f * g(rng));
    return p;
}

} // namespace

class TestNeighborSearch : public QObject {
    Q_OBJECT
private slots:
    void knnMatchesBruteForceIncludingTies() {
        for (std::uint64_t seed : {1u, 2u, 3u}) {
            const auto pts = gridCloud(700, seed);
            const KdTree tree(pts, 4);
            std::mt19937_64 rng(seed + 100);
            std::uniform_real_distribution<float> u(-0.2f, 1.1f);
            for (int q = 0; q < 60; ++q) {
                const Eigen::Vector3f query = q % 2 ? pts[static_cast<std::size_t>(q)] : Eigen::Vector3f(u(rng), u(rng), u(rng));
                for (int k : {1, 5, 17}) {
                    std::vector<std::int32_t> idx;
                    std::vector<float> d2;
                    tree.knn(query, k, idx, d2);
                    const auto ref = bruteSorted(pts, query);
                    QCOMPARE(idx.size(), static_cast<std::size_t>(k));
                    for (int j = 0; j < k; ++j) {
                        QCOMPARE(idx[static_cast<std::size_t>(j)], ref[static_cast<std::size_t>(j)].index);
                        QCOMPARE(d2[static_cast<std::size_t>(j)], ref[static_cast<std::size_t>(j)].d2);
                    }
                }
                float nd2 = 0;
                QCOMPARE(tree.nearest(query, &nd2), bruteSorted(pts, query)[0].index);
            }
        }
    }

    void radiusMatchesBruteForce() {
        const auto pts = gridCloud(500, 9);
        const KdTree tree(pts);
        for (int q = 0; q < 40; ++q) {
            const Eigen::Vector3f query = pts[static_cast<std::size_t>(q * 7)];
            const float r = 0.05f + 0.01f * static_cast<float>(q);
            std::vector<std::int32_t> idx;
            std::vector<float> d2;
            tree.radius(query, r, idx, d2);
            std::vector<std::int32_t> expect;
            for (const auto& h : bruteSorted(pts, query))
                if (h.d2 <= r * r) expect.push_back(h.index);
            QCOMPARE(idx, expect);
        }
    }

    void knnAllExcludesSelfEvenWithDuplicates() {
        auto pts = gridCloud(300, 4);
        pts.push_back(pts[0]);  // exact duplicates
        pts.push_back(pts[0]);
        const NeighborLists ex = knnAll(pts, 6, SelfMatch::Exclude, 2);
        const NeighborLists in = knnAll(pts, 6, SelfMatch::Include, 2);
        QCOMPARE(ex.k, 6);
        QCOMPARE(ex.queries, pts.size());
        for (std::size_t i = 0; i < pts.size(); ++i) {
            std::vector<std::int32_t> expect;
            for (const auto& h : bruteSorted(pts, pts[i]))
                if (h.index != static_cast<std::int32_t>(i) && expect.size() < 6) expect.push_back(h.index);
            QCOMPARE(std::vector<std::int32_t>(ex.indicesOf(i), ex.indicesOf(i) + 6), expect);
            const auto all = bruteSorted(pts, pts[i]);
            for (int j = 0; j < 6; ++j) QCOMPARE(in.indicesOf(i)[j], all[static_cast<std::size_t>(j)].index);
        }
    }

    void knnAllClampsKToAvailablePoints() {
        const std::vector<Eigen::Vector3f> pts = {{0, 0, 0}, {1, 0, 0}, {3, 0, 0}};
        const NeighborLists ex = knnAll(pts, 10, SelfMatch::Exclude, 1);
        QCOMPARE(ex.k, 2);
        QCOMPARE(ex.indicesOf(2)[0], 1);
        QCOMPARE(ex.sqDistancesOf(2)[0], 4.0f);
        QCOMPARE(ex.indicesOf(2)[1], 0);
        QCOMPARE(knnAll({}, 3, SelfMatch::Include, 1).k, 0);
    }

    void batchQueryIsIndependentOfThreadCount() {
        const auto pts = gridCloud(2000, 5);
        const NeighborLists a = knnAll(pts, 8, SelfMatch::Include, 1);
        const NeighborLists b = knnAll(pts, 8, SelfMatch::Include, 3);
        QCOMPARE(a.indices, b.indices);
        QCOMPARE(a.sqDistances, b.sqDistances);
    }

    void rejectsNonFinitePoints() {
        std::vector<Eigen::Vector3f> pts = {{0, 0, 0}, {std::numeric_limits<float>::quiet_NaN(), 0, 0}};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, KdTree{pts});
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, knnAll(pts, 1, SelfMatch::Include));
        // A non-finite query is refused too: every distance to it is NaN, nothing would be found.
        const KdTree tree(std::vector<Eigen::Vector3f>{{0, 0, 0}, {1, 0, 0}});
        std::int32_t idx[2];
        float d2[2];
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, tree.knn(pts[1], 2, idx, d2));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, tree.nearest(pts[1]));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, tree.nearest({std::numeric_limits<float>::infinity(), 0, 0}));
    }

    void cancelledSearchesStopWithCancelled() {
        std::vector<Eigen::Vector3f> points;
        for (int i = 0; i < 20000; ++i) points.push_back({float(i % 100), float(i / 100), 0.0f});
        CancelFlag flag;
        flag.cancel();
        const Progress cancelled({}, flag.asCallback());
        QVERIFY_THROWS_EXCEPTION(Cancelled, knnAll(points, 8, SelfMatch::Exclude, 2, cancelled));
        QVERIFY_THROWS_EXCEPTION(Cancelled, knnAll(points, 8, SelfMatch::Include, 2, cancelled));
        const KdTree tree(points);
        QVERIFY_THROWS_EXCEPTION(Cancelled, knnQuery(tree, points, 8, 2, cancelled));
        // Not cancelled: the same call completes.
        QCOMPARE(knnAll(points, 8, SelfMatch::Exclude, 2, Progress()).queries, points.size());
    }
};

QTEST_GUILESS_MAIN(TestNeighborSearch)
#include "tst_neighborsearch.moc"
