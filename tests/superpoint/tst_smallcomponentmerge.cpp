// Minimum superpoint size: small components are absorbed by the neighbour sharing the most edge
// weight (or raising the energy least), repeatedly, and isolated small pieces stay; random graphs give
// exactly what a plain re-statement of the rule (a scan of every edge per decision) gives.
#include "core/common/Error.h"
#include "core/superpoint/SmallComponentMerge.h"

#include <QtTest>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <vector>

using namespace s4;

namespace {

void addEdge(GraphEdges& g, std::uint32_t a, std::uint32_t b, float w) { g.add(a, b, w); }

// The rule restated plainly: passes until nothing changes; in a pass, the components smaller than
// minSize at its start, smallest first (lower label first on ties), each takes the neighbour (by the
// roots of the pass's start, followed to the current roots) with the lowest cost, lower label on ties.
// A pair's shared weight sums its edges in ascending (start root, weight) order, as the merge does.
std::vector<std::int32_t> referenceMerge(const WeightedGraph& g, std::vector<std::int32_t> comp, std::size_t minSize,
                                         const SmallMergeEnergy* energy) {
    const std::size_t count = relabelByFirstVertex(comp);
    std::vector<std::int32_t> parent(count);
    std::iota(parent.begin(), parent.end(), 0);
    auto root = [&](std::int32_t c) {
        while (parent[std::size_t(c)] != c) c = parent[std::size_t(c)];
        return c;
    };
    const std::size_t dim = energy != nullptr ? energy->dim : 0;
    std::vector<std::size_t> size(count, 0);
    std::vector<double> sum(count * dim, 0.0);
    for (std::size_t i = 0; i < comp.size(); ++i) {
        ++size[std::size_t(comp[i])];
        for (std::size_t k = 0; k < dim; ++k) sum[std::size_t(comp[i]) * dim + k] += energy->features[i * dim + k];
    }
    for (bool changed = true; changed;) {
        changed = false;
        std::vector<std::int32_t> startRoot(count);
        for (std::size_t c = 0; c < count; ++c) startRoot[c] = root(std::int32_t(c));
        std::vector<std::size_t> startSize = size;
        std::vector<std::int32_t> small;
        for (std::size_t c = 0; c < count; ++c)
            if (startRoot[c] == std::int32_t(c) && startSize[c] < minSize) small.push_back(std::int32_t(c));
        std::stable_sort(small.begin(), small.end(), [&](auto a, auto b) { return startSize[std::size_t(a)] < startSize[std::size_t(b)]; });
        for (const std::int32_t c0 : small) {
            const std::int32_t c = root(c0);
            if (size[std::size_t(c)] >= minSize) continue;
            std::vector<std::pair<std::int32_t, float>> touching;  // (neighbour's start root, weight)
            for (std::size_t e = 0; e < g.edgeCount(); ++e) {
                const auto a = startRoot[std::size_t(comp[g.edgeSource(e)])], b = startRoot[std::size_t(comp[g.edgeTarget[e]])];
                if (a == c0 && b != c0) touching.emplace_back(b, g.edgeWeight[e]);
                if (b == c0 && a != c0) touching.emplace_back(a, g.edgeWeight[e]);
            }
            std::sort(touching.begin(), touching.end());
            std::map<std::int32_t, double> byRoot;
            for (const auto& [other, w] : touching)
                if (root(other) != c) byRoot[root(other)] += double(w);
            if (byRoot.empty()) continue;
            std::int32_t best = -1;
            double bestCost = 0.0;
            for (const auto& [r, w] : byRoot) {
                double cost = -w;
                if (energy != nullptr) {
                    const double na = double(size[std::size_t(c)]), nb = double(size[std::size_t(r)]);
                    double dist = 0.0;
                    for (std::size_t k = 0; k < dim; ++k) {
                        const double t = sum[std::size_t(c) * dim + k] / na - sum[std::size_t(r) * dim + k] / nb;
                        dist += t * t;
                    }
                    cost = na * nb / (na + nb) * dist - energy->regularization * w;
                }
                if (best < 0 || cost < bestCost) {
                    best = r;
                    bestCost = cost;
                }
            }
            parent[std::size_t(c)] = best;
            size[std::size_t(best)] += size[std::size_t(c)];
            for (std::size_t k = 0; k < dim; ++k) sum[std::size_t(best) * dim + k] += sum[std::size_t(c) * dim + k];
            changed = true;
        }
    }
    for (auto& c : comp) c = root(c);
    relabelByFirstVertex(comp);
    return comp;
}

}  // namespace

class TestSmallComponentMerge : public QObject {
    Q_OBJECT
private slots:
    void smallComponentGoesToStrongestNeighbour() {
        // Components A = {0,1,2,3}, B = {4}, C = {5,6,7,8}. B touches A with weight 0.5 and C with
        // weights 0.4 + 0.3 = 0.7 → B joins C. Result: {0..3}, {4..8}.
        GraphEdges edges;
        edges.vertexCount = 9;
        addEdge(edges, 0, 1, 1);
        addEdge(edges, 1, 2, 1);
        addEdge(edges, 2, 3, 1);
        addEdge(edges, 3, 4, 0.5f);
        addEdge(edges, 4, 5, 0.4f);
        addEdge(edges, 4, 6, 0.3f);
        addEdge(edges, 5, 6, 1);
        addEdge(edges, 6, 7, 1);
        addEdge(edges, 7, 8, 1);
        const WeightedGraph g = WeightedGraph::fromEdges(edges);
        std::vector<std::int32_t> comp{7, 7, 7, 7, 3, 5, 5, 5, 5};
        QCOMPARE(mergeSmallComponents(g, comp, 2), std::size_t(2));
        QCOMPARE(comp, (std::vector<std::int32_t>{0, 0, 0, 0, 1, 1, 1, 1, 1}));
    }

    void chainsOfSmallComponentsCollapse() {
        // Chain 0-1-2-3-4-5, every vertex its own component, minSize 3, weights rising to the right
        // (1, 2, 3, 4, 5). Smallest first, lowest label on ties: {0} → {1} (only neighbour);
        // {1} would go to 2 (weight 2 > 1)... resolved through roots. Every final piece must have ≥ 3
        // vertices and be contiguous.
        GraphEdges edges;
        edges.vertexCount = 6;
        for (std::uint32_t i = 0; i < 5; ++i) addEdge(edges, i, i + 1, float(i + 1));
        const WeightedGraph g = WeightedGraph::fromEdges(edges);
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
        GraphEdges edges;
        edges.vertexCount = 4;
        addEdge(edges, 0, 1, 1);
        addEdge(edges, 1, 2, 1);
        const WeightedGraph g = WeightedGraph::fromEdges(edges);
        std::vector<std::int32_t> comp{0, 0, 1, 2};
        QCOMPARE(mergeSmallComponents(g, comp, 2), std::size_t(2));
        QCOMPARE(comp, (std::vector<std::int32_t>{0, 0, 0, 1}));
    }

    void energyRulePrefersTheSimilarNeighbour() {
        // Chain A = {0,1,2} (feature 0) — B = {3} (feature 0.9) — C = {4,5,6} (feature 1), all weights 1,
        // ρ = 0.1, minSize 2. B shares weight 1 with both: SharedWeight takes the lower label, A.
        // Energy: ΔE(B→A) = (1·3/4)·0.81 − 0.1 = 0.5075, ΔE(B→C) = (1·3/4)·0.01 − 0.1 = −0.0925 → C.
        GraphEdges edges;
        edges.vertexCount = 7;
        for (std::uint32_t i = 0; i < 6; ++i) addEdge(edges, i, i + 1, 1.0f);
        const WeightedGraph g = WeightedGraph::fromEdges(edges);
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

    void randomGraphsMatchThePlainRule() {
        // Random sparse graphs (isolated vertices included) with random weights, features and starting
        // components (many of size 1–3), both rules, several minimum sizes: the same labels as the
        // plain restatement above.
        std::mt19937 rng(11);
        for (int trial = 0; trial < 12; ++trial) {
            const std::size_t n = 150 + std::size_t(trial) * 20;
            GraphEdges edges;
            edges.vertexCount = n;
            std::uniform_int_distribution<std::uint32_t> vertex(0, std::uint32_t(n - 1));
            std::uniform_real_distribution<float> weight(0.05f, 1.0f);
            for (std::size_t e = 0; e < n * 2; ++e) {
                const auto a = vertex(rng), b = vertex(rng);
                if (a != b) addEdge(edges, std::min(a, b), std::max(a, b), weight(rng));
            }
            const WeightedGraph g = WeightedGraph::fromEdges(edges);
            std::vector<float> features(n * 3);
            std::uniform_real_distribution<float> value(0.0f, 1.0f);
            for (auto& x : features) x = value(rng);
            std::vector<std::int32_t> start(n);
            std::uniform_int_distribution<std::int32_t> label(0, std::int32_t(n / 3));
            for (auto& c : start) c = label(rng);
            const SmallMergeEnergy energy{features, 3, 0.2};
            for (const std::size_t minSize : {2, 4, 7}) {
                std::vector<std::int32_t> byWeight = start, byEnergy = start;
                const std::size_t weightCount = mergeSmallComponents(g, byWeight, minSize, SmallMergeRule::SharedWeight);
                const std::size_t energyCount = mergeSmallComponents(g, byEnergy, minSize, SmallMergeRule::Energy, &energy);
                QCOMPARE(byWeight, referenceMerge(g, start, minSize, nullptr));
                QCOMPARE(byEnergy, referenceMerge(g, start, minSize, &energy));
                QCOMPARE(weightCount, std::size_t(*std::max_element(byWeight.begin(), byWeight.end()) + 1));
                QCOMPARE(energyCount, std::size_t(*std::max_element(byEnergy.begin(), byEnergy.end()) + 1));
            }
        }
    }

    void sizeOneIsANoOpBesidesRenumbering() {
        GraphEdges edges;
        edges.vertexCount = 3;
        addEdge(edges, 0, 1, 1);
        const WeightedGraph g = WeightedGraph::fromEdges(edges);
        std::vector<std::int32_t> comp{9, 4, 9};
        QCOMPARE(mergeSmallComponents(g, comp, 1), std::size_t(2));
        QCOMPARE(comp, (std::vector<std::int32_t>{0, 1, 0}));
        std::vector<std::int32_t> wrong{0, 1};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, mergeSmallComponents(g, wrong, 2));
    }
};

QTEST_GUILESS_MAIN(TestSmallComponentMerge)
#include "tst_smallcomponentmerge.moc"
