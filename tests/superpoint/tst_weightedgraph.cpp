// Graph helpers of the superpoint stage: connected components by key from the edge list (union–find)
// against a hand-worked case and the adjacency walk, and the kNN graph from the first columns of a wider
// kNN table against the graph of a table holding only those columns.
#include "core/superpoint/KnnGraph.h"
#include "core/superpoint/WeightedGraph.h"

#include <QtTest>

#include <random>
#include <vector>

using namespace s4;

namespace {

WeightedGraph randomGraph(std::mt19937& rng, std::size_t n, std::size_t edges) {
    WeightedGraph g;
    g.vertexCount = n;
    std::uniform_int_distribution<std::uint32_t> vertex(0, std::uint32_t(n - 1));
    while (g.edgeCount() < edges) {
        const auto a = vertex(rng), b = vertex(rng);
        if (a == b) continue;
        g.edgeSource.push_back(std::min(a, b));
        g.edgeTarget.push_back(std::max(a, b));
        g.edgeWeight.push_back(1.0f);
    }
    return g;
}

}  // namespace

class TestWeightedGraph : public QObject {
    Q_OBJECT
private slots:
    void componentsByKeyHandWorked() {
        // Path 0–1–2–3–4 and edge 5–6; keys split the path between 2 and 3. Vertex 7 is isolated.
        WeightedGraph g;
        g.vertexCount = 8;
        const std::uint32_t src[] = {3, 0, 1, 2, 5};
        const std::uint32_t dst[] = {4, 1, 2, 3, 6};
        for (int e = 0; e < 5; ++e) {
            g.edgeSource.push_back(src[e]);
            g.edgeTarget.push_back(dst[e]);
            g.edgeWeight.push_back(1.0f);
        }
        const std::vector<std::int64_t> key = {7, 7, 7, 2, 2, 0, 0, 0};
        std::vector<std::int32_t> component;
        QCOMPARE(connectedComponentsByKey(g, key, component), std::size_t(4));
        QCOMPARE(component, (std::vector<std::int32_t>{0, 0, 0, 1, 1, 2, 2, 3}));
    }

    void componentsByKeyMatchesAdjacencyWalk() {
        std::mt19937 rng(7);
        for (int trial = 0; trial < 20; ++trial) {
            const std::size_t n = 50 + std::size_t(trial) * 37;
            const WeightedGraph g = randomGraph(rng, n, n + std::size_t(trial) * 20);
            std::uniform_int_distribution<int> keyOf(0, trial % 4 + 1);
            std::vector<std::int64_t> key(n);
            for (auto& k : key) k = keyOf(rng);
            std::vector<std::int32_t> fromEdges, fromAdjacency;
            const std::size_t a = connectedComponentsByKey(g, key, fromEdges);
            const std::size_t b = connectedComponentsByKey(buildAdjacency(g), key, fromAdjacency);
            QCOMPARE(a, b);
            QCOMPARE(fromEdges, fromAdjacency);
        }
    }

    void knnGraphFromFirstColumns() {
        // A 4-column table with symmetric and asymmetric entries, -1 padding and duplicates; the graph
        // of its first 2 columns must equal the graph of a 2-column copy, for every weighting.
        std::mt19937 rng(3);
        const std::size_t n = 60;
        NeighborLists wide;
        wide.queries = n;
        wide.k = 4;
        std::uniform_int_distribution<std::int32_t> vertex(-1, std::int32_t(n - 1));
        std::uniform_real_distribution<float> length(0.01f, 2.0f);
        for (std::size_t i = 0; i < n * 4; ++i) {
            wide.indices.push_back(vertex(rng));
            wide.sqDistances.push_back(length(rng));
        }
        NeighborLists narrow;
        narrow.queries = n;
        narrow.k = 2;
        for (std::size_t i = 0; i < n; ++i)
            for (int j = 0; j < 2; ++j) {
                narrow.indices.push_back(wide.indices[i * 4 + std::size_t(j)]);
                narrow.sqDistances.push_back(wide.sqDistances[i * 4 + std::size_t(j)]);
            }
        for (auto weighting :
             {EdgeWeighting::InverseDistance, EdgeWeighting::Gaussian, EdgeWeighting::Uniform}) {
            double meanA = 0.0, meanB = 0.0;
            const WeightedGraph a = buildKnnGraph(wide, 2, weighting, &meanA);
            const WeightedGraph b = buildKnnGraph(narrow, weighting, &meanB);
            QVERIFY(a.edgeCount() > 0);
            QCOMPARE(a.edgeSource, b.edgeSource);
            QCOMPARE(a.edgeTarget, b.edgeTarget);
            QCOMPARE(a.edgeWeight, b.edgeWeight);
            QCOMPARE(meanA, meanB);
            // More columns never lose an edge; an over-wide request is the whole table.
            QVERIFY(buildKnnGraph(wide, 3, weighting).edgeCount() >= a.edgeCount());
            QCOMPARE(buildKnnGraph(wide, 9, weighting).edgeTarget, buildKnnGraph(wide, weighting).edgeTarget);
        }
    }

    void knnGraphKeepsEachPairOnceWithShortestLength() {
        // 0 lists 1 at squared length 4, 1 lists 0 at 1 (asymmetric tables happen with ties/rounding):
        // one edge 0–1 whose length is the shorter one, 1 (mean length 1, so w = 1/(1 + 1) = 0.5).
        NeighborLists t;
        t.queries = 2;
        t.k = 1;
        t.indices = {1, 0};
        t.sqDistances = {4.0f, 1.0f};
        double mean = 0.0;
        const WeightedGraph g = buildKnnGraph(t, EdgeWeighting::InverseDistance, &mean);
        QCOMPARE(g.edgeCount(), std::size_t(1));
        QCOMPARE(g.edgeSource[0], 0u);
        QCOMPARE(g.edgeTarget[0], 1u);
        QCOMPARE(mean, 1.0);
        QCOMPARE(g.edgeWeight[0], 0.5f);
    }
};

QTEST_GUILESS_MAIN(TestWeightedGraph)
#include "tst_weightedgraph.moc"
