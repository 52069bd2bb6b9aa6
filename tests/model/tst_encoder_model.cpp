// The S4Token encoder (S4TOKEN.md §4–§5): Θ against a plain-loop reference, its indifference to padding
// and member order, the sin-cos position embedding by hand, and the whole encoder on a tiny random CLIP:
// shapes, finiteness, batch consistency, determinism, the frozen backbone, the propagated point field,
// and the CLIP/RPN mismatch errors.

#include "core/common/Error.h"
#include "core/model/clip/ClipEngineAccess.h"
#include "core/model/clip/RandomClipModel.h"
#include "core/model/encoder/PatchEmbedding.h"
#include "core/model/encoder/RandomTokenizerCheckpoint.h"
#include "core/model/encoder/S4TokenEncoder.h"
#include "core/model/engine/ClipEngine.h"
#include "core/model/engine/PointCloudEncoder.h"
#include "core/tokenize/FeaturePropagation.h"
#include "core/tokenize/PatchGrouping.h"
#include "core/tokenize/WeightedFarthestPointSampler.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <map>
#include <optional>
#include <random>

using namespace s4;

namespace {

using TensorMap = std::map<std::string, TokenizerTensor>;

PointNetConfig smallPointNet(PointNetNorm norm) {
    PointNetConfig p;
    p.inputDim = 3;
    p.firstMlp = {16, 24};
    p.secondMlp = {32};
    p.output = 20;
    p.norm = norm;
    return p;
}

// Random Θ weights; BatchNorm statistics made non-trivial so the reference checks their use.
TensorMap randomWeights(const PointNetConfig& p, std::uint64_t seed) {
    TensorMap map;
    std::mt19937 rng(std::uint32_t(seed + 100));
    std::uniform_real_distribution<float> u(0.2f, 1.5f);
    for (TokenizerTensor& t : randomTokenizerTensors(p, seed)) {
        if (t.name.find("running_") != std::string::npos || t.name.find(".norm.") != std::string::npos)
            for (float& v : t.values)
                v = u(rng) - (t.name.find("running_mean") != std::string::npos ? 0.8f : 0.0f);
        map[t.name] = t;
    }
    return map;
}

// Copies "pointnet.<name>" tensors into a stand-alone PatchEmbedding.
void load(encoder::PatchEmbedding& module, const TensorMap& weights) {
    torch::NoGradGuard noGrad;
    auto copy = [&](const std::string& name, torch::Tensor& target) {
        const TokenizerTensor& t = weights.at("pointnet." + name);
        target.copy_(torch::tensor(t.values).reshape(t.shape));
    };
    for (auto& item : module->named_parameters()) copy(item.key(), item.value());
    for (auto& item : module->named_buffers()) copy(item.key(), item.value());
}

// A plain-loop reference of Θ for one patch (members: rows of 3 offsets), written from S4TOKEN.md §4.
void referenceLayer(const TensorMap& w, const std::string& prefix, const std::vector<double>& x, bool hidden,
                    PointNetNorm norm, std::vector<double>& out) {
    const TokenizerTensor& weight = w.at(prefix + ".weight");
    const TokenizerTensor& bias = w.at(prefix + ".bias");
    const std::size_t o = std::size_t(weight.shape[0]), in = std::size_t(weight.shape[1]);
    out.assign(o, 0.0);
    for (std::size_t r = 0; r < o; ++r) {
        double s = bias.values[r];
        for (std::size_t c = 0; c < in; ++c) s += double(weight.values[r * in + c]) * x[c];
        out[r] = s;
    }
    if (!hidden) return;
    if (norm == PointNetNorm::LayerNorm) {
        double mean = 0, var = 0;
        for (double v : out) mean += v;
        mean /= double(o);
        for (double v : out) var += (v - mean) * (v - mean);
        var /= double(o);
        for (std::size_t r = 0; r < o; ++r)
            out[r] = (out[r] - mean) / std::sqrt(var + 1e-5) * w.at(prefix + ".norm.weight").values[r] +
                     w.at(prefix + ".norm.bias").values[r];
    } else if (norm == PointNetNorm::BatchNorm) {
        for (std::size_t r = 0; r < o; ++r)
            out[r] = (out[r] - w.at(prefix + ".norm.running_mean").values[r]) /
                         std::sqrt(double(w.at(prefix + ".norm.running_var").values[r]) + 1e-5) *
                         w.at(prefix + ".norm.weight").values[r] +
                     w.at(prefix + ".norm.bias").values[r];
    }
    for (double& v : out) v = std::max(v, 0.0);
}

std::vector<double> referenceTheta(const TensorMap& w, const PointNetConfig& p,
                                   const std::vector<std::array<double, 3>>& members) {
    auto mlp = [&](const std::string& prefix, std::vector<double> x, std::size_t layers) {
        std::vector<double> y;
        for (std::size_t i = 0; i < layers; ++i) {
            referenceLayer(w, prefix + "." + std::to_string(i), x, i + 1 < layers, p.norm, y);
            x = y;
        }
        return x;
    };
    std::vector<std::vector<double>> f;
    for (const auto& z : members)
        f.push_back(mlp("pointnet.first_mlp", {z[0], z[1], z[2]}, p.firstMlp.size()));
    std::vector<double> g(f[0].size(), -INFINITY);
    for (const auto& row : f)
        for (std::size_t c = 0; c < g.size(); ++c) g[c] = std::max(g[c], row[c]);
    std::vector<double> t(std::size_t(p.output), -INFINITY);
    for (const auto& row : f) {
        std::vector<double> u = g;  // [pooled, member]
        u.insert(u.end(), row.begin(), row.end());
        const std::vector<double> h = mlp("pointnet.second_mlp", u, p.secondMlp.size() + 1);
        for (std::size_t c = 0; c < t.size(); ++c) t[c] = std::max(t[c], h[c]);
    }
    return t;
}

// B = 2 clouds × N = 3 patches × M = 5 slots; valid counts 5, 3, 1 / 2, 4, 5; padding is garbage.
struct PatchBatch {
    torch::Tensor features, valid;
};
PatchBatch patchBatch(float garbage) {
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    const int counts[2][3] = {{5, 3, 1}, {2, 4, 5}};
    torch::Tensor features = torch::empty({2, 3, 5, 3});
    torch::Tensor valid = torch::zeros({2, 3, 5}, torch::kBool);
    auto f = features.accessor<float, 4>();
    auto v = valid.accessor<bool, 3>();
    for (int b = 0; b < 2; ++b)
        for (int n = 0; n < 3; ++n)
            for (int m = 0; m < 5; ++m) {
                const bool real = m < counts[b][n];
                v[b][n][m] = real;
                for (int c = 0; c < 3; ++c) {
                    const float x = u(rng);  // drawn for every slot so real values do not depend on garbage
                    f[b][n][m][c] = real ? x : garbage * (1.0f + float(c) + float(m));
                }
            }
    return {features, valid};
}

bool close(const torch::Tensor& a, const torch::Tensor& b, double tol = 1e-5) {
    return a.sizes() == b.sizes() && at::allclose(a, b, tol, tol);
}

// Points on three faces of a box (x = 0, y = 0, z = 0 planes), labelled by face: a cloud with three
// obvious superpoints.
struct TinyCloud {
    std::vector<Eigen::Vector3f> points;
    std::vector<std::int32_t> labels;
};
TinyCloud tinyCloud() {
    TinyCloud c;
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(0.05f, 1.0f);
    for (int face = 0; face < 3; ++face)
        for (int i = 0; i < 200; ++i) {
            Eigen::Vector3f p(u(rng), u(rng), u(rng));
            p[face] = 0.0f;
            c.points.push_back(p);
            c.labels.push_back(face);
        }
    return c;
}

Patches tinyPatches(const TinyCloud& c, bool rpn) {
    WfpsParams sampling;
    sampling.count = 24;
    sampling.gamma = 0.1;
    const SampleSequence centres = runWeightedFarthestPointSampling(c.points, c.labels, sampling);
    PatchGroupingParams grouping;
    grouping.mode = GroupingMode::SuperpointBall;
    grouping.groupSize = 16;
    grouping.relativeNormalisation = rpn;
    return runPatchGrouping(c.points, c.labels, centres.indices, grouping);
}

// The encoder's inputs for one cloud, filled element by element (independently of PointCloudEncoder's
// reinterpretation of the Eigen tables): offsets N×M×3, valid N×M, centres N×3.
struct PatchTensors {
    torch::Tensor offsets, valid, centres;
};
PatchTensors patchTensors(const Patches& patches) {
    const auto n = std::int64_t(patches.count), m = std::int64_t(patches.groupSize);
    PatchTensors t{torch::empty({n, m, 3}), torch::empty({n, m}, torch::kBool), torch::empty({n, 3})};
    auto o = t.offsets.accessor<float, 3>();
    auto v = t.valid.accessor<bool, 2>();
    auto c = t.centres.accessor<float, 2>();
    for (std::int64_t i = 0; i < n; ++i) {
        for (int a = 0; a < 3; ++a) c[i][a] = patches.centrePositions[std::size_t(i)][a];
        for (std::int64_t j = 0; j < m; ++j) {
            const auto slot = std::size_t(i * m + j);
            v[i][j] = patches.valid[slot] != 0;
            for (int a = 0; a < 3; ++a) o[i][j][a] = patches.offsets[slot][a];
        }
    }
    return t;
}

/// How closely every centre feature row and the [cls] row of `test` follow `reference`'s: the smallest
/// cosine and the largest relative error ‖a − b‖ / ‖a‖ over the rows (nothing compared on a size mismatch).
struct RowAgreement {
    bool sameSize = false;
    double minCosine = 1.0;
    double maxRelative = 0.0;
    std::string text() const {
        return "cosine ≥ " + std::to_string(minCosine) + ", relative error ≤ " + std::to_string(maxRelative);
    }
};

RowAgreement rowAgreement(const PointFeatureField& reference, const PointFeatureField& test) {
    RowAgreement out;
    if (reference.centreFeatures.size() != test.centreFeatures.size() || reference.dim != test.dim) return out;
    out.sameSize = true;
    const auto e = std::size_t(reference.dim);
    auto compare = [&](const float* a, const float* b) {
        double dot = 0, na = 0, nb = 0, diff = 0;
        for (std::size_t d = 0; d < e; ++d) {
            dot += double(a[d]) * b[d];
            na += double(a[d]) * a[d];
            nb += double(b[d]) * b[d];
            diff += (double(a[d]) - b[d]) * (double(a[d]) - b[d]);
        }
        out.minCosine = std::min(out.minCosine, dot / std::sqrt(na * nb));
        out.maxRelative = std::max(out.maxRelative, std::sqrt(diff / na));
    };
    for (std::size_t t = 0; t < reference.centreCount(); ++t)
        compare(reference.centreFeatures.data() + t * e, test.centreFeatures.data() + t * e);
    compare(reference.cls.data(), test.cls.data());
    return out;
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
    double s = 0.0;
    for (std::size_t d = 0; d < std::min(a.size(), b.size()); ++d) s += double(a[d]) * b[d];
    return s;
}

}  // namespace

class TestEncoderModel : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;
    std::optional<ClipEngine> clip_;
    std::filesystem::path checkpoint_;

    std::filesystem::path dir(const char* name) const {
        return std::filesystem::path(tmp_.path().toStdString()) / name;
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        clip::writeRandomClipHuggingFaceFolder(dir("clip"), clip::tinyClipConfig(), 1);
        clip_.emplace(ClipEngine::load(dir("clip")));
        checkpoint_ = dir("tokenizer");
        PointNetConfig pointnet;
        pointnet.firstMlp = {32, 64};
        pointnet.secondMlp = {96};
        writeRandomTokenizerCheckpoint(checkpoint_, clip_->config(), TokenizationParams{}, 9, pointnet);
    }

    void thetaMatchesAPlainLoopReference_data() {
        QTest::addColumn<int>("norm");
        QTest::newRow("layer norm") << int(PointNetNorm::LayerNorm);
        QTest::newRow("batch norm") << int(PointNetNorm::BatchNorm);
        QTest::newRow("no norm") << int(PointNetNorm::None);
    }

    void thetaMatchesAPlainLoopReference() {
        QFETCH(int, norm);
        const PointNetConfig p = smallPointNet(PointNetNorm(norm));
        const TensorMap w = randomWeights(p, 4);
        encoder::PatchEmbedding theta(p);
        load(theta, w);
        const PatchBatch batch = patchBatch(0.0f);
        const torch::Tensor tokens = theta->forward(batch.features, batch.valid);
        QCOMPARE(tokens.sizes().vec(), (std::vector<std::int64_t>{2, 3, 20}));
        for (int b = 0; b < 2; ++b)
            for (int n = 0; n < 3; ++n) {
                std::vector<std::array<double, 3>> members;
                for (int m = 0; m < 5; ++m)
                    if (batch.valid[b][n][m].item<bool>())
                        members.push_back({batch.features[b][n][m][0].item<double>(),
                                           batch.features[b][n][m][1].item<double>(),
                                           batch.features[b][n][m][2].item<double>()});
                const std::vector<double> expected = referenceTheta(w, p, members);
                for (int c = 0; c < 20; ++c) {
                    const double got = tokens[b][n][c].item<double>();
                    QVERIFY2(std::abs(got - expected[std::size_t(c)]) <
                                 1e-4 * (1.0 + std::abs(expected[std::size_t(c)])),
                             qPrintable(QString("b %1 n %2 c %3: %4 vs %5")
                                            .arg(b)
                                            .arg(n)
                                            .arg(c)
                                            .arg(got)
                                            .arg(expected[std::size_t(c)])));
                }
            }
    }

    void paddingDoesNotChangeTheToken() {
        const PointNetConfig p = smallPointNet(PointNetNorm::BatchNorm);
        encoder::PatchEmbedding theta(p);
        load(theta, randomWeights(p, 5));
        const torch::Tensor clean = theta->forward(patchBatch(0.0f).features, patchBatch(0.0f).valid);
        for (float garbage : {1e6f, -3e4f, 7.0f}) {
            const PatchBatch dirty = patchBatch(garbage);
            QVERIFY(close(theta->forward(dirty.features, dirty.valid), clean));
        }
        // Padding by repetition (what PatchGrouping does) is also the same token.
        PatchBatch repeated = patchBatch(0.0f);
        repeated.features[0][2].slice(0, 1) = repeated.features[0][2][0];
        repeated.valid[0][2].slice(0, 1) = false;
        QVERIFY(close(theta->forward(repeated.features, repeated.valid)[0][2], clean[0][2]));
        // The mask is what matters: marking garbage valid changes the token.
        PatchBatch wrong = patchBatch(50.0f);
        wrong.valid.fill_(true);
        QVERIFY(!close(theta->forward(wrong.features, wrong.valid), clean));
        // A patch without members is an error, not a -inf token.
        PatchBatch empty = patchBatch(0.0f);
        empty.valid[1][0].fill_(false);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, theta->forward(empty.features, empty.valid));
    }

    void tokenIsInvariantToMemberOrder() {
        const PointNetConfig p = smallPointNet(PointNetNorm::LayerNorm);
        encoder::PatchEmbedding theta(p);
        load(theta, randomWeights(p, 6));
        const PatchBatch batch = patchBatch(9.0f);
        const torch::Tensor reference = theta->forward(batch.features, batch.valid);
        std::mt19937 rng(1);
        for (int trial = 0; trial < 5; ++trial) {
            std::vector<std::int64_t> order = {0, 1, 2, 3, 4};
            std::shuffle(order.begin(), order.end(), rng);
            const torch::Tensor index = torch::tensor(order, torch::kLong);
            const torch::Tensor permutedFeatures = batch.features.index_select(2, index);
            const torch::Tensor permutedValid = batch.valid.index_select(2, index);
            QVERIFY(close(theta->forward(permutedFeatures, permutedValid), reference));
        }
    }

    void positionEmbeddingByHand() {
        // Centres (1, 2, 3) and (3, 2, −1): mean (2, 2, 1), Δ = (−1, 0, 2) and (1, 0, −2); r = 2 →
        // (−0.5, 0, 1), (0.5, 0, −1). B = 2 bands, T = 100: ω = (1, 0.1). Width 14 = 12 + 2 zeros.
        const PositionEmbeddingConfig config{2, true, 100.0};
        const torch::Tensor centres = torch::tensor({1.0f, 2.0f, 3.0f, 3.0f, 2.0f, -1.0f}).reshape({1, 2, 3});
        const torch::Tensor pe = encoder::sinCosPositionEmbedding(centres, torch::tensor({2.0f}), config, 14);
        QCOMPARE(pe.sizes().vec(), (std::vector<std::int64_t>{1, 2, 14}));
        const std::vector<double> row0 = {std::sin(-0.5),
                                          std::sin(-0.05),
                                          std::cos(-0.5),
                                          std::cos(-0.05),  // x
                                          0.0,
                                          0.0,
                                          1.0,
                                          1.0,  // y
                                          std::sin(1.0),
                                          std::sin(0.1),
                                          std::cos(1.0),
                                          std::cos(0.1),  // z
                                          0.0,
                                          0.0};
        const std::vector<double> row1 = {
            std::sin(0.5),  std::sin(0.05), std::cos(0.5),  std::cos(0.05), 0.0, 0.0, 1.0, 1.0,
            std::sin(-1.0), std::sin(-0.1), std::cos(-1.0), std::cos(-0.1), 0.0, 0.0};
        for (int c = 0; c < 14; ++c) {
            QVERIFY(std::abs(pe[0][0][c].item<double>() - row0[std::size_t(c)]) < 1e-6);
            QVERIFY(std::abs(pe[0][1][c].item<double>() - row1[std::size_t(c)]) < 1e-6);
        }
        // Without the radius scaling Δ stays in scene units: z of centre 0 is 2, sin(2·ω_0).
        const torch::Tensor raw =
            encoder::sinCosPositionEmbedding(centres, torch::tensor({2.0f}), {2, false, 100.0}, 14);
        QVERIFY(std::abs(raw[0][0][8].item<double>() - std::sin(2.0)) < 1e-6);
        // Scale-free: scaling the cloud and r together gives the same embedding.
        const torch::Tensor scaled =
            encoder::sinCosPositionEmbedding(centres * 7.0f, torch::tensor({14.0f}), config, 14);
        QVERIFY(close(scaled, pe));
        QVERIFY_THROWS_EXCEPTION(
            InvalidArgument, encoder::sinCosPositionEmbedding(centres, torch::tensor({0.0f}), config, 14));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, encoder::sinCosPositionEmbedding(
                                                      centres, torch::tensor({1.0f}), {3, true, 100.0}, 14));
    }

    void encoderModuleShapesAndFrozenBackbone() {
        encoder::S4TokenEncoder enc =
            encoder::loadS4TokenEncoder(checkpoint_, clip::visionTransformerOf(*clip_));
        const TokenizerCheckpoint cp = readTokenizerCheckpoint(checkpoint_);
        // Θ holds exactly the checkpoint's values.
        const auto parameters = enc->named_parameters();
        const auto buffers = enc->named_buffers();
        QCOMPARE(parameters.size() + buffers.size(), cp.tensors.size());
        for (const TokenizerTensor& t : cp.tensors) {
            const torch::Tensor* p = parameters.find(t.name);
            if (!p) p = buffers.find(t.name);
            QVERIFY2(p, t.name.c_str());
            QVERIFY(at::equal(*p, torch::tensor(t.values).reshape(t.shape)));
        }
        for (const auto& p : enc->parameters()) QVERIFY(p.requires_grad());
        // The backbone is frozen by the encoder itself: a fresh ViT starts trainable.
        clip::VisionTransformer fresh(clip_->config().vision, clip_->config().embedDim);
        QVERIFY(fresh->parameters().front().requires_grad());
        const encoder::S4TokenEncoder wrapped(cp.config, fresh);
        for (const auto& p : fresh->parameters()) QVERIFY(!p.requires_grad());

        const TinyCloud cloud = tinyCloud();
        const Patches patches = tinyPatches(cloud, true);
        const auto n = std::int64_t(patches.count);
        const PatchTensors input = patchTensors(patches);
        const torch::Tensor& offsets = input.offsets;
        const torch::Tensor& valid = input.valid;
        const torch::Tensor& centres = input.centres;

        c10::InferenceMode inference;
        // Cloud 1 of the batch: the same patches, shifted and scaled by 3 with r: RPN offsets and the
        // radius-scaled position embedding are scale- and translation-free, so the features must agree.
        const torch::Tensor batchOffsets = at::stack({offsets, offsets});
        const torch::Tensor batchValid = at::stack({valid, valid});
        const torch::Tensor batchCentres = at::stack({centres, centres * 3.0f + 5.0f});
        const torch::Tensor radius = torch::tensor({patches.radius, 3.0f * patches.radius});
        const auto out = enc->forward(batchOffsets, batchValid, batchCentres, radius);
        const int e = clip_->config().embedDim;
        QCOMPARE(out.cls.sizes().vec(), (std::vector<std::int64_t>{2, e}));
        QCOMPARE(out.patches.sizes().vec(), (std::vector<std::int64_t>{2, n, e}));
        QVERIFY(at::isfinite(out.cls).all().item<bool>());
        QVERIFY(at::isfinite(out.patches).all().item<bool>());
        QVERIFY(close(out.patches[1], out.patches[0], 1e-4));
        QVERIFY(close(out.cls[1], out.cls[0], 1e-4));
        // One cloud alone gives its batch row.
        const auto single = enc->forward(offsets.unsqueeze(0), valid.unsqueeze(0), centres.unsqueeze(0),
                                         torch::tensor({patches.radius}));
        QVERIFY(close(single.patches[0], out.patches[0], 1e-5));
        // The output is the ViT on Θ + PE: the [cls] row of encodeTokens of the same tokens.
        const torch::Tensor tokens = enc->tokens(offsets.unsqueeze(0), valid.unsqueeze(0),
                                                 centres.unsqueeze(0), torch::tensor({patches.radius}));
        QCOMPARE(tokens.sizes().vec(), (std::vector<std::int64_t>{1, n, clip_->config().vision.width}));
        QVERIFY(close(clip::visionTransformerOf(*clip_)->encodeTokens(tokens)[0][0], single.cls[0]));
        // Different patch content gives different features (the encoder is not ignoring its input).
        const auto other = enc->forward(offsets.flip(0).unsqueeze(0), valid.flip(0).unsqueeze(0),
                                        centres.unsqueeze(0), torch::tensor({patches.radius}));
        QVERIFY(!close(other.patches[0], single.patches[0], 1e-3));
    }

    void encodeGivesAPropagatedField() {
        const PointCloudEncoder encoder = PointCloudEncoder::load(checkpoint_, *clip_);
        QVERIFY(encoder.checkpoint().untrained());
        const TinyCloud cloud = tinyCloud();
        const Patches patches = tinyPatches(cloud, true);
        const PointFeatureField field = encoder.encode(cloud.points, cloud.labels, patches);
        const auto e = std::size_t(clip_->config().embedDim);
        QCOMPARE(field.dim, int(e));
        QCOMPARE(field.pointCount(), cloud.points.size());
        QCOMPARE(field.centreCount(), patches.count);
        QCOMPARE(field.centreFeatures.size(), patches.count * e);
        QCOMPARE(field.cls.size(), e);
        QVERIFY(std::all_of(field.cls.begin(), field.cls.end(), [](float v) { return std::isfinite(v); }));

        // The weights are Eq. 4 with the checkpoint's propagation parameters: each row sums to 1 and
        // holds only centres of the point's own superpoint (every face has centres here).
        const PropagationWeights expected = runFeaturePropagation(cloud.points, cloud.labels, patches.centres,
                                                                  encoder.checkpoint().propagation);
        QCOMPARE(field.weights.rowStart, expected.rowStart);
        QCOMPARE(field.weights.centre, expected.centre);
        QCOMPARE(field.weights.weight, expected.weight);
        for (std::size_t i = 0; i < field.pointCount(); ++i) {
            double sum = 0.0;
            std::vector<double> f(e, 0.0);
            for (std::size_t k = field.weights.rowStart[i]; k < field.weights.rowStart[i + 1]; ++k) {
                const auto centre = std::size_t(field.weights.centre[k]);
                QCOMPARE(cloud.labels[std::size_t(patches.centres[centre])], cloud.labels[i]);
                sum += field.weights.weight[k];
                for (std::size_t d = 0; d < e; ++d)
                    f[d] += field.weights.weight[k] * field.centreFeatures[centre * e + d];
            }
            QVERIFY(std::abs(sum - 1.0) < 1e-5);
            double norm = 0.0;
            for (double v : f) norm += v * v;
            QVERIFY(std::abs(std::sqrt(norm) - field.pointNorms[i]) < 1e-3 * (1.0 + std::sqrt(norm)));
            QVERIFY(field.pointNorms[i] > 0.0f);
        }

        // Determinism: the same call, and a second encoder from the same checkpoint, agree exactly.
        const PointFeatureField again = encoder.encode(cloud.points, cloud.labels, patches);
        QCOMPARE(again.centreFeatures, field.centreFeatures);
        QCOMPARE(again.cls, field.cls);
        const PointCloudEncoder second = PointCloudEncoder::load(checkpoint_, *clip_);
        QCOMPARE(second.encode(cloud.points, cloud.labels, patches).centreFeatures, field.centreFeatures);

        // Centre features are the encoder module's patch rows for the same patches (row t ↔
        // patches.centres[t]), and the field's [cls] its [cls].
        encoder::S4TokenEncoder module =
            encoder::loadS4TokenEncoder(checkpoint_, clip::visionTransformerOf(*clip_));
        const PatchTensors input = patchTensors(patches);
        c10::InferenceMode inference;
        const auto out = module->forward(input.offsets.unsqueeze(0), input.valid.unsqueeze(0),
                                         input.centres.unsqueeze(0), torch::tensor({patches.radius}));
        QVERIFY(
            close(torch::tensor(field.centreFeatures).reshape({std::int64_t(patches.count), std::int64_t(e)}),
                  out.patches[0]));
        QVERIFY(close(torch::tensor(field.cls), out.cls[0]));
    }

    void reducedPrecisionAgreesWithFloat32() {
        // The mixed-precision path that --device cuda takes (Θ in fp32, its tokens cast to the ViT's
        // type, results back in fp32), run on the CPU in bfloat16 — fp16 has no CPU matrix product.
        QCOMPARE(clip_->precision(), ComputePrecision::Float32);  // Auto on the CPU
        ClipEngineOptions options;
        options.precision = ComputePrecision::BFloat16;
        const ClipEngine bf16 = ClipEngine::load(dir("clip"), options);
        QCOMPARE(bf16.precision(), ComputePrecision::BFloat16);
        QVERIFY(bf16.description().find("bf16") != std::string::npos);
        options.precision = ComputePrecision::Float16;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, ClipEngine::load(dir("clip"), options));

        const TinyCloud cloud = tinyCloud();
        const Patches patches = tinyPatches(cloud, true);
        const PointFeatureField full = PointCloudEncoder::load(checkpoint_, *clip_).encode(cloud.points, cloud.labels, patches);
        const PointFeatureField half = PointCloudEncoder::load(checkpoint_, bf16).encode(cloud.points, cloud.labels, patches);
        QCOMPARE(half.centreFeatures.size(), full.centreFeatures.size());
        QCOMPARE(half.weights.weight, full.weights.weight);  // propagation is geometry, untouched
        // Per row: bf16 keeps 8 mantissa bits (relative rounding 2^-9 per value); through two tiny
        // transformer layers the rows stay within ~1 % (measured 0.8–1.0 %, bound 3 %), must differ (the
        // ViT really ran in bf16) and point the same way.
        const RowAgreement agreement = rowAgreement(full, half);
        QVERIFY(agreement.sameSize);
        QVERIFY2(agreement.minCosine > 0.999 && agreement.maxRelative < 0.03, agreement.text().c_str());
        QVERIFY2(agreement.maxRelative > 1e-6, "bf16 features equal the fp32 ones: the precision was not applied");

        // Text embeddings through the same engine options.
        const auto textFull = clip_->embedText({"a chair"}, true), textHalf = bf16.embedText({"a chair"}, true);
        const double textDot = dot(textFull[0], textHalf[0]);
        QVERIFY2(textDot > 0.999 && textDot < 1.0 - 1e-7, std::to_string(textDot).c_str());
    }

    void cudaHalfPrecisionAgreesWithCpu() {
        if (!torchCudaAvailable())
            QSKIP("this LibTorch has no CUDA device (Debian's is CPU only); the fp16 path's casts are covered by "
                  "reducedPrecisionAgreesWithFloat32 in bf16 — configure with -DTorch_DIR=<a CUDA LibTorch> on a GPU "
                  "machine to run this one");
        ClipEngineOptions options;
        options.device = ComputeDevice::Cuda;  // precision Auto → fp16
        const ClipEngine gpu = ClipEngine::load(dir("clip"), options);
        QCOMPARE(gpu.precision(), ComputePrecision::Float16);
        const TinyCloud cloud = tinyCloud();
        const Patches patches = tinyPatches(cloud, true);
        const PointFeatureField cpu = PointCloudEncoder::load(checkpoint_, *clip_).encode(cloud.points, cloud.labels, patches);
        const PointFeatureField cuda = PointCloudEncoder::load(checkpoint_, gpu).encode(cloud.points, cloud.labels, patches);
        // fp16 keeps 11 mantissa bits: tighter than bf16.
        const RowAgreement agreement = rowAgreement(cpu, cuda);
        QVERIFY(agreement.sameSize);
        QVERIFY2(agreement.minCosine > 0.999 && agreement.maxRelative < 0.02, agreement.text().c_str());
        const auto textCpu = clip_->embedText({"a chair", "a table"}, true);
        const auto textGpu = gpu.embedText({"a chair", "a table"}, true);
        for (std::size_t r = 0; r < 2; ++r)
            QVERIFY2(dot(textCpu[r], textGpu[r]) > 0.999, std::to_string(dot(textCpu[r], textGpu[r])).c_str());
    }

    void mismatchesAreClearErrors() {
        // A tokenizer trained for a CLIP of width 64 cannot drive this width-128 model.
        clip::ClipConfig narrow = clip_->config();
        narrow.vision.width = 64;
        narrow.vision.heads = 1;
        writeRandomTokenizerCheckpoint(dir("narrow"), narrow, TokenizationParams{}, 1);
        try {
            PointCloudEncoder::load(dir("narrow"), *clip_);
            QFAIL("a width-64 tokenizer loaded into a width-128 CLIP");
        } catch (const InvalidArgument& e) {
            const std::string expected =
                "tokenizer checkpoint was trained for a CLIP with width 64, this model has " +
                std::to_string(clip_->config().vision.width);
            QVERIFY2(std::string(e.what()).find(expected) != std::string::npos, e.what());
        }
        clip::ClipConfig otherSpace = clip_->config();
        otherSpace.embedDim = 16;
        writeRandomTokenizerCheckpoint(dir("space"), otherSpace, TokenizationParams{}, 1);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, PointCloudEncoder::load(dir("space"), *clip_));
        // Same widths, other patch size (as ViT-B/16 and ViT-B/32): another model, not a pair.
        clip::ClipConfig otherPatches = clip_->config();
        otherPatches.vision.patchSize = clip_->config().vision.patchSize * 2;
        writeRandomTokenizerCheckpoint(dir("patches"), otherPatches, TokenizationParams{}, 1);
        try {
            PointCloudEncoder::load(dir("patches"), *clip_);
            QFAIL("a tokenizer for another patch size loaded");
        } catch (const InvalidArgument& e) {
            QVERIFY2(std::string(e.what()).find("patch size") != std::string::npos, e.what());
        }

        // Patches grouped without RPN for an RPN-trained tokenizer.
        const PointCloudEncoder encoder = PointCloudEncoder::load(checkpoint_, *clip_);
        const TinyCloud cloud = tinyCloud();
        try {
            encoder.encode(cloud.points, cloud.labels, tinyPatches(cloud, false));
            QFAIL("patches without RPN were encoded by an RPN tokenizer");
        } catch (const InvalidArgument& e) {
            QVERIFY2(std::string(e.what()).find("relative position normalisation") != std::string::npos,
                     e.what());
        }
        // Labels that do not fit the cloud.
        std::vector<std::int32_t> shortLabels(cloud.labels.begin(), cloud.labels.begin() + 10);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 encoder.encode(cloud.points, shortLabels, tinyPatches(cloud, true)));
    }
};

QTEST_GUILESS_MAIN(TestEncoderModel)
#include "tst_encoder_model.moc"
