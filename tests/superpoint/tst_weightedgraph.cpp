// Graph helpers of the superpoint stage: the graph's rows from an edge list in any order (grouping,
// order within a row, the source of each edge, rejection of malformed input); the crossing-edge passes
// that skip blocks of rows, against a full filtered pass; connected components by key from the graph
// (union–find) against a hand-worked case and the adjacency walk; and the kNN graph from the first
// columns of a wider kNN table against the graph of a table holding only those columns, and against a
// pair-set reference (every listed pair once, shortest listed length, ascending pairs) on tables with
// padding, repeats and asymmetric lengths.
#include "core/common/Error.h"
#include "core/superpoint/KnnGraph.h"
#include "core/superpoint/WeightedGraph.h"

#include <QtTest>

#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace s4;

namespace {

WeightedGraph randomGraph(std::mt19937& rng, std::size_t n, std::size_t edges) {
    GraphEdges g;
    g.vertexCount = n;
    std::uniform_int_distribution<std::uint32_t> vertex(0, std::uint32_t(n - 1));
    while (g.source.size() < edges) {
        const auto a = vertex(rng), b = vertex(rng);
        if (a == b) continue;
        g.add(a, b, 1.0f);  // either direction: a row holds edges to smaller and larger vertices
    }
    return WeightedGraph::fromEdges(g);
}

// Edges between vertices at most `reach` apart in index, in either direction (a spatially ordered cloud's
// kNN graph in miniature).
WeightedGraph bandGraph(std::mt19937& rng, std::size_t n, std::size_t edges, std::uint32_t reach) {
    GraphEdges g;
    g.vertexCount = n;
    std::uniform_int_distribution<std::uint32_t> vertex(0, std::uint32_t(n - 1)), step(1, reach);
    while (n > 1 && g.source.size() < edges) {
        const auto a = vertex(rng), b = a + step(rng);
        if (b >= n) continue;
        if (rng() % 2 == 0)
            g.add(a, b, 1.0f);
        else
            g.add(b, a, 1.0f);
    }
    return WeightedGraph::fromEdges(g);
}

}  // namespace

class TestWeightedGraph : public QObject {
    Q_OBJECT
private slots:
    void rowsFromEdgeListHandWorked() {
        // Edges given out of order: (2,0,w=0.5) (0,1,1) (3,1,2) (0,3,3) (2,3,4) on 5 vertices, vertex 1
        // and 4 with no row of their own. By source: row 0 = [(0,1,1), (0,3,3)] (given order kept),
        // row 1 = [], row 2 = [(2,0,0.5), (2,3,4)], row 3 = [(3,1,2)], row 4 = [].
        GraphEdges edges;
        edges.vertexCount = 5;
        edges.add(2, 0, 0.5f);
        edges.add(0, 1, 1.0f);
        edges.add(3, 1, 2.0f);
        edges.add(0, 3, 3.0f);
        edges.add(2, 3, 4.0f);
        const WeightedGraph g = WeightedGraph::fromEdges(edges);
        QCOMPARE(g.vertexCount, std::size_t(5));
        QCOMPARE(g.firstEdge, (std::vector<std::uint32_t>{0, 2, 2, 4, 5, 5}));
        QCOMPARE(g.edgeTarget, (std::vector<std::uint32_t>{1, 3, 0, 3, 1}));
        QCOMPARE(g.edgeWeight, (std::vector<float>{1, 3, 0.5f, 4, 2}));
        const std::uint32_t source[] = {0, 0, 2, 2, 3};
        for (std::size_t e = 0; e < 5; ++e) QCOMPARE(g.edgeSource(e), source[e]);
        std::vector<std::array<std::uint32_t, 3>> visited;
        g.forEachEdge([&](std::uint32_t u, std::uint32_t v, std::size_t e) { visited.push_back({u, v, std::uint32_t(e)}); });
        QCOMPARE(visited, (std::vector<std::array<std::uint32_t, 3>>{{0, 1, 0}, {0, 3, 1}, {2, 0, 2}, {2, 3, 3}, {3, 1, 4}}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, g.edgeSource(5));
        // No vertices, no edges: the default graph is valid.
        WeightedGraph().validate();
        QCOMPARE(WeightedGraph::fromEdges(GraphEdges{}).firstEdge, (std::vector<std::uint32_t>{0}));
    }

    void rowsKeepEveryEdgeOfARandomList() {
        // Against a plain restatement: the multiset of (source, target, weight) is kept, and within a
        // source the given order.
        std::mt19937 rng(3);
        for (int trial = 0; trial < 10; ++trial) {
            const std::size_t n = 1 + std::size_t(trial) * 13;
            std::uniform_int_distribution<std::uint32_t> vertex(0, std::uint32_t(n - 1));
            GraphEdges edges;
            edges.vertexCount = n;
            for (int e = 0; e < 40 * trial; ++e) {
                const auto a = vertex(rng), b = vertex(rng);
                if (a != b) edges.add(a, b, float(e));
            }
            const WeightedGraph g = WeightedGraph::fromEdges(edges);
            std::vector<std::vector<std::pair<std::uint32_t, float>>> expected(n);
            for (std::size_t e = 0; e < edges.source.size(); ++e)
                expected[edges.source[e]].emplace_back(edges.target[e], edges.weight[e]);
            std::vector<std::vector<std::pair<std::uint32_t, float>>> got(n);
            g.forEachEdge([&](std::uint32_t u, std::uint32_t v, std::size_t e) {
                QCOMPARE(g.edgeSource(e), u);
                got[u].emplace_back(v, g.edgeWeight[e]);
            });
            QCOMPARE(got, expected);
        }
    }

    void crossingEdgePassesVisitWhatAFullPassWould() {
        // Against the plain filter over every edge: for random graphs (vertex counts not multiples of
        // the block size, empty rows), labels either scattered or numbered along the vertex order (so
        // blocks are skipped), and label ranges of every width, the visits and their order agree.
        std::mt19937 rng(5);
        for (int trial = 0; trial < 24; ++trial) {
            const std::size_t n = 1 + std::size_t(trial) * 41;
            const bool ordered = trial % 4 >= 2;  // labels along the vertex order, on a banded graph
            const WeightedGraph g = ordered ? bandGraph(rng, n + 1, 3 * n, 8) : randomGraph(rng, n + 1, 3 * n);
            std::vector<std::int32_t> label(g.vertexCount);
            const std::int32_t labels = std::int32_t(1 + g.vertexCount / (trial % 2 == 0 ? 3 : 20));
            std::uniform_int_distribution<std::int32_t> any(0, labels - 1);
            for (std::size_t v = 0; v < label.size(); ++v)
                label[v] = ordered ? std::int32_t(v * std::size_t(labels) / label.size()) : any(rng);
            const CrossingEdgeBlocks blocks = crossingEdgeBlocks(g, label);
            QCOMPARE(blocks.lowest.size(), (g.vertexCount + CrossingEdgeBlocks::kRows - 1) / CrossingEdgeBlocks::kRows);
            std::size_t skipped = 0;
            for (std::int32_t width : {1, 3, labels / 4 + 1, labels}) {
                for (std::int32_t lo = 0; lo < labels; lo += width) {
                    const std::int32_t hi = std::min(labels, lo + width);
                    using Visit = std::array<std::int64_t, 5>;
                    std::vector<Visit> expected, got;
                    g.forEachEdge([&](std::uint32_t u, std::uint32_t v, std::size_t e) {
                        const std::int32_t a = label[u], b = label[v];
                        if (a != b && ((a >= lo && a < hi) || (b >= lo && b < hi)))
                            expected.push_back({u, v, std::int64_t(e), a, b});
                    });
                    const std::size_t read = forEachCrossingEdgeTouching(
                        g, label, blocks, lo, hi,
                        [&](std::uint32_t u, std::uint32_t v, std::size_t e, std::int32_t a, std::int32_t b) {
                            got.push_back({u, v, std::int64_t(e), a, b});
                        });
                    QCOMPARE(got, expected);
                    QVERIFY(read <= blocks.lowest.size());
                    skipped += blocks.lowest.size() - read;
                }
            }
            if (ordered && n > 500) QVERIFY2(skipped > 0, "labels along the vertex order leave blocks out");
        }
        // Mismatched inputs are refused, not read past.
        const WeightedGraph g = randomGraph(rng, 100, 300);
        const std::vector<std::int32_t> label(100, 0), short_(99, 0);
        const CrossingEdgeBlocks blocks = crossingEdgeBlocks(g, label);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, crossingEdgeBlocks(g, short_));
        auto none = [](std::uint32_t, std::uint32_t, std::size_t, std::int32_t, std::int32_t) {};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, forEachCrossingEdgeTouching(g, short_, blocks, 0, 1, none));
        CrossingEdgeBlocks fewer = blocks;
        fewer.lowest.pop_back();
        fewer.highest.pop_back();
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, forEachCrossingEdgeTouching(g, label, fewer, 0, 1, none));
    }

    void rejectsMalformedGraphs() {
        GraphEdges edges;
        edges.vertexCount = 3;
        edges.add(0, 1, 1.0f);
        edges.add(1, 2, 1.0f);
        GraphEdges outside = edges;
        outside.target[1] = 3;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, WeightedGraph::fromEdges(outside));
        GraphEdges loop = edges;
        loop.target[1] = 1;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, WeightedGraph::fromEdges(loop));
        GraphEdges uneven = edges;
        uneven.weight.pop_back();
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, WeightedGraph::fromEdges(uneven));
        try {  // errors name the edge as given, not its place in the rows
            GraphEdges late = edges;
            late.add(2, 0, 1.0f);
            late.add(1, 1, 1.0f);
            WeightedGraph::fromEdges(late);
            QFAIL("a self-loop was accepted");
        } catch (const InvalidArgument& e) {
            QVERIFY2(std::string(e.what()).find("edge 3 ") != std::string::npos, e.what());
        }
        GraphEdges negative = edges;
        negative.weight[0] = -1.0f;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, WeightedGraph::fromEdges(negative));
        negative.weight[0] = std::numeric_limits<float>::quiet_NaN();
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, WeightedGraph::fromEdges(negative));

        const WeightedGraph good = WeightedGraph::fromEdges(edges);  // rows {0, 1, 2, 2}
        good.validate();
        WeightedGraph bad = good;
        bad.firstEdge = {0, 2, 1, 2};  // decreasing
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, bad.validate());
        bad.firstEdge = {0, 1, 2};  // one offset short
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, bad.validate());
        bad.firstEdge = {0, 1, 1, 1};  // ends before the last edge
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, bad.validate());
        bad.firstEdge = {1, 1, 2, 2};  // does not start at 0
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, bad.validate());
        bad.firstEdge = {0, 5, 2, 2};  // a row past the edges, then a drop: refused before any row is read
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, bad.validate());
        // A vertex count set without rows: refused by every walk rather than read past the offsets.
        WeightedGraph unrowed;
        unrowed.vertexCount = 4;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, unrowed.validate());
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, buildAdjacency(unrowed));
        std::vector<std::int32_t> component;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 connectedComponentsWhere(unrowed, [](std::uint32_t, std::uint32_t) { return true; }, component));
        bad = good;
        bad.edgeTarget[0] = 0;  // row 0 pointing at itself
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, bad.validate());
        bad = good;
        bad.edgeWeight.push_back(1.0f);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, bad.validate());
    }

    void componentsByKeyHandWorked() {
        // Path 0–1–2–3–4 and edge 5–6; keys split the path between 2 and 3. Vertex 7 is isolated.
        GraphEdges edges;
        edges.vertexCount = 8;
        const std::uint32_t src[] = {3, 0, 1, 2, 5};
        const std::uint32_t dst[] = {4, 1, 2, 3, 6};
        for (int e = 0; e < 5; ++e) edges.add(src[e], dst[e], 1.0f);
        const WeightedGraph g = WeightedGraph::fromEdges(edges);
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
            QCOMPARE(a.firstEdge, b.firstEdge);
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
                    QCOMPARE(g.edgeSource(e), key.first);
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
                QCOMPARE(consumed.firstEdge, g.firstEdge);
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
        QCOMPARE(g.edgeSource(0), 0u);
        QCOMPARE(g.edgeTarget[0], 1u);
        QCOMPARE(mean, 1.0);
        QCOMPARE(g.edgeWeight[0], 0.5f);
    }
};

QTEST_GUILESS_MAIN(TestWeightedGraph)
#include "tst_weightedgraph.moc"
