// Open-vocabulary scoring over a factored point feature field (S4TOKEN.md §6): point norms, per-point
// labels and confidences, unknown by threshold / negative prompt / zero norm, heatmaps and zero-shot
// classification — all against a separately written reference that materialises every f_i.

#include "core/common/Error.h"
#include "core/openvocab/OpenVocabSegmentation.h"
#include "core/openvocab/PointFeatureField.h"

#include <QtTest/QtTest>

#include <cmath>
#include <random>

using namespace s4;

namespace {

// ---- Reference: the per-point loop the production code avoids -------------------------------------

struct Reference {
    std::vector<int> label;
    std::vector<int> winner;
    std::vector<double> confidence;
    std::vector<std::vector<double>> prob;
    std::vector<double> norm;
};

std::vector<double> materialise(const PropagationWeights& w, const std::vector<float>& f, int dim,
                                std::size_t i) {
    std::vector<double> out(static_cast<std::size_t>(dim), 0.0);
    for (std::size_t p = w.rowStart[i]; p < w.rowStart[i + 1]; ++p)
        for (int c = 0; c < dim; ++c) out[c] += double(w.weight[p]) * f[w.centre[p] * dim + c];
    return out;
}

double length(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x * x;
    return std::sqrt(s);
}

// rows: unit or not, normalised here; negatives are rows >= realCount.
Reference reference(const PropagationWeights& w, const std::vector<float>& f, int dim,
                    const std::vector<std::vector<double>>& rows, std::size_t realCount, double scale,
                    double threshold) {
    Reference r;
    for (std::size_t i = 0; i < w.points; ++i) {
        const std::vector<double> fi = materialise(w, f, dim, i);
        const double n = length(fi);
        r.norm.push_back(n);
        if (n < 1e-9) {
            r.label.push_back(-1);
            r.winner.push_back(-1);
            r.confidence.push_back(0);
            r.prob.push_back(std::vector<double>(rows.size(), 0.0));
            continue;
        }
        std::vector<double> e;
        double total = 0;
        for (const auto& t : rows) {
            double dot = 0;
            for (int c = 0; c < dim; ++c) dot += fi[c] * t[c];
            e.push_back(std::exp(scale * dot / (n * length(t))));  // plain softmax, no shift
            total += e.back();
        }
        std::vector<double> p;
        for (double x : e) p.push_back(x / total);
        const int best = int(std::max_element(p.begin(), p.end()) - p.begin());
        r.winner.push_back(best);
        r.confidence.push_back(p[best]);
        r.label.push_back(std::size_t(best) < realCount && p[best] >= threshold ? best : -1);
        r.prob.push_back(p);
    }
    return r;
}

PropagationWeights csr(std::size_t centres, const std::vector<std::vector<std::pair<int, float>>>& rows) {
    PropagationWeights w;
    w.points = rows.size();
    w.centres = centres;
    w.rowStart.push_back(0);
    for (const auto& row : rows) {
        for (const auto& [k, v] : row) {
            w.centre.push_back(k);
            w.weight.push_back(v);
        }
        w.rowStart.push_back(w.centre.size());
    }
    w.usedFallback.assign(rows.size(), 0);
    return w;
}

ClassEmbeddings classesFrom(const std::vector<std::vector<double>>& rows, std::size_t realCount) {
    ClassEmbeddings c;
    c.dim = int(rows.front().size());
    c.realCount = realCount;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        c.names.push_back("row" + std::to_string(r));
        const double n = length(rows[r]);
        for (double x : rows[r]) c.rows.push_back(float(x / n));
    }
    return c;
}

// ---- The tiny hand-made field: 3 centres, 5 points, D = 4, classes t0, t1 and negative t2 -----------
// f̄0 = (1, 0, 0, 0.5), f̄1 = (0, 2, 0, 0), f̄2 = −f̄0.
// p0 = f̄0 → class 0;  p1 = ¼f̄0 + ¾f̄1 → class 1;  p2 = f̄2 → only the negative t2 = (0,0,0,−1) is positive;
// p3 = 0.7f̄0 + 0.3f̄1 → a close call between classes 0 and 1;  p4 = ½f̄0 + ½f̄2 = 0 → zero norm.
const std::vector<float> kTinyFeatures = {1, 0, 0, 0.5f, 0, 2, 0, 0, -1, 0, 0, -0.5f};
const std::vector<std::vector<double>> kTinyRows = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 0, -1}};

PropagationWeights tinyWeights() {
    return csr(
        3,
        {{{0, 1.0f}}, {{0, 0.25f}, {1, 0.75f}}, {{2, 1.0f}}, {{0, 0.7f}, {1, 0.3f}}, {{0, 0.5f}, {2, 0.5f}}});
}

// A random field: rows of 1–6 centres of one "superpoint" slab with positive weights summing to 1.
PointFeatureField randomField(std::size_t points, std::size_t centres, int dim, unsigned seed,
                              std::vector<float>* featuresOut = nullptr) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    std::uniform_real_distribution<float> uni(0.1f, 1.0f);
    std::uniform_int_distribution<int> len(1, 6);
    std::uniform_int_distribution<std::size_t> pick(0, centres - 1);
    std::vector<float> f(centres * std::size_t(dim));
    for (auto& x : f) x = gauss(rng) + 0.3f;  // CLIP-like: features share a common direction
    std::vector<std::vector<std::pair<int, float>>> rows(points);
    for (auto& row : rows) {
        const int l = len(rng);
        const std::size_t base = pick(rng);
        float total = 0;
        for (int j = 0; j < l; ++j) {
            row.emplace_back(int((base + std::size_t(j)) % centres), uni(rng));
            total += row.back().second;
        }
        for (auto& e : row) e.second /= total;
    }
    if (featuresOut) *featuresOut = f;
    return makePointFeatureField(csr(centres, rows), f, dim);
}

std::vector<std::vector<double>> randomRows(std::size_t count, int dim, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> gauss(0.0, 1.0);
    std::vector<std::vector<double>> rows(count, std::vector<double>(std::size_t(dim)));
    for (auto& r : rows)
        for (auto& x : r) x = gauss(rng) + 0.3;
    return rows;
}

}  // namespace

class TestOpenVocabSegmentation : public QObject {
    Q_OBJECT
private slots:
    void tinyFieldMatchesTheReference() {
        const PointFeatureField field = makePointFeatureField(tinyWeights(), kTinyFeatures, 4);
        const ClassEmbeddings classes = classesFrom(kTinyRows, 2);
        OpenVocabParams params;
        params.keepProbabilities = true;
        const OpenVocabResult got = segmentPoints(field, classes, params);
        const Reference want = reference(field.weights, kTinyFeatures, 4, kTinyRows, 2, 100.0, 0.0);

        QCOMPARE(got.rows, std::size_t{3});
        QCOMPARE(got.probabilities.size(), std::size_t{15});
        for (std::size_t i = 0; i < 5; ++i) {
            QVERIFY2(std::abs(field.pointNorms[i] - want.norm[i]) < 1e-6, qPrintable(QString::number(i)));
            QCOMPARE(got.label[i], want.label[i]);
            QCOMPARE(got.winner[i], want.winner[i]);
            QVERIFY(std::abs(got.confidence[i] - want.confidence[i]) < 1e-5);
            for (std::size_t c = 0; c < 3; ++c)
                QVERIFY(std::abs(got.probabilities[i * 3 + c] - want.prob[i][c]) < 1e-5);
        }
        // What the construction promises, independent of the reference.
        QCOMPARE(got.label[0], 0);
        QCOMPARE(got.label[1], 1);
        QCOMPARE(got.label[2], -1);  // the negative prompt wins
        QCOMPARE(got.winner[2], 2);
        QCOMPARE(got.label[3], 0);
        QCOMPARE(got.label[4], -1);  // zero norm
        QCOMPARE(got.winner[4], -1);
        QCOMPARE(got.confidence[4], 0.0f);
        QCOMPARE(field.pointNorms[4], 0.0f);
    }

    void thresholdMakesUncertainPointsUnknown() {
        const PointFeatureField field = makePointFeatureField(tinyWeights(), kTinyFeatures, 4);
        const ClassEmbeddings classes = classesFrom(kTinyRows, 2);
        OpenVocabParams params;
        params.logitScale = 10.0f;  // softer, so p3's call between classes 0 and 1 is far from certain
        const OpenVocabResult loose = segmentPoints(field, classes, params);
        const Reference ref = reference(field.weights, kTinyFeatures, 4, kTinyRows, 2, 10.0, 0.0);
        QVERIFY(ref.confidence[3] > 0.5 && ref.confidence[3] < 0.95);
        QVERIFY(ref.confidence[0] > ref.confidence[3] && ref.confidence[1] > ref.confidence[3]);
        QCOMPARE(loose.label[3], 0);
        QVERIFY(std::abs(loose.confidence[3] - ref.confidence[3]) < 1e-5);
        // By hand, far from saturation: f̄3 = 0.7·f0 + 0.3·f1 = (0.7, 0.6, 0, 0.35); its cosines to the rows
        // are (0.7, 0.6, −0.35)/‖f̄3‖; with scale 10 the softmax of class 0 is 1/(1 + e^(b−a) + e^(c−a)) ≈ 0.734.
        const double n3 = std::sqrt(0.7 * 0.7 + 0.6 * 0.6 + 0.35 * 0.35);
        const double a = 10.0 * 0.7 / n3, b = 10.0 * 0.6 / n3, c = -10.0 * 0.35 / n3;
        QVERIFY(std::abs(loose.confidence[3] - 1.0 / (1.0 + std::exp(b - a) + std::exp(c - a))) < 1e-5);

        params.confidenceThreshold = float(ref.confidence[3] + 0.01);
        const OpenVocabResult strict = segmentPoints(field, classes, params);
        const Reference strictRef =
            reference(field.weights, kTinyFeatures, 4, kTinyRows, 2, 10.0, params.confidenceThreshold);
        QCOMPARE(strict.label[3], -1);
        QCOMPARE(strict.winner[3], 0);  // still the best row, just not trusted
        QCOMPARE(strict.label[0], 0);
        QCOMPARE(strict.label[1], 1);
        for (std::size_t i = 0; i < 5; ++i) QCOMPARE(strict.label[i], strictRef.label[i]);
        QVERIFY(strict.probabilities.empty());  // not asked for
    }

    void withoutTheNegativePromptTheClassWins() {
        // The same p2 scored against the two real classes only: it must then pick one of them.
        const PointFeatureField field = makePointFeatureField(tinyWeights(), kTinyFeatures, 4);
        const ClassEmbeddings classes = classesFrom({kTinyRows[0], kTinyRows[1]}, 2);
        const OpenVocabResult got = segmentPoints(field, classes, {});
        QCOMPARE(got.label[2], 1);  // cos 0 against t1 beats cos −0.89 against t0
        QCOMPARE(got.label[4], -1);
    }

    void randomFieldMatchesTheReference() {
        std::vector<float> f;
        const PointFeatureField field = randomField(5000, 60, 16, 7, &f);
        const auto rows = randomRows(7, 16, 8);
        const ClassEmbeddings classes = classesFrom(rows, 5);
        OpenVocabParams params;
        params.threads = 2;
        params.logitScale = 30.0f;
        params.confidenceThreshold = 0.6f;
        const OpenVocabResult got = segmentPoints(field, classes, params);
        const Reference want = reference(field.weights, f, 16, rows, 5, 30.0, 0.6);
        int compared = 0;
        for (std::size_t i = 0; i < field.pointCount(); ++i) {
            QVERIFY(std::abs(field.pointNorms[i] - want.norm[i]) < 1e-4 * want.norm[i]);
            QVERIFY(std::abs(got.confidence[i] - want.confidence[i]) < 1e-4);
            // Labels are compared where rounding cannot flip the decision.
            if (std::abs(want.confidence[i] - 0.6) < 1e-4) continue;
            std::vector<double> p = want.prob[i];
            std::sort(p.begin(), p.end());
            if (p[p.size() - 1] - p[p.size() - 2] < 1e-4) continue;
            QCOMPARE(got.label[i], want.label[i]);
            ++compared;
        }
        QVERIFY(compared > 4900);
    }

    void normsMatchOnBothComputationRoutes() {
        // Few centres and many points: the Gram-matrix route; many centres and few points: the direct sum.
        for (const auto& [points, centres] : {std::pair<std::size_t, std::size_t>{3000, 20}, {40, 500}}) {
            std::vector<float> f;
            const PointFeatureField field = randomField(points, centres, 8, 11, &f);
            for (std::size_t i = 0; i < points; ++i) {
                const double n = length(materialise(field.weights, f, 8, i));
                QVERIFY(std::abs(field.pointNorms[i] - n) <= 1e-5 * n);
            }
        }
    }

    void heatmapIsTheCosineOfEachPoint() {
        const PointFeatureField field = makePointFeatureField(tinyWeights(), kTinyFeatures, 4);
        const std::vector<float> prompt = {3, 4, 0, 0};  // not unit: the heatmap normalises it
        const std::vector<float> heat = promptHeatmap(field, prompt, 1);
        QCOMPARE(heat.size(), std::size_t{5});
        for (std::size_t i = 0; i < 4; ++i) {
            const auto fi = materialise(field.weights, kTinyFeatures, 4, i);
            const double cosine = (3 * fi[0] + 4 * fi[1]) / (5 * length(fi));
            QVERIFY(std::abs(heat[i] - cosine) < 1e-6);
        }
        QVERIFY(std::abs(heat[0] - 0.6 / std::sqrt(1.25)) < 1e-6);
        QCOMPARE(heat[4], 0.0f);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, promptHeatmap(field, {1, 0, 0}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, promptHeatmap(field, {0, 0, 0, 0}));
    }

    void zeroShotRanksEveryRow() {
        const ClassEmbeddings classes = classesFrom(kTinyRows, 2);
        const std::vector<float> cls = {0.2f, 1.0f, 0.0f, -0.1f};
        const auto ranked = zeroShotClassify(cls, classes, 10.0f);
        QCOMPARE(ranked.size(), std::size_t{3});
        // By hand: cosines 0.2/n, 1/n, 0.1/n with n = √1.05.
        const double n = std::sqrt(1.05);
        const double e0 = std::exp(2.0 / n), e1 = std::exp(10.0 / n), e2 = std::exp(1.0 / n);
        QCOMPARE(ranked[0].row, std::size_t{1});
        QCOMPARE(ranked[0].name, std::string("row1"));
        QVERIFY(std::abs(ranked[0].probability - e1 / (e0 + e1 + e2)) < 1e-6);
        QVERIFY(std::abs(ranked[0].cosine - 1.0 / n) < 1e-6);
        QCOMPARE(ranked[1].row, std::size_t{0});
        QVERIFY(std::abs(ranked[1].probability - e0 / (e0 + e1 + e2)) < 1e-6);
        QCOMPARE(ranked[2].row, std::size_t{2});
        QVERIFY(ranked[2].negative);
        QVERIFY(!ranked[0].negative);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, zeroShotClassify({0, 0, 0, 0}, classes));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, zeroShotClassify({1, 0, 0}, classes));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, zeroShotClassify(cls, classes, 0.0f));
    }

    void rejectsInconsistentInput() {
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, makePointFeatureField(tinyWeights(), kTinyFeatures, 3));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, makePointFeatureField(tinyWeights(), kTinyFeatures, 0));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 makePointFeatureField(tinyWeights(), kTinyFeatures, 4, {1, 2}));
        PropagationWeights badCentre = tinyWeights();
        badCentre.centre[1] = 3;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, makePointFeatureField(badCentre, kTinyFeatures, 4));
        PropagationWeights badRows = tinyWeights();
        badRows.rowStart[2] = 100;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, makePointFeatureField(badRows, kTinyFeatures, 4));
        std::vector<float> nan = kTinyFeatures;
        nan[5] = std::numeric_limits<float>::quiet_NaN();
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, makePointFeatureField(tinyWeights(), nan, 4));

        const PointFeatureField field = makePointFeatureField(tinyWeights(), kTinyFeatures, 4);
        ClassEmbeddings wrongDim = classesFrom({{1, 0, 0}}, 1);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, segmentPoints(field, wrongDim, {}));
        ClassEmbeddings onlyNegative = classesFrom(kTinyRows, 0);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, segmentPoints(field, onlyNegative, {}));
        OpenVocabParams badScale;
        badScale.logitScale = std::numeric_limits<float>::infinity();
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, segmentPoints(field, classesFrom(kTinyRows, 2), badScale));
    }

    void cancels() {
        const PointFeatureField field = randomField(2000, 30, 8, 3);
        const Progress cancelled({}, [] { return true; });
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 segmentPoints(field, classesFrom(randomRows(3, 8, 1), 3), {}, cancelled));
        double last = -1;
        const Progress watched([&](double f) { last = f; });
        segmentPoints(field, classesFrom(randomRows(3, 8, 1), 3), {}, watched);
        QCOMPARE(last, 1.0);
    }
};

QTEST_GUILESS_MAIN(TestOpenVocabSegmentation)
#include "tst_openvocab_segmentation.moc"
