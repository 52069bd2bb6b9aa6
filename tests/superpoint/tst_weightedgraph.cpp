// Graph helpers of the superpoint stage: connected components by key from the edge list (union–find)
// against a hand-worked case and the adjacency walk, and the kNN graph from the first columns of a wider
// kNN table against the graph of a table holding only those columns, and against a pair-set reference
// (every listed pair once, shortest listed length, ascending pairs) on tables with padding, repeats and
// asymmetric lengths.
#include "core/superpoint/KnnGraph.h"
#include "core/superpoint/WeightedGraph.h"

#include <QtTest>

#include <cmath>
#include <map>
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

    void knnGraphMatchesPairSetReference() {
        std::mt19937 rng(5);
        for (int trial = 0; trial < 20; ++trial) {
            const std::size_t n = 40 + std::size_t(trial) * 7;
            const int k = 1 + trial % 6, columns = 1 + trial % 4;
            NeighborLists t;
            t.queries = n;
            t.k = k;
            // Mostly near indices (so pairs are listed from both sides), some -1 padding, self entries
            // and repeats; lengths random per entry, so the two sides of a pair disagree.
            std::uniform_int_distribution<int> offset(-4, 4), coin(0, 9);
            std::uniform_real_distribution<float> length(0.01f, 4.0f);
            for (std::size_t i = 0; i < n; ++i)
                for (int j = 0; j < k; ++j) {
                    const int c = coin(rng);
                    std::int32_t v = c == 0 ? -1 : std::int32_t((std::int64_t(i) + offset(rng) + std::int64_t(n)) % std::int64_t(n));
                    if (c == 1 && j > 0) v = t.indices.back();  // a repeat within the row
                    t.indices.push_back(v);
                    t.sqDistances.push_back(length(rng));
                }
            std::map<std::pair<std::uint32_t, std::uint32_t>, float> pairs;
            for (std::size_t i = 0; i < n; ++i)
                for (int j = 0; j < std::min(columns, k); ++j) {
                    const std::int32_t v = t.indices[i * std::size_t(k) + std::size_t(j)];
                    if (v < 0 || std::size_t(v) == i) continue;
                    const auto key = std::make_pair(std::uint32_t(std::min<std::size_t>(i, std::size_t(v))),
                                                    std::uint32_t(std::max<std::size_t>(i, std::size_t(v))));
                    const float d2 = t.sqDistances[i * std::size_t(k) + std::size_t(j)];
                    const auto [it, inserted] = pairs.emplace(key, d2);
                    if (!inserted) it->second = std::min(it->second, d2);
                }
            double lengthSum = 0.0;
            for (const auto& [key, d2] : pairs) lengthSum += std::sqrt(double(d2));
            const double mean = pairs.empty() ? 0.0 : lengthSum / double(pairs.size());
            for (auto weighting : {EdgeWeighting::InverseDistance, EdgeWeighting::Gaussian, EdgeWeighting::Uniform}) {
                double gotMean = -1.0;
                const WeightedGraph g = buildKnnGraph(t, columns, weighting, &gotMean);
                QCOMPARE(g.vertexCount, n);
                QCOMPARE(g.edgeCount(), pairs.size());
                QCOMPARE(gotMean, mean);
                std::size_t e = 0;
                for (const auto& [key, d2] : pairs) {
                    QCOMPARE(g.edgeSource[e], key.first);
                    QCOMPARE(g.edgeTarget[e], key.second);
                    const double d = std::sqrt(double(d2));
                    const double w = weighting == EdgeWeighting::InverseDistance ? 1.0 / (1.0 + d / mean)
                                     : weighting == EdgeWeighting::Gaussian     ? std::exp(-double(d2) / (mean * mean))
                                                                                : 1.0;
                    QCOMPARE(g.edgeWeight[e], float(w));
                    ++e;
                }
                // The consuming overload builds the same graph and releases the table.
                NeighborLists copy = t;
                const WeightedGraph consumed = buildKnnGraph(std::move(copy), columns, weighting);
                QCOMPARE(consumed.edgeTarget, g.edgeTarget);
                QCOMPARE(consumed.edgeWeight, g.edgeWeight);
                QVERIFY(copy.indices.empty() && copy.sqDistances.empty());
            }
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
