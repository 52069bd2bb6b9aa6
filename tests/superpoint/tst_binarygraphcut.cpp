// The binary graph cut (Boykov–Kolmogorov max-flow) finds the minimum of a unary + Potts energy:
// checked on graphs solved by hand and against brute-force enumeration on small random graphs, also
// where pieces are decided before the flow (unary differences small against the edge costs).
#include "core/common/Error.h"
#include "core/superpoint/BinaryGraphCut.h"

#include <QtTest>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

using namespace s4;

namespace {

double energyOf(const std::vector<std::uint8_t>& x, const std::vector<double>& c0,
                const std::vector<double>& c1, const std::vector<std::uint32_t>& src,
                const std::vector<std::uint32_t>& dst, const std::vector<double>& w) {
    double e = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) e += x[i] ? c1[i] : c0[i];
    for (std::size_t k = 0; k < src.size(); ++k)
        if (x[src[k]] != x[dst[k]]) e += w[k];
    return e;
}

}  // namespace

class TestBinaryGraphCut : public QObject {
    Q_OBJECT
private slots:
    void chainSolvedByHand() {
        // Chain 0 — 1 — 2 with cut costs 2 (0–1) and 1 (1–2).
        // Vertex 0 wants label 0 (cost of 1: 5), vertex 2 wants label 1 (cost of 0: 5),
        // vertex 1 slightly prefers 1 (cost0 = 1, cost1 = 0.5).
        // Candidates with x0 = 0, x2 = 1: x1 = 0 → 0 + 1 + 0 + cut(1–2) 1 = 2;
        //                                  x1 = 1 → 0 + 0.5 + 0 + cut(0–1) 2 = 2.5.  Minimum: (0, 0, 1), E
        //                                  = 2.
        const std::vector<std::uint32_t> src{0, 1}, dst{1, 2};
        BinaryGraphCut cut(3, src, dst);
        const std::vector<double> c0{0, 1, 5}, c1{5, 0.5, 0}, w{2, 1};
        const double e = cut.solve(c0, c1, w);
        QCOMPARE(e, 2.0);
        QCOMPARE(cut.labels(), (std::vector<std::uint8_t>{0, 0, 1}));

        // Making the 0–1 edge cheap (0.25) flips vertex 1: 0.5 + 0.25 = 0.75 < 1 + 1 = 2.
        const std::vector<double> w2{0.25, 1};
        QCOMPARE(cut.solve(c0, c1, w2), 0.75);
        QCOMPARE(cut.labels(), (std::vector<std::uint8_t>{0, 1, 1}));
    }

    void squareWithDiagonalSolvedByHand() {
        // Square 0-1-2-3-0 plus diagonal 0-2, every edge cost 1. Unaries: 0 and 1 want 0 strongly
        // (cost1 = 10), 2 wants 1 weakly (cost0 = 1.5), 3 wants 1 weakly (cost0 = 1.5).
        // x = (0,0,1,1): unary 0, cut edges 1-2, 3-0, 0-2 → 3.
        // x = (0,0,0,1): unary 1.5, cut 2-3, 3-0 → 3.5.  x = (0,0,1,0): 1.5 + cut 1-2, 2-3, 0-2 → 4.5.
        // x = (0,0,0,0): 3.  Tie between (0,0,1,1) and (0,0,0,0) at E = 3.
        const std::vector<std::uint32_t> src{0, 1, 2, 3, 0}, dst{1, 2, 3, 0, 2};
        BinaryGraphCut cut(4, src, dst);
        const std::vector<double> c0{0, 0, 1.5, 1.5}, c1{10, 10, 0, 0}, w{1, 1, 1, 1, 1};
        QCOMPARE(cut.solve(c0, c1, w), 3.0);
        const auto& x = cut.labels();
        QCOMPARE(energyOf(x, c0, c1, src, dst, w), 3.0);
        QCOMPARE(x[0], std::uint8_t(0));
        QCOMPARE(x[1], std::uint8_t(0));
    }

    void piecesWithNearlyEqualUnariesAreDecidedBeforeTheFlow() {
        // Piece {0, 1, 2}: chain with edge costs 1; c0 = (0.1, 0, 0), c1 = (0, 0.05, 0.2). A = 0.1 (all 0),
        // B = 0.25 (all 1), Σ min = 0; any split cuts an edge (≥ 1), so all 0 is optimal at 0.1.
        // Piece {3, 4}: edge cost 0.01, c0 = (5, 0), c1 = (0, 5): A = B = 5 > 0.01, solved by the flow:
        // (1, 0) at 0.01. Piece {5}: alone, c0 = c1 = 2: free, takes 1. Total 0.1 + 0.01 + 2.
        const std::vector<std::uint32_t> src{0, 1, 3}, dst{1, 2, 4};
        BinaryGraphCut cut(6, src, dst);
        const std::vector<double> c0{0.1, 0, 0, 5, 0, 2}, c1{0, 0.05, 0.2, 0, 5, 2}, w{1, 1, 0.01};
        QCOMPARE(cut.solve(c0, c1, w), 2.11);
        QCOMPARE(cut.labels(), (std::vector<std::uint8_t>{0, 0, 0, 1, 0, 1}));
        QCOMPARE(cut.flowVertexCount(), std::size_t(2));  // only piece {3, 4} went to the max-flow
        // A tie between the constant labellings (A = B = 0.1) gives all 1.
        const std::vector<double> t0{0.1, 0, 0, 5, 0, 2}, t1{0, 0.05, 0.05, 0, 5, 2};
        QCOMPARE(cut.solve(t0, t1, w), 2.11);
        QCOMPARE(cut.labels(), (std::vector<std::uint8_t>{1, 1, 1, 1, 0, 1}));
        // With cheap edges the first piece is split by the flow again: 0.1 − 0.05 … cut 0–1 (0.01):
        // (1, 0, 0) costs 0 + 0 + 0 + 0.01.
        const std::vector<double> cheap{0.01, 0.01, 0.01};
        QCOMPARE(cut.solve(c0, c1, cheap), 2.02);
        QCOMPARE(cut.labels(), (std::vector<std::uint8_t>{1, 0, 0, 1, 0, 1}));
        QCOMPARE(cut.flowVertexCount(), std::size_t(5));
    }

    void matchesBruteForceWhenUnariesAreSmall() { matchBruteForce(11, 0.01); }

    void matchesBruteForceOnRandomGraphs() { matchBruteForce(7, 1.0); }

private:
    // Random graphs of 2–11 vertices (often disconnected), unaries in [0, 10) × unaryScale, edge costs in
    // [0, 5): the minimum energy and the energy of the labels equal the brute-force minimum.
    void matchBruteForce(unsigned seed, double unaryScale) {
        std::mt19937 rng(seed);
        for (int trial = 0; trial < 60; ++trial) {
            const std::size_t n = 2 + rng() % 10;
            std::vector<std::uint32_t> src, dst;
            for (std::uint32_t a = 0; a < n; ++a)
                for (std::uint32_t b = a + 1; b < n; ++b)
                    if (rng() % 3 == 0) {
                        src.push_back(a);
                        dst.push_back(b);
                    }
            std::vector<double> c0(n), c1(n), w(src.size());
            for (std::size_t i = 0; i < n; ++i) {
                c0[i] = unaryScale * double(rng() % 1000) / 100.0;
                c1[i] = unaryScale * double(rng() % 1000) / 100.0;
            }
            for (auto& x : w) x = double(rng() % 500) / 100.0;
            BinaryGraphCut cut(n, src, dst);
            const double e = cut.solve(c0, c1, w);
            double best = std::numeric_limits<double>::infinity();
            std::vector<std::uint8_t> x(n);
            for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
                for (std::size_t i = 0; i < n; ++i) x[i] = (mask >> i) & 1u;
                best = std::min(best, energyOf(x, c0, c1, src, dst, w));
            }
            QVERIFY2(std::abs(e - best) < 1e-9,
                     qPrintable(QString("trial %1: %2 vs %3").arg(trial).arg(e).arg(best)));
            QVERIFY(std::abs(energyOf(cut.labels(), c0, c1, src, dst, w) - best) < 1e-9);
        }
    }

private slots:

    void rejectsInvalidInput() {
        const std::vector<std::uint32_t> src{0}, dst{5};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, BinaryGraphCut(3, src, dst));
        const std::vector<std::uint32_t> ok{1};
        BinaryGraphCut cut(3, src, ok);
        const std::vector<double> c(3, 0.0), neg{-1.0};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, cut.solve(c, c, neg));
        const std::vector<double> shortCosts(2, 0.0), w{1.0};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, cut.solve(shortCosts, c, w));
    }
};

QTEST_GUILESS_MAIN(TestBinaryGraphCut)
#include "tst_binarygraphcut.moc"
