// Piecewise-planar merge: a join's cost worked out by hand decides it exactly at λ; coplanar pieces of one
// surface are joined and perpendicular ones are not; on random clouds the result is what a plain
// re-statement of the greedy rule (every pair's cost recomputed from the points at every step) gives;
// moving or scaling the cloud (with ℓ) changes nothing; λ = 0 changes nothing; bad input is refused.
#include "core/common/Error.h"
#include "core/common/Progress.h"
#include "core/superpoint/PlanarMerge.h"

#include <Eigen/Eigenvalues>

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

using namespace s4;

namespace {

struct Cloud {
    std::vector<Eigen::Vector3f> positions;
    std::vector<float> features;  // N × dim
    std::size_t dim = 0;
    std::vector<std::int32_t> component;
    GraphEdges edges;  // unit weights

    void addEdge(std::uint32_t a, std::uint32_t b) { edges.add(a, b, 1.0f); }
    WeightedGraph graph() const { return WeightedGraph::fromEdges(edges); }
};

// Two 2 × 2 squares of 4 points each, (±1, ±1, 0) with feature 0 as component 0 and (±1, ±1, h) with
// feature 1 as component 1, every point joined to every other. By hand: each square is planar (SSE 0);
// the union's scatter about its mean (0, 0, h/2) is diag(8, 8, 8·(h/2)²), so its best plane is z = h/2
// with SSE 2h² (for h < 2), and the Ward term is 4·4/8 · 1² = 2. Cost = 2h²/ℓ² + 2μ.
Cloud twoSquares(float h, const Eigen::Vector3f& offset = Eigen::Vector3f::Zero(), float scale = 1.0f) {
    Cloud c;
    c.dim = 1;
    for (int layer = 0; layer < 2; ++layer)
        for (int sx : {-1, 1})
            for (int sy : {-1, 1}) {
                c.positions.push_back(offset + scale * Eigen::Vector3f(float(sx), float(sy), layer * h));
                c.features.push_back(float(layer));
                c.component.push_back(layer == 0 ? 7 : 3);  // any labels; the result is renumbered
            }
    c.edges.vertexCount = c.positions.size();
    for (std::uint32_t a = 0; a < 8; ++a)
        for (std::uint32_t b = a + 1; b < 8; ++b) c.addEdge(a, b);
    return c;
}

std::size_t merged(Cloud c, double lengthScale, double penalty, double featureWeight) {
    return mergePiecewisePlanar(c.graph(), c.positions, c.features, c.dim, lengthScale, c.component,
                                {penalty, featureWeight});
}

// A w × w grid of points spaced 1 on a plane through `origin` spanned by u, v; every point joined to its
// right and upper neighbour.
void addGrid(Cloud& c, int w, const Eigen::Vector3f& origin, const Eigen::Vector3f& u, const Eigen::Vector3f& v,
             std::int32_t label) {
    const auto first = std::uint32_t(c.positions.size());
    for (int i = 0; i < w; ++i)
        for (int j = 0; j < w; ++j) {
            c.positions.push_back(origin + float(i) * u + float(j) * v);
            c.component.push_back(label);
            for (std::size_t k = 0; k < c.dim; ++k) c.features.push_back(0.5f);
        }
    c.edges.vertexCount = c.positions.size();
    for (int i = 0; i < w; ++i)
        for (int j = 0; j < w; ++j) {
            const auto p = first + std::uint32_t(i * w + j);
            if (i + 1 < w) c.addEdge(p, p + std::uint32_t(w));
            if (j + 1 < w) c.addEdge(p, p + 1);
        }
}

// The greedy rule restated plainly: at every step, every pair of components joined by an edge gets its
// cost from its points (plane fits by an eigen-decomposition of the covariance about the mean, feature
// means by summing); the cheapest pair is joined while its cost is below λ.
std::vector<std::int32_t> referenceMerge(const Cloud& c, double lengthScale, const PlanarMergeParams& params) {
    std::vector<std::int32_t> comp = c.component;
    auto sse = [&](const std::vector<std::size_t>& points) {
        Eigen::Vector3d mean = Eigen::Vector3d::Zero();
        for (auto i : points) mean += c.positions[i].cast<double>() / lengthScale;
        mean /= double(points.size());
        Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
        for (auto i : points) {
            const Eigen::Vector3d d = c.positions[i].cast<double>() / lengthScale - mean;
            cov += d * d.transpose();
        }
        return std::max(0.0, Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d>(cov).eigenvalues()[0]);
    };
    auto featureMean = [&](const std::vector<std::size_t>& points) {
        std::vector<double> m(c.dim, 0.0);
        for (auto i : points)
            for (std::size_t k = 0; k < c.dim; ++k) m[k] += c.features[i * c.dim + k];
        for (auto& x : m) x /= double(points.size());
        return m;
    };
    for (;;) {
        std::map<std::int32_t, std::vector<std::size_t>> members;
        for (std::size_t i = 0; i < comp.size(); ++i) members[comp[i]].push_back(i);
        std::set<std::pair<std::int32_t, std::int32_t>> pairs;
        for (std::size_t e = 0; e < c.edges.source.size(); ++e) {
            const auto a = comp[c.edges.source[e]], b = comp[c.edges.target[e]];
            if (a != b) pairs.insert({std::min(a, b), std::max(a, b)});
        }
        double best = std::numeric_limits<double>::infinity();
        std::pair<std::int32_t, std::int32_t> bestPair{-1, -1};
        for (const auto& [a, b] : pairs) {
            const auto& pa = members[a];
            const auto& pb = members[b];
            std::vector<std::size_t> both = pa;
            both.insert(both.end(), pb.begin(), pb.end());
            const auto ma = featureMean(pa), mb = featureMean(pb);
            double dist = 0.0;
            for (std::size_t k = 0; k < c.dim; ++k) dist += (ma[k] - mb[k]) * (ma[k] - mb[k]);
            const double na = double(pa.size()), nb = double(pb.size());
            const double cost = std::max(0.0, sse(both) - sse(pa) - sse(pb)) +
                                params.featureWeight * na * nb / (na + nb) * dist;
            if (cost < best) {
                best = cost;
                bestPair = {a, b};
            }
        }
        if (!(best < params.penalty)) break;
        for (auto& x : comp)
            if (x == bestPair.second) x = bestPair.first;
    }
    relabelByFirstVertex(comp);
    return comp;
}

// Points in a few flat, tilted clusters with noise, joined to their 5 nearest (brute force), in random
// initial components of roughly 6 points grown over the graph; features: 2 noisy values per cluster.
Cloud randomCloud(std::uint32_t seed, int perCluster = 40) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
    Cloud c;
    c.dim = 2;
    const int clusters = 4;
    for (int k = 0; k < clusters; ++k) {
        const Eigen::Vector3f centre(unit(rng) * 3, unit(rng) * 3, unit(rng));
        const Eigen::Vector3f normal = Eigen::Vector3f(unit(rng), unit(rng), 1.0f).normalized();
        const Eigen::Vector3f u = normal.unitOrthogonal(), v = normal.cross(u);
        const float fx = unit(rng), fy = unit(rng);
        for (int i = 0; i < perCluster; ++i) {
            c.positions.push_back(centre + 1.5f * unit(rng) * u + 1.5f * unit(rng) * v + 0.05f * unit(rng) * normal);
            c.features.push_back(fx + 0.1f * unit(rng));
            c.features.push_back(fy + 0.1f * unit(rng));
        }
    }
    const std::size_t n = c.positions.size();
    c.edges.vertexCount = n;
    std::set<std::pair<std::uint32_t, std::uint32_t>> edges;
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<std::pair<float, std::uint32_t>> d;
        for (std::size_t j = 0; j < n; ++j)
            if (j != i) d.push_back({(c.positions[i] - c.positions[j]).squaredNorm(), std::uint32_t(j)});
        std::partial_sort(d.begin(), d.begin() + 5, d.end());
        for (int k = 0; k < 5; ++k)
            edges.insert({std::min(std::uint32_t(i), d[std::size_t(k)].second), std::max(std::uint32_t(i), d[std::size_t(k)].second)});
    }
    for (const auto& [a, b] : edges) c.addEdge(a, b);
    // Initial components: breadth-first pieces of ≤ 6 points from random seeds.
    c.component.assign(n, -1);
    std::vector<std::vector<std::uint32_t>> adj(n);
    for (const auto& [a, b] : edges) {
        adj[a].push_back(b);
        adj[b].push_back(a);
    }
    std::vector<std::uint32_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = std::uint32_t(i);
    std::shuffle(order.begin(), order.end(), rng);
    std::int32_t next = 0;
    for (const auto s : order) {
        if (c.component[s] >= 0) continue;
        std::vector<std::uint32_t> frontier{s};
        c.component[s] = next;
        std::size_t size = 1;
        for (std::size_t f = 0; f < frontier.size() && size < 6; ++f)
            for (const auto t : adj[frontier[f]])
                if (c.component[t] < 0 && size < 6) {
                    c.component[t] = next;
                    frontier.push_back(t);
                    ++size;
                }
        ++next;
    }
    return c;
}

}  // namespace

class TestPlanarMerge : public QObject {
    Q_OBJECT
private slots:
    void handWorkedCostDecidesAtPenalty() {
        // h = 0.5, ℓ = 1, μ = 0.1: cost = 2·0.25 + 2·0.1 = 0.7.
        const double cost = 0.7;
        QCOMPARE(merged(twoSquares(0.5f), 1.0, cost * (1 + 1e-9), 0.1), std::size_t(1));
        QCOMPARE(merged(twoSquares(0.5f), 1.0, cost * (1 - 1e-9), 0.1), std::size_t(2));
        // ℓ = 2 divides the plane term by 4: cost = 0.125 + 0.2.
        QCOMPARE(merged(twoSquares(0.5f), 2.0, 0.325 * (1 + 1e-9), 0.1), std::size_t(1));
        QCOMPARE(merged(twoSquares(0.5f), 2.0, 0.325 * (1 - 1e-9), 0.1), std::size_t(2));
        // Without the feature term only the plane term is left: 0.5.
        QCOMPARE(merged(twoSquares(0.5f), 1.0, 0.5 * (1 + 1e-9), 0.0), std::size_t(1));
        QCOMPARE(merged(twoSquares(0.5f), 1.0, 0.5 * (1 - 1e-9), 0.0), std::size_t(2));
        // Moved far away (coordinates exact in float) and scaled ×8 with ℓ: the same decisions, so the
        // plane fits lose nothing to large coordinates.
        const Eigen::Vector3f far(40000.0f, -30000.0f, 20000.0f);
        for (const double f : {1 + 1e-9, 1 - 1e-9}) {
            Cloud c = twoSquares(0.5f, far, 8.0f);
            const std::size_t count = mergePiecewisePlanar(c.graph(), c.positions, c.features, c.dim, 8.0,
                                                           c.component, {cost * f, 0.1});
            QCOMPARE(count, std::size_t(f > 1 ? 1 : 2));
        }
    }

    void labelsAreRenumberedAndPenaltyZeroJoinsNothing() {
        Cloud c = twoSquares(0.0f);  // coplanar, but different features: cost 2μ > 0
        std::vector<std::int32_t> labels = c.component;
        QCOMPARE(mergePiecewisePlanar(c.graph(), c.positions, c.features, c.dim, 1.0, labels, {0.0, 0.1}),
                 std::size_t(2));
        QCOMPARE(labels, (std::vector<std::int32_t>{0, 0, 0, 0, 1, 1, 1, 1}));
        labels = c.component;
        QCOMPARE(mergePiecewisePlanar(c.graph(), c.positions, c.features, c.dim, 1.0, labels, {1.0, 0.1}),
                 std::size_t(1));
        QCOMPARE(labels, std::vector<std::int32_t>(8, 0));
    }

    // Equal costs go to the pair with fewer points. All points at one place (plane terms exactly 0), in
    // vertex order C (3 points, feature (−0.5, 0)), B (3 points, (0, 0)), A (1 point, (0.5, 0.5)), joined
    // as a chain. With μ = 1 by hand: C–B costs 3·3/6 · 0.25 = 0.375, B–A 3·1/4 · 0.5 = 0.375 — a tie;
    // afterwards the third piece would cost 12/7 · 0.40625 or 6/7 · 0.8125 (both 0.696) > λ = 0.5. The
    // smaller pair (B, A: 4 points) joins, though C–B has the lower ids.
    void equalCostsJoinTheSmallerPairFirst() {
        Cloud c;
        c.dim = 2;
        auto add = [&](float f0, float f1, std::int32_t label) {
            c.positions.push_back(Eigen::Vector3f(1.0f, 2.0f, 3.0f));
            c.features.push_back(f0);
            c.features.push_back(f1);
            c.component.push_back(label);
        };
        for (int i = 0; i < 3; ++i) add(-0.5f, 0.0f, 0);
        for (int i = 0; i < 3; ++i) add(0.0f, 0.0f, 1);
        add(0.5f, 0.5f, 2);
        c.edges.vertexCount = c.positions.size();
        for (std::uint32_t i = 0; i + 1 < c.edges.vertexCount; ++i) c.addEdge(i, i + 1);
        std::vector<std::int32_t> labels = c.component;
        QCOMPARE(mergePiecewisePlanar(c.graph(), c.positions, c.features, c.dim, 1.0, labels, {0.5, 1.0}),
                 std::size_t(2));
        QCOMPARE(labels, (std::vector<std::int32_t>{0, 0, 0, 1, 1, 1, 1}));
    }

    void coplanarPiecesJoinPerpendicularOnesDoNot() {
        // A floor of four 10 × 10 pieces (one plane, equal features) and a wall standing on it; the
        // default λ and μ with ℓ = 1 (the grid spacing) join the floor and keep the wall apart.
        Cloud c;
        c.dim = 3;
        const Eigen::Vector3f x(1, 0, 0), y(0, 1, 0), z(0, 0, 1);
        addGrid(c, 10, {0, 0, 0}, x, y, 0);
        addGrid(c, 10, {10, 0, 0}, x, y, 1);
        addGrid(c, 10, {0, 10, 0}, x, y, 2);
        addGrid(c, 10, {10, 10, 0}, x, y, 3);
        addGrid(c, 10, {0, -0.5f, 0.5f}, x, z, 4);  // the wall y = −0.5, next to the first floor piece
        // Join neighbouring pieces along their borders.
        for (int i = 0; i < 10; ++i) {
            c.addEdge(std::uint32_t(90 + i), std::uint32_t(100 + i));       // piece 0 row x=9 – piece 1 row x=10
            c.addEdge(std::uint32_t(200 + 90 + i), std::uint32_t(300 + i));  // piece 2 – piece 3
            c.addEdge(std::uint32_t(i * 10 + 9), std::uint32_t(200 + i * 10));   // piece 0 – piece 2
            c.addEdge(std::uint32_t(100 + i * 10 + 9), std::uint32_t(300 + i * 10));  // piece 1 – piece 3
            c.addEdge(std::uint32_t(i * 10), std::uint32_t(400 + i * 10));  // floor edge y=0 – wall bottom
        }
        std::vector<std::int32_t> labels = c.component;
        const std::size_t count = mergePiecewisePlanar(c.graph(), c.positions, c.features, c.dim, 1.0, labels, {});
        QCOMPARE(count, std::size_t(2));
        for (std::size_t i = 0; i < 400; ++i) QCOMPARE(labels[i], 0);
        for (std::size_t i = 400; i < 500; ++i) QCOMPARE(labels[i], 1);
    }

    void matchesThePlainGreedyRule() {
        int joinedSomewhere = 0, keptSomewhere = 0;
        for (std::uint32_t seed = 1; seed <= 6; ++seed) {
            const Cloud c = randomCloud(seed);
            for (const double penalty : {0.05, 0.5, 3.0}) {
                const PlanarMergeParams params{penalty, 0.2};
                std::vector<std::int32_t> labels = c.component;
                std::vector<std::int32_t> start = c.component;
                const std::size_t before = relabelByFirstVertex(start);
                const std::size_t count =
                    mergePiecewisePlanar(c.graph(), c.positions, c.features, c.dim, 0.7, labels, params);
                const auto expected = referenceMerge(c, 0.7, params);
                QCOMPARE(labels, expected);
                QCOMPARE(count, std::size_t(*std::max_element(expected.begin(), expected.end()) + 1));
                joinedSomewhere += count < before;
                keptSomewhere += count > 4;  // more components than clusters: λ stopped the joins
            }
        }
        QVERIFY(joinedSomewhere > 0);
        QVERIFY(keptSomewhere > 0);
    }

    // 3,000 points in ~500 components: enough edges between components that the summary gathers its
    // adjacency in several ranges (ranges of 4,096 edge ends).
    void matchesThePlainGreedyRuleOnALargerCloud() {
        const Cloud c = randomCloud(21, 750);
        std::vector<std::int32_t> start = c.component;
        const std::size_t before = relabelByFirstVertex(start);
        QVERIFY(before > 400);
        std::size_t edgeEnds = 0;  // ends of edges between components: the summary's ranges hold ≤ 4,096
        for (std::size_t e = 0; e < c.edges.source.size(); ++e)
            edgeEnds += 2 * (start[c.edges.source[e]] != start[c.edges.target[e]]);
        QVERIFY2(edgeEnds > 2 * 4096, qPrintable(QString::number(edgeEnds)));
        const PlanarMergeParams params{0.5, 0.2};
        std::vector<std::int32_t> labels = c.component;
        PlanarMergeInput in = summarisePlanarMergeInput(c.graph(), std::vector<float>(c.features), c.dim,
                                                        c.positions, 0.7, labels);
        PlanarMergeStats stats;
        const std::size_t count = mergePiecewisePlanar(std::move(in), labels, params, {}, &stats);
        QCOMPARE(labels, referenceMerge(c, 0.7, params));
        QVERIFY(count < before && count > 4);
        QCOMPARE(stats.joins, before - count);
    }

    // A 150 × 150 grid on a plane, one component per point; feature 0 on the left half, 1 on the right.
    // Joins inside a half cost 0; joining across costs μ·n_a·n_b/(n_a + n_b) ≥ μ/2 = λ·5/3 > λ. So
    // exactly the two halves must come out, after 22,498 joins — on the way, stale candidates pile up
    // far past the live pairs and the queue is rebuilt from them: a rebuild that lost or mis-stamped a
    // live pair would stop the joins early and leave more pieces.
    void queueRebuildsKeepEveryLivePair() {
        const int w = 150;
        Cloud c;
        c.dim = 1;
        addGrid(c, w, Eigen::Vector3f(0, 0, 0), Eigen::Vector3f(1, 0, 0), Eigen::Vector3f(0, 1, 0), 0);
        const std::size_t n = c.positions.size();
        std::vector<std::int32_t> expected(n);
        for (std::size_t p = 0; p < n; ++p) {
            c.component[p] = std::int32_t(p);
            const bool right = c.positions[p].x() >= float(w / 2);
            c.features[p] = right ? 1.0f : 0.0f;
            expected[p] = right ? 1 : 0;  // the left half holds vertex 0
        }
        PlanarMergeStats stats;
        std::vector<std::int32_t> labels = c.component;
        PlanarMergeInput in = summarisePlanarMergeInput(c.graph(), std::vector<float>(c.features), c.dim,
                                                        c.positions, 1.0, labels);
        QCOMPARE(mergePiecewisePlanar(std::move(in), labels, {0.3, 1.0}, {}, &stats), std::size_t(2));
        QCOMPARE(labels, expected);
        QCOMPARE(stats.joins, n - 2);
        QVERIFY2(stats.queueRebuilds > 0, "the queue was never rebuilt: the test no longer covers it");
    }

    // Differential check of the rebuilds on a cloud with varied costs: a 150 × 150 grid on a wavy
    // surface, one component per point, with blocky noisy features, merged alone (its stale candidates
    // pile up and the queue is rebuilt) and beside a disconnected ballast whose 80,000 pairs never join
    // (checkerboard features: each costs 10 > λ) but keep the queue's bound above anything the grid
    // piles up, so that the same merge runs without a rebuild. Candidates that cost λ or more are never
    // popped, so the ballast cannot change the grid's joins: the grid's labels must agree.
    void queueRebuildsChangeNothing() {
        std::mt19937 rng(4);
        std::uniform_real_distribution<float> noise(-0.05f, 0.05f);
        Cloud grid;
        grid.dim = 1;
        const int w = 150;
        addGrid(grid, w, Eigen::Vector3f(0, 0, 0), Eigen::Vector3f(1, 0, 0), Eigen::Vector3f(0, 1, 0), 0);
        for (std::size_t p = 0; p < grid.positions.size(); ++p) {
            Eigen::Vector3f& x = grid.positions[p];
            x.z() = 0.8f * std::sin(x.x() / 7.0f) * std::cos(x.y() / 5.0f);
            grid.component[p] = std::int32_t(p);
            grid.features[p] = float(int(x.x()) / 30) + 0.5f * float(int(x.y()) / 40) + noise(rng);
        }
        const PlanarMergeParams params{0.3, 0.2};
        auto merge = [&](const Cloud& c, PlanarMergeStats& stats) {
            std::vector<std::int32_t> labels = c.component;
            PlanarMergeInput in = summarisePlanarMergeInput(c.graph(), std::vector<float>(c.features), c.dim,
                                                            c.positions, 1.0, labels);
            mergePiecewisePlanar(std::move(in), labels, params, {}, &stats);
            return labels;
        };
        PlanarMergeStats alone;
        const std::vector<std::int32_t> gridLabels = merge(grid, alone);
        QVERIFY2(alone.queueRebuilds > 0, "the queue was never rebuilt: the test no longer covers it");
        const std::int32_t gridCount = *std::max_element(gridLabels.begin(), gridLabels.end()) + 1;
        QVERIFY(gridCount > 20 && alone.joins > 20000);  // joins stop at λ in places, not everywhere

        Cloud both = grid;
        const std::size_t n = grid.positions.size();
        const int b = 200;
        addGrid(both, b, Eigen::Vector3f(1000, 0, 0), Eigen::Vector3f(1, 0, 0), Eigen::Vector3f(0, 1, 0), 0);
        for (std::size_t p = n; p < both.positions.size(); ++p) {
            both.component[p] = std::int32_t(p);
            const auto k = p - n;
            both.features[p] = (k / std::size_t(b) + k % std::size_t(b)) % 2 == 0 ? 0.0f : 10.0f;
        }
        PlanarMergeStats ballasted;
        const std::vector<std::int32_t> bothLabels = merge(both, ballasted);
        QCOMPARE(ballasted.queueRebuilds, std::size_t(0));
        QCOMPARE(ballasted.joins, alone.joins);
        QCOMPARE(std::vector<std::int32_t>(bothLabels.begin(), bothLabels.begin() + std::ptrdiff_t(n)), gridLabels);
        for (std::size_t p = n; p < both.positions.size(); ++p)  // every ballast point stays alone
            QCOMPARE(bothLabels[p], gridCount + std::int32_t(p - n));
    }

    void movingAndScalingTheCloudChangesNothing() {
        const Cloud c = randomCloud(9);
        std::vector<std::int32_t> base = c.component;
        mergePiecewisePlanar(c.graph(), c.positions, c.features, c.dim, 0.7, base, {0.5, 0.2});
        Cloud moved = c;
        for (auto& p : moved.positions) p = 4.0f * p + Eigen::Vector3f(1000.0f, 2000.0f, -500.0f);
        std::vector<std::int32_t> labels = moved.component;
        mergePiecewisePlanar(moved.graph(), moved.positions, moved.features, moved.dim, 2.8, labels, {0.5, 0.2});
        QCOMPARE(labels, base);
    }

    void refusesBadInputAndCancels() {
        Cloud c = twoSquares(0.5f);
        auto run = [&](double ell, PlanarMergeParams p, std::size_t dim, const Progress& progress = {}) {
            std::vector<std::int32_t> labels = c.component;
            return mergePiecewisePlanar(c.graph(), c.positions, c.features, dim, ell, labels, p, progress);
        };
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, run(0.0, {}, 1));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, run(std::numeric_limits<double>::quiet_NaN(), {}, 1));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, run(1.0, {-1.0, 0.1}, 1));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, run(1.0, {std::numeric_limits<double>::infinity(), 0.1}, 1));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, run(1.0, {0.3, -0.1}, 1));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, run(1.0, {}, 2));  // 8 features are not 8 × 2
        c.component[3] = -1;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, run(1.0, {}, 1));
        c.component[3] = 7;
        c.positions[2].x() = std::numeric_limits<float>::quiet_NaN();
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, run(1.0, {}, 1));
        // A summary that does not match: an adjacency listed one way only, or naming no component.
        c = twoSquares(0.5f);
        {
            std::vector<std::int32_t> labels = c.component;
            PlanarMergeInput in = summarisePlanarMergeInput(c.graph(), std::vector<float>(c.features),
                                                            c.dim, c.positions, 1.0, labels);
            QCOMPARE(in.adjacency.size(), std::size_t(2));
            PlanarMergeInput oneWay = in;
            oneWay.adjacency.pop_back();
            oneWay.adjacencyStart.back() = 1;
            QVERIFY_THROWS_EXCEPTION(InvalidArgument, mergePiecewisePlanar(std::move(oneWay), labels, {}));
            PlanarMergeInput outside = in;
            outside.adjacency[0] = 7;
            QVERIFY_THROWS_EXCEPTION(InvalidArgument, mergePiecewisePlanar(std::move(outside), labels, {}));
            QCOMPARE(mergePiecewisePlanar(std::move(in), labels, {1.0, 0.1}), std::size_t(1));
        }
        CancelFlag flag;
        flag.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, run(1.0, {1.0, 0.1}, 1, Progress({}, flag.asCallback())));
    }
};

QTEST_GUILESS_MAIN(TestPlanarMerge)
#include "tst_planarmerge.moc"
