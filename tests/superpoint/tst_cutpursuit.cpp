// ℓ0 cut pursuit on synthetic problems whose answer is known: piecewise-constant signals on a chain
// and on a 3-D cloud are recovered exactly, the energy never increases, ρ = 0 and ρ → ∞ give their
// limiting partitions, node weights enter the component values, results are deterministic, and at
// convergence no merge of two adjacent components would lower the energy.
#include "core/common/Error.h"
#include "core/common/Progress.h"
#include "core/superpoint/CutPursuit.h"

#include <QtTest>

#include <Eigen/Core>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

using namespace s4;

namespace {

// Uniform noise in [-a, a] from a fixed-seed engine (mt19937 output is specified by the standard).
struct Noise {
    std::mt19937 rng;
    explicit Noise(unsigned seed) : rng(seed) {}
    float operator()(float a) { return float((double(rng()) / 4294967295.0 * 2.0 - 1.0) * a); }
};

WeightedGraph chain(std::size_t n) {
    GraphEdges g;
    g.vertexCount = n;
    for (std::uint32_t i = 0; i + 1 < n; ++i) {
        g.add(i, i + 1, 1.0f);
    }
    return WeightedGraph::fromEdges(g);
}

// Symmetrised k-nearest-neighbour graph by brute force (independent of the library's kNN).
WeightedGraph knnGraph(const std::vector<Eigen::Vector3f>& p, int k) {
    GraphEdges g;
    g.vertexCount = p.size();
    std::map<std::pair<std::uint32_t, std::uint32_t>, bool> seen;
    for (std::uint32_t i = 0; i < p.size(); ++i) {
        std::vector<std::pair<float, std::uint32_t>> d;
        for (std::uint32_t j = 0; j < p.size(); ++j)
            if (j != i) d.emplace_back((p[i] - p[j]).squaredNorm(), j);
        std::partial_sort(d.begin(), d.begin() + k, d.end());
        for (int m = 0; m < k; ++m) {
            const auto key = std::minmax(i, d[std::size_t(m)].second);
            if (seen.emplace(key, true).second) {
                g.add(key.first, key.second, 1.0f);
            }
        }
    }
    return WeightedGraph::fromEdges(g);
}

// True if two labellings define the same partition (equal up to renaming).
bool samePartition(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b) {
    if (a.size() != b.size()) return false;
    std::map<std::int32_t, std::int32_t> ab, ba;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto [x, newA] = ab.try_emplace(a[i], b[i]);
        auto [y, newB] = ba.try_emplace(b[i], a[i]);
        if (x->second != b[i] || y->second != a[i]) return false;
    }
    return true;
}

// Energy of a partition with component means as values, computed from scratch.
double energyOf(const WeightedGraph& g, const std::vector<float>& f, std::size_t dim, double rho,
                const std::vector<std::int32_t>& comp) {
    std::map<std::int32_t, std::vector<double>> sum;
    std::map<std::int32_t, double> count;
    for (std::size_t i = 0; i < comp.size(); ++i) {
        auto& s = sum[comp[i]];
        s.resize(dim, 0.0);
        for (std::size_t k = 0; k < dim; ++k) s[k] += f[i * dim + k];
        count[comp[i]] += 1.0;
    }
    double e = 0.0;
    for (std::size_t i = 0; i < comp.size(); ++i)
        for (std::size_t k = 0; k < dim; ++k) {
            const double t = f[i * dim + k] - sum[comp[i]][k] / count[comp[i]];
            e += t * t;
        }
    for (std::size_t k = 0; k < g.edgeCount(); ++k)
        if (comp[g.edgeSource(k)] != comp[g.edgeTarget[k]]) e += rho * g.edgeWeight[k];
    return e;
}

/// A w×w 4-connected grid, vertex y·w + x; horizontal edges weigh `horizontal`, vertical `vertical`.
WeightedGraph gridGraph(int w, float horizontal, float vertical) {
    GraphEdges g;
    g.vertexCount = std::size_t(w * w);
    for (int y = 0; y < w; ++y)
        for (int x = 0; x < w; ++x) {
            const auto i = std::uint32_t(y * w + x);
            if (x + 1 < w) {
                g.add(i, i + 1, horizontal);
            }
            if (y + 1 < w) {
                g.add(i, i + std::uint32_t(w), vertical);
            }
        }
    return WeightedGraph::fromEdges(g);
}

/// Three separate chains of 10, 20 and 30 vertices (0–9, 10–29, 30–59).
WeightedGraph threeChains() {
    GraphEdges g;
    g.vertexCount = 60;
    const std::size_t starts[] = {0, 10, 30, 60};
    for (int c = 0; c < 3; ++c)
        for (std::size_t i = starts[c]; i + 1 < starts[c + 1]; ++i) {
            g.add(std::uint32_t(i), std::uint32_t(i + 1), 1.0f);
        }
    return WeightedGraph::fromEdges(g);
}

/// A 120×120 4-connected grid (14,400 vertices: enough for several parallel flow graphs) whose values
/// are blocks of 20×30 with levels 0..3 plus noise of amplitude 0.8.
std::pair<WeightedGraph, std::vector<float>> noisyBlockGrid() {
    const int w = 120;
    WeightedGraph g = gridGraph(w, 1.0f, 1.0f);
    Noise noise(6);
    std::vector<float> f(g.vertexCount);
    for (int y = 0; y < w; ++y)
        for (int x = 0; x < w; ++x) f[std::size_t(y * w + x)] = float(((x / 20) + 2 * (y / 30)) % 4) + noise(0.8f);
    return {std::move(g), std::move(f)};
}

/// A 300-vertex chain whose values are the pieces [0,100) = 0, [100,180) = 3, [180,300) = -2 plus noise
/// ±0.1, and the piece of each vertex (0, 1, 2).
struct PieceChain {
    WeightedGraph graph;
    std::vector<float> values;
    std::vector<std::int32_t> truth;
};

PieceChain threePieceChain() {
    const std::size_t n = 300;
    PieceChain c{chain(n), std::vector<float>(n), std::vector<std::int32_t>(n)};
    Noise noise(1);
    for (std::size_t i = 0; i < n; ++i) {
        c.truth[i] = i < 100 ? 0 : i < 180 ? 1 : 2;
        c.values[i] = (c.truth[i] == 0 ? 0.0f : c.truth[i] == 1 ? 3.0f : -2.0f) + noise(0.1f);
    }
    return c;
}

// Parameters that run the solver to convergence: no tolerance, iterations to spare.
CutPursuitParams untilConverged(double rho, std::size_t blockSize = 0) {
    CutPursuitParams params;
    params.regularization = rho;
    params.tolerance = 0.0;
    params.maxIterations = 100;
    params.blockSize = blockSize;
    return params;
}

}  // namespace

class TestCutPursuit : public QObject {
    Q_OBJECT
private slots:
    void chainRecoversPiecesExactly() {
        // Pieces [0,100) = 0, [100,180) = 3, [180,300) = -2, noise ±0.1. A true jump gains
        // ~ n_a n_b/(n_a+n_b)·9 ≫ ρ = 5; a noise split gains < 0.01·n ≪ ρ.
        const PieceChain c = threePieceChain();
        CutPursuitParams params;
        params.regularization = 5.0;
        const auto r = cutPursuit(c.graph, c.values, 1, {}, params);
        QCOMPARE(r.componentCount, std::size_t(3));
        QCOMPARE(r.component, c.truth);  // numbered by smallest vertex: the pieces in order
        QVERIFY(r.converged);
        QCOMPARE(r.values.size(), std::size_t(3));
        QVERIFY(std::abs(r.values[1] - 3.0f) < 0.05f);
    }

    void cloudRecoversPlanarPatches() {
        // Three faces of a cube corner (floor z=0, walls x=0 and y=0), 10×10 points each; the floor is
        // split in two halves by a colour feature. Feature = (|normal|, colour) + noise ±0.05:
        // four pieces to recover.
        std::vector<Eigen::Vector3f> p;
        std::vector<std::int32_t> truth;
        std::vector<float> f;
        Noise noise(2);
        for (int face = 0; face < 3; ++face)
            for (int a = 0; a < 10; ++a)
                for (int b = 0; b < 10; ++b) {
                    const float u = 0.05f + 0.1f * float(a), v = 0.05f + 0.1f * float(b);
                    Eigen::Vector3f normal;
                    if (face == 0) {
                        p.emplace_back(u, v, 0.0f);
                        normal = {0, 0, 1};
                    } else if (face == 1) {
                        p.emplace_back(0.0f, u, v);
                        normal = {1, 0, 0};
                    } else {
                        p.emplace_back(u, 0.0f, v);
                        normal = {0, 1, 0};
                    }
                    const float colour = face == 0 && u > 0.5f ? 1.0f : 0.0f;
                    truth.push_back(face == 0 && u > 0.5f ? 3 : face);
                    for (int k = 0; k < 3; ++k) f.push_back(normal[k] + noise(0.05f));
                    f.push_back(colour + noise(0.05f));
                }
        const WeightedGraph g = knnGraph(p, 6);
        CutPursuitParams params;
        params.regularization = 0.5;
        const auto r = cutPursuit(g, f, 4, {}, params);
        QCOMPARE(r.componentCount, std::size_t(4));
        QVERIFY(samePartition(r.component, truth));
    }

    void energyTraceNeverIncreasesAndMatchesPartition() {
        // 30×30 grid, four overlapping rectangles of different values, heavy noise: a hard case where
        // the solver needs several iterations.
        const int w = 30;
        const WeightedGraph g = gridGraph(w, 1.0f, 0.5f);
        Noise noise(3);
        std::vector<float> f(std::size_t(w * w) * 2);
        for (int y = 0; y < w; ++y)
            for (int x = 0; x < w; ++x) {
                float a = 0, b = 0;
                if (x < 12 && y < 20) a = 1.0f;
                if (x > 8 && y > 15) b = 1.5f;
                if (x > 20 && y < 8) a = -1.0f;
                f[std::size_t(y * w + x) * 2] = a + noise(0.6f);
                f[std::size_t(y * w + x) * 2 + 1] = b + noise(0.6f);
            }
        CutPursuitParams params;
        params.regularization = 0.8;
        params.tolerance = 0.0;
        const auto r = cutPursuit(g, f, 2, {}, params);
        QVERIFY(r.energyTrace.size() >= 2);
        for (std::size_t k = 1; k < r.energyTrace.size(); ++k)
            QVERIFY2(r.energyTrace[k] <= r.energyTrace[k - 1] * (1 + 1e-12),
                     qPrintable(
                         QString("step %1: %2 > %3").arg(k).arg(r.energyTrace[k]).arg(r.energyTrace[k - 1])));
        const double recomputed = energyOf(g, f, 2, params.regularization, r.component);
        QVERIFY(std::abs(recomputed - r.energyTrace.back()) < 1e-6 * recomputed);
        // The result beats the trivial partitions: one piece, and every vertex alone.
        const std::vector<std::int32_t> one(g.vertexCount, 0);
        QVERIFY(r.energyTrace.back() < energyOf(g, f, 2, params.regularization, one));
        std::vector<std::int32_t> singletons(g.vertexCount);
        for (std::size_t i = 0; i < singletons.size(); ++i) singletons[i] = std::int32_t(i);
        QVERIFY(r.energyTrace.back() < energyOf(g, f, 2, params.regularization, singletons));
        QVERIFY(r.componentCount >= 3);

        // Deterministic: the same call gives the same partition and trace.
        const auto again = cutPursuit(g, f, 2, {}, params);
        QCOMPARE(again.component, r.component);
        QCOMPARE(again.energyTrace, r.energyTrace);
    }

    void resultDoesNotDependOnThreadCount() {
        const auto [g, f] = noisyBlockGrid();
        CutPursuitParams params;
        params.regularization = 1.0;
        params.threads = 1;
        const auto one = cutPursuit(g, f, 1, {}, params);
        params.threads = 3;
        const auto three = cutPursuit(g, f, 1, {}, params);
        QCOMPARE(three.component, one.component);
        QCOMPARE(three.energyTrace, one.energyTrace);
        QVERIFY(one.componentCount >= 8);
    }

    void zeroRegularizationSeparatesEveryValue() {
        // Runs of values from {0,1,2,3,4} on a chain, adjacent runs differ, no noise. With ρ = 0 every
        // non-constant component can still be split profitably, so the result is exactly the runs.
        Noise noise(4);
        std::vector<float> f;
        std::vector<std::int32_t> runs;
        int value = 0;
        for (int run = 0; run < 25; ++run) {
            value = (value + 1 + int(noise.rng() % 4)) % 5;
            const int length = 1 + int(noise.rng() % 9);
            for (int k = 0; k < length; ++k) {
                f.push_back(float(value));
                runs.push_back(run);
            }
        }
        const WeightedGraph g = chain(f.size());
        const CutPursuitParams params = untilConverged(0.0);
        const auto r = cutPursuit(g, f, 1, {}, params);
        QCOMPARE(r.componentCount, std::size_t(25));
        QCOMPARE(r.component, runs);
        QCOMPARE(r.energyTrace.back(), 0.0);
    }

    void hugeRegularizationKeepsConnectedComponents() {
        // Three separate chains (10, 20, 30 vertices), random features and node weights: with ρ = 1e9
        // no cut is worth it; each chain is one component valued at its weighted mean.
        const WeightedGraph g = threeChains();
        const std::size_t starts[] = {0, 10, 30, 60};
        Noise noise(5);
        std::vector<float> f(60), weights(60);
        for (std::size_t i = 0; i < 60; ++i) {
            f[i] = noise(10.0f);
            weights[i] = 1.0f + std::abs(noise(3.0f));
        }
        CutPursuitParams params;
        params.regularization = 1e9;
        const auto r = cutPursuit(g, f, 1, weights, params);
        QCOMPARE(r.componentCount, std::size_t(3));
        for (int c = 0; c < 3; ++c) {
            double sw = 0.0, swf = 0.0;
            for (std::size_t i = starts[c]; i < starts[c + 1]; ++i) {
                QCOMPARE(r.component[i], c);
                sw += weights[i];
                swf += double(weights[i]) * f[i];
            }
            QVERIFY(std::abs(r.values[std::size_t(c)] - swf / sw) < 1e-4);
        }
    }

    void blockStartRecoversTheSamePieces() {
        // The chain of chainRecoversPiecesExactly and the three chains of
        // hugeRegularizationKeepsConnectedComponents, solved from breadth-first blocks (blockSize):
        // the blocks are arbitrary cuts that the merge step must join again, and the answers are the same.
        for (const std::size_t block : {std::size_t(7), std::size_t(64)}) {
            const PieceChain c = threePieceChain();
            CutPursuitParams params;
            params.regularization = 5.0;
            params.blockSize = block;
            const auto r = cutPursuit(c.graph, c.values, 1, {}, params);
            QCOMPARE(r.component, c.truth);
            QVERIFY(r.converged);
        }
        const WeightedGraph g = threeChains();
        const std::size_t starts[] = {0, 10, 30, 60};
        Noise noise(5);
        std::vector<float> f(60), weights(60);
        for (std::size_t i = 0; i < 60; ++i) {
            f[i] = noise(10.0f);
            weights[i] = 1.0f + std::abs(noise(3.0f));
        }
        CutPursuitParams params;
        params.regularization = 1e9;
        params.blockSize = 4;  // nothing splits: only the merge step can undo the blocks
        const auto r = cutPursuit(g, f, 1, weights, params);
        QCOMPARE(r.componentCount, std::size_t(3));
        for (int c = 0; c < 3; ++c)
            for (std::size_t i = starts[c]; i < starts[c + 1]; ++i) QCOMPARE(r.component[i], c);
    }

    void blockStartIsDeterministicAndLowersTheEnergy() {
        // The noisy 120×120 grid of resultDoesNotDependOnThreadCount from blocks of 500 vertices, solved in
        // batches of about 500: one thread and three give the same result, the trace never increases and
        // ends at the energy of the returned partition, and every component is connected.
        const auto [g, f] = noisyBlockGrid();
        CutPursuitParams params = untilConverged(1.0, 500);
        params.threads = 1;
        const auto one = cutPursuit(g, f, 1, {}, params);
        params.threads = 3;
        const auto three = cutPursuit(g, f, 1, {}, params);
        QCOMPARE(three.component, one.component);
        QCOMPARE(three.energyTrace, one.energyTrace);
        for (std::size_t k = 1; k < one.energyTrace.size(); ++k)
            QVERIFY(one.energyTrace[k] <= one.energyTrace[k - 1] * (1 + 1e-12));
        const double recomputed = energyOf(g, f, 1, params.regularization, one.component);
        QVERIFY(std::abs(recomputed - one.energyTrace.back()) < 1e-6 * recomputed);
        QVERIFY(one.componentCount >= 8);  // the 4 values in 6 × 4 tiles are found, not smoothed away
        std::vector<std::int32_t> reach(g.vertexCount, -1);  // connectivity: flood each label once
        std::vector<std::uint8_t> seenLabel(one.componentCount, 0);
        std::vector<std::vector<std::uint32_t>> adj(g.vertexCount);
        for (std::size_t e = 0; e < g.edgeCount(); ++e) {
            adj[g.edgeSource(e)].push_back(g.edgeTarget[e]);
            adj[g.edgeTarget[e]].push_back(g.edgeSource(e));
        }
        for (std::uint32_t s = 0; s < g.vertexCount; ++s) {
            if (reach[s] >= 0) continue;
            const auto label = one.component[s];
            QVERIFY2(!seenLabel[std::size_t(label)], "a component is not connected");
            seenLabel[std::size_t(label)] = 1;
            std::vector<std::uint32_t> stack{s};
            reach[s] = label;
            while (!stack.empty()) {
                const auto v = stack.back();
                stack.pop_back();
                for (const auto u : adj[v])
                    if (reach[u] < 0 && one.component[u] == label) {
                        reach[u] = label;
                        stack.push_back(u);
                    }
            }
        }
    }

    void convergedPartitionHasNoProfitableMerge() {
        // The merge step runs until no pair of adjacent components gains from merging; at convergence
        // (no split, no merge) that holds for the returned partition. Checked from scratch for every
        // adjacent pair — ΔE = n_a n_b / (n_a + n_b) ‖μ_a − μ_b‖² − ρ w_ab ≥ 0, w_ab summed over the edges
        // between them — on the noisy grid with random edge weights, from blocks of 300 (hundreds of
        // components, so the merge step's neighbour lists span several ranges).
        auto [g, f] = noisyBlockGrid();
        std::mt19937 rng(8);
        std::uniform_real_distribution<float> weight(0.3f, 1.7f);
        for (auto& w : g.edgeWeight) w = weight(rng);
        const CutPursuitParams params = untilConverged(0.2, 300);
        const auto r = cutPursuit(g, f, 1, {}, params);
        QVERIFY(r.converged);
        QVERIFY(r.componentCount > 300);
        std::vector<double> size(r.componentCount, 0.0), sum(r.componentCount, 0.0);
        for (std::size_t i = 0; i < g.vertexCount; ++i) {
            size[std::size_t(r.component[i])] += 1.0;
            sum[std::size_t(r.component[i])] += f[i];
        }
        std::map<std::pair<std::int32_t, std::int32_t>, double> shared;
        for (std::size_t e = 0; e < g.edgeCount(); ++e) {
            const auto a = r.component[g.edgeSource(e)], b = r.component[g.edgeTarget[e]];
            if (a != b) shared[{std::min(a, b), std::max(a, b)}] += g.edgeWeight[e];
        }
        QVERIFY(shared.size() > 600);
        for (const auto& [pair, w] : shared) {
            const auto a = std::size_t(pair.first), b = std::size_t(pair.second);
            const double d = sum[a] / size[a] - sum[b] / size[b];
            const double delta = size[a] * size[b] / (size[a] + size[b]) * d * d - params.regularization * w;
            QVERIFY2(delta >= -1e-9, qPrintable(QStringLiteral("merging %1 and %2 lowers E by %3").arg(a).arg(b).arg(-delta)));
        }
    }

    void rejectsInvalidInputAndHonoursCancel() {
        const WeightedGraph g = chain(4);
        const std::vector<float> f{0, 1, 2, 3};
        CutPursuitParams params;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, cutPursuit(g, std::vector<float>{0, 1, 2}, 1, {}, params));
        const std::vector<float> nan{0, 1, std::numeric_limits<float>::quiet_NaN(), 3};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, cutPursuit(g, nan, 1, {}, params));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 cutPursuit(g, f, 1, std::vector<float>{1, 1, 0, 1}, params));
        WeightedGraph bad = g;
        bad.edgeTarget[0] = 9;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, cutPursuit(bad, f, 1, {}, params));
        params.regularization = -1.0;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, cutPursuit(g, f, 1, {}, params));
        params.regularization = 1.0;
        CancelFlag flag;
        flag.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, cutPursuit(g, f, 1, {}, params, Progress({}, flag.asCallback())));
    }
};

QTEST_GUILESS_MAIN(TestCutPursuit)
#include "tst_cutpursuit.moc"
