// Minimum superpoint size: small components are absorbed by the neighbour sharing the most edge
// weight, repeatedly, and isolated small pieces stay.
#include "core/common/Error.h"
#include "core/superpoint/SmallComponentMerge.h"

#include <QtTest>

#include <vector>

using namespace s4;

namespace {

void addEdge(WeightedGraph& g, std::uint32_t a, std::uint32_t b, float w) {
    g.edgeSource.push_back(a);
    g.edgeTarget.push_back(b);
    g.edgeWeight.push_back(w);
}

}  // namespace

class TestSmallComponentMerge : public QObject {
    Q_OBJECT
private slots:
    void smallComponentGoesToStrongestNeighbour() {
        // Components A = {0,1,2,3}, B = {4}, C = {5,6,7,8}. B touches A with weight 0.5 and C with
        // weights 0.4 + 0.3 = 0.7 → B joins C. Result: {0..3}, {4..8}.
        WeightedGraph g;
        g.vertexCount = 9;
        addEdge(g, 0, 1, 1);
        addEdge(g, 1, 2, 1);
        addEdge(g, 2, 3, 1);
        addEdge(g, 3, 4, 0.5f);
        addEdge(g, 4, 5, 0.4f);
        addEdge(g, 4, 6, 0.3f);
        addEdge(g, 5, 6, 1);
        addEdge(g, 6, 7, 1);
        addEdge(g, 7, 8, 1);
        std::vector<std::int32_t> comp{7, 7, 7, 7, 3, 5, 5, 5, 5};
        QCOMPARE(mergeSmallComponents(g, comp, 2), std::size_t(2));
        QCOMPARE(comp, (std::vector<std::int32_t>{0, 0, 0, 0, 1, 1, 1, 1, 1}));
    }

    void chainsOfSmallComponentsCollapse() {
        // Chain 0-1-2-3-4-5, every vertex its own component, minSize 3, weights rising to the right
        // (1, 2, 3, 4, 5). Smallest first, lowest label on ties: {0} → {1} (only neighbour);
        // {1} would go to 2 (weight 2 > 1)... resolved through roots. Every final piece must have ≥ 3
        // vertices and be contiguous.
        WeightedGraph g;
        g.vertexCount = 6;
        for (std::uint32_t i = 0; i < 5; ++i) addEdge(g, i, i + 1, float(i + 1));
        std::vector<std::int32_t> comp{0, 1, 2, 3, 4, 5};
        const std::size_t count = mergeSmallComponents(g, comp, 3);
        std::vector<int> size(count, 0);
        for (std::size_t i = 0; i < comp.size(); ++i) {
            ++size[std::size_t(comp[i])];
            if (i > 0) QVERIFY(comp[i] == comp[i - 1] || comp[i] == comp[i - 1] + 1);  // contiguous, ordered
        }
        for (int s : size) QVERIFY(s >= 3);
        QVERIFY(count >= 1 && count <= 2);
    }

    void isolatedSmallPieceIsKept() {
        // {0,1,2} connected, {3} has no edge: it cannot merge anywhere.
        WeightedGraph g;
        g.vertexCount = 4;
        addEdge(g, 0, 1, 1);
        addEdge(g, 1, 2, 1);
        std::vector<std::int32_t> comp{0, 0, 1, 2};
        QCOMPARE(mergeSmallComponents(g, comp, 2), std::size_t(2));
        QCOMPARE(comp, (std::vector<std::int32_t>{0, 0, 0, 1}));
    }

    void energyRulePrefersTheSimilarNeighbour() {
        // Chain A = {0,1,2} (feature 0) — B = {3} (feature 0.9) — C = {4,5,6} (feature 1), all weights 1,
        // ρ = 0.1, minSize 2. B shares weight 1 with both: SharedWeight takes the lower label, A.
        // Energy: ΔE(B→A) = (1·3/4)·0.81 − 0.1 = 0.5075, ΔE(B→C) = (1·3/4)·0.01 − 0.1 = −0.0925 → C.
        WeightedGraph g;
        g.vertexCount = 7;
        for (std::uint32_t i = 0; i < 6; ++i) addEdge(g, i, i + 1, 1.0f);
        const std::vector<float> f{0, 0, 0, 0.9f, 1, 1, 1};
        const SmallMergeEnergy energy{f, 1, 0.1};
        std::vector<std::int32_t> byWeight{0, 0, 0, 1, 2, 2, 2};
        QCOMPARE(mergeSmallComponents(g, byWeight, 2, SmallMergeRule::SharedWeight), std::size_t(2));
        QCOMPARE(byWeight, (std::vector<std::int32_t>{0, 0, 0, 0, 1, 1, 1}));
        std::vector<std::int32_t> byEnergy{0, 0, 0, 1, 2, 2, 2};
        QCOMPARE(mergeSmallComponents(g, byEnergy, 2, SmallMergeRule::Energy, &energy), std::size_t(2));
        QCOMPARE(byEnergy, (std::vector<std::int32_t>{0, 0, 0, 1, 1, 1, 1}));
        // The energy rule without features is an error.
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 mergeSmallComponents(g, byEnergy, 2, SmallMergeRule::Energy));
    }

    void sizeOneIsANoOpBesidesRenumbering() {
        WeightedGraph g;
        g.vertexCount = 3;
        addEdge(g, 0, 1, 1);
        std::vector<std::int32_t> comp{9, 4, 9};
        QCOMPARE(mergeSmallComponents(g, comp, 1), std::size_t(2));
        QCOMPARE(comp, (std::vector<std::int32_t>{0, 1, 0}));
        std::vector<std::int32_t> wrong{0, 1};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, mergeSmallComponents(g, wrong, 2));
    }
};

QTEST_GUILESS_MAIN(TestSmallComponentMerge)
#include "tst_smallcomponentmerge.moc"
