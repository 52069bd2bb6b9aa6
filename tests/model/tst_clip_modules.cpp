// CLIP's LibTorch modules against an oracle written here with plain loops in double precision (no
// production code on the oracle side): multi-head attention with and without the causal mask, a whole
// pre-LN residual block (QuickGELU and GELU), the text tower's EOT pooling and projection, the vision
// tower (convolution as a per-patch dot product), MaskCLIP dense features and encodeTokens. Then the
// parameter names against OpenAI's, and the Hugging Face weight mapping against HF's semantics (q/k/v
// stacked into in_proj, Linear projections transposed) read straight from the file.
#include "core/common/Error.h"
#include "core/model/clip/ClipModules.h"
#include "core/model/clip/ClipWeightLoader.h"
#include "core/model/clip/RandomClipModel.h"
#include "core/model/weights/SafeTensors.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <map>

using namespace s4;
using namespace s4::clip;

namespace {

// ---- The oracle: row-major double matrices and loops ----

struct Mat {
    int rows = 0, cols = 0;
    std::vector<double> v;
    Mat() = default;
    Mat(int r, int c) : rows(r), cols(c), v(std::size_t(r) * std::size_t(c), 0.0) {}
    double& at(int r, int c) { return v[std::size_t(r) * std::size_t(cols) + std::size_t(c)]; }
    double at(int r, int c) const { return v[std::size_t(r) * std::size_t(cols) + std::size_t(c)]; }
};

std::vector<double> values(const at::Tensor& t) {
    const auto d = t.detach().to(at::kDouble).contiguous();
    return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

Mat matrix(const at::Tensor& t) {
    Mat m(int(t.size(0)), int(t.numel() / t.size(0)));
    m.v = values(t);
    return m;
}

using Params = std::map<std::string, at::Tensor>;

Params paramsOf(const torch::nn::Module& module) {
    Params p;
    for (const auto& item : module.named_parameters()) p[item.key()] = item.value();
    return p;
}

// x·wᵀ + b
Mat linear(const Mat& x, const Mat& w, const std::vector<double>& b) {
    Mat y(x.rows, w.rows);
    for (int i = 0; i < x.rows; ++i)
        for (int o = 0; o < w.rows; ++o) {
            double s = b.empty() ? 0.0 : b[std::size_t(o)];
            for (int k = 0; k < x.cols; ++k) s += x.at(i, k) * w.at(o, k);
            y.at(i, o) = s;
        }
    return y;
}

Mat layerNorm(const Mat& x, const std::vector<double>& g, const std::vector<double>& b, double eps) {
    Mat y(x.rows, x.cols);
    for (int i = 0; i < x.rows; ++i) {
        double mean = 0, var = 0;
        for (int k = 0; k < x.cols; ++k) mean += x.at(i, k);
        mean /= x.cols;
        for (int k = 0; k < x.cols; ++k) var += (x.at(i, k) - mean) * (x.at(i, k) - mean);
        var /= x.cols;  // biased, as LayerNorm
        for (int k = 0; k < x.cols; ++k)
            y.at(i, k) = (x.at(i, k) - mean) / std::sqrt(var + eps) * g[std::size_t(k)] + b[std::size_t(k)];
    }
    return y;
}

Mat add(Mat a, const Mat& b) {
    for (std::size_t i = 0; i < a.v.size(); ++i) a.v[i] += b.v[i];
    return a;
}

// Rows [first, first + count) of a matrix / entries of a vector.
Mat rowsOf(const Mat& m, int first, int count) {
    Mat r(count, m.cols);
    for (int i = 0; i < count; ++i)
        for (int k = 0; k < m.cols; ++k) r.at(i, k) = m.at(first + i, k);
    return r;
}
std::vector<double> slice(const std::vector<double>& v, int first, int count) {
    return std::vector<double>(v.begin() + first, v.begin() + first + count);
}

// softmax(q·kᵀ/√d (+ causal mask))·v per head, then out_proj.
Mat attention(const Mat& x, const Params& p, const std::string& prefix, int heads, bool causal) {
    const int w = x.cols, d = w / heads, n = x.rows;
    const Mat inW = matrix(p.at(prefix + "in_proj_weight"));
    const auto inB = values(p.at(prefix + "in_proj_bias"));
    const Mat q = linear(x, rowsOf(inW, 0, w), slice(inB, 0, w));
    const Mat k = linear(x, rowsOf(inW, w, w), slice(inB, w, w));
    const Mat v = linear(x, rowsOf(inW, 2 * w, w), slice(inB, 2 * w, w));
    Mat mixed(n, w);
    for (int h = 0; h < heads; ++h)
        for (int i = 0; i < n; ++i) {
            const int last = causal ? i : n - 1;
            std::vector<double> score(std::size_t(last + 1));
            double top = -1e300;
            for (int j = 0; j <= last; ++j) {
                double s = 0;
                for (int c = 0; c < d; ++c) s += q.at(i, h * d + c) * k.at(j, h * d + c);
                score[std::size_t(j)] = s / std::sqrt(double(d));
                top = std::max(top, score[std::size_t(j)]);
            }
            double total = 0;
            for (double& s : score) total += (s = std::exp(s - top));
            for (int c = 0; c < d; ++c) {
                double acc = 0;
                for (int j = 0; j <= last; ++j) acc += score[std::size_t(j)] / total * v.at(j, h * d + c);
                mixed.at(i, h * d + c) = acc;
            }
        }
    return linear(mixed, matrix(p.at(prefix + "out_proj.weight")), values(p.at(prefix + "out_proj.bias")));
}

double activate(double x, Activation a) {
    if (a == Activation::QuickGelu) return x / (1.0 + std::exp(-1.702 * x));
    return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
}

Mat block(const Mat& x, const Params& p, const std::string& prefix, int heads, bool causal, Activation act,
          double eps) {
    auto ln = [&](const Mat& m, const std::string& name) {
        return layerNorm(m, values(p.at(prefix + name + ".weight")), values(p.at(prefix + name + ".bias")),
                         eps);
    };
    const Mat y = add(x, attention(ln(x, "ln_1"), p, prefix + "attn.", heads, causal));
    Mat hidden = linear(ln(y, "ln_2"), matrix(p.at(prefix + "mlp.c_fc.weight")),
                        values(p.at(prefix + "mlp.c_fc.bias")));
    for (double& h : hidden.v) h = activate(h, act);
    return add(y, linear(hidden, matrix(p.at(prefix + "mlp.c_proj.weight")),
                         values(p.at(prefix + "mlp.c_proj.bias"))));
}

// Batch element b of a B×L×W tensor.
Mat item(const at::Tensor& t, std::int64_t b) {
    return matrix(t[b]);
}

double maxDifference(const Mat& a, const Mat& b) {
    if (a.rows != b.rows || a.cols != b.cols) return 1e300;
    double m = 0;
    for (std::size_t i = 0; i < a.v.size(); ++i) m = std::max(m, std::abs(a.v[i] - b.v[i]));
    return m;
}

// Every parameter random, biases and LayerNorm offsets included, so no mapping hides behind zeros/ones.
void randomize(torch::nn::Module& module, std::uint64_t seed) {
    torch::NoGradGuard noGrad;
    at::manual_seed(seed);
    for (auto& p : module.parameters())
        p.copy_(at::randn(p.sizes()) * (p.dim() >= 2 ? 0.3 : 0.5) + (p.dim() == 1 ? 0.2 : 0.0));
}

}  // namespace

class TestClipModules : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { at::set_num_threads(1); }

    void attentionMatchesLoopOracle() {
        torch::NoGradGuard noGrad;
        SelfAttention attn(32, 4);
        randomize(*attn, 1);
        const auto x = at::randn({2, 7, 32});
        const Params p = paramsOf(*attn);
        for (bool causal : {false, true}) {
            const auto y = attn->forward(x, causal ? causalAttentionMask(7, x.options()) : at::Tensor());
            for (std::int64_t b = 0; b < 2; ++b)
                QVERIFY2(maxDifference(item(y, b), attention(item(x, b), p, "", 4, causal)) < 1e-4,
                         causal ? "causal" : "full");
        }
        // The value path alone is attention where each token sees only itself.
        const auto eye = at::full({7, 7}, -std::numeric_limits<float>::infinity()).fill_diagonal_(0.0);
        QVERIFY((attn->valuePath(x) - attn->forward(x, eye)).abs().max().item<float>() < 1e-5);
    }

    void causalMaskHidesLaterTokens() {
        const auto m = causalAttentionMask(4, at::TensorOptions(at::kFloat));
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) {
                const float v = m[i][j].item<float>();
                QVERIFY(j <= i ? v == 0.0f : std::isinf(v) && v < 0);
            }
    }

    void residualBlockMatchesLoopOracle_data() {
        QTest::addColumn<int>("activation");
        QTest::newRow("quick_gelu") << int(Activation::QuickGelu);
        QTest::newRow("gelu") << int(Activation::Gelu);
    }
    void residualBlockMatchesLoopOracle() {
        QFETCH(int, activation);
        const auto act = Activation(activation);
        torch::NoGradGuard noGrad;
        ResidualAttentionBlock rb(24, 3, 40, act, 1e-5);
        randomize(*rb, 2);
        const auto x = at::randn({2, 5, 24});
        const Params p = paramsOf(*rb);
        for (bool causal : {false, true}) {
            const auto y = rb->forward(x, causal ? causalAttentionMask(5, x.options()) : at::Tensor());
            for (std::int64_t b = 0; b < 2; ++b)
                QVERIFY(maxDifference(item(y, b), block(item(x, b), p, "", 3, causal, act, 1e-5)) < 1e-4);
        }
        // QuickGELU is x·σ(1.702x); GELU is x·Φ(x).
        QVERIFY(std::abs(applyActivation(at::full({1}, 1.0), Activation::QuickGelu).item<double>() -
                         1.0 / (1.0 + std::exp(-1.702))) < 1e-6);
        QVERIFY(std::abs(applyActivation(at::full({1}, 1.0), Activation::Gelu).item<double>() -
                         0.5 * (1.0 + std::erf(1.0 / std::sqrt(2.0)))) < 1e-6);
    }

    void textTowerPoolsAtEndOfTextAndProjects() {
        torch::NoGradGuard noGrad;
        const TextConfig config{50, 12, 32, 2, 2, 48, Activation::QuickGelu, 1e-5};
        TextTransformer text(config, 8);
        randomize(*text, 3);
        const Params p = paramsOf(*text);
        // EOT (= 49, the largest id) at different positions, zero padding after it.
        const auto ids = at::tensor({49, 7, 3, 0,  0,  0,  0,  0, 0, 0, 0, 0,  //
                                     48, 5, 9, 11, 20, 30, 49, 0, 0, 0, 0, 0},
                                    at::kLong)
                             .reshape({2, 12});
        const auto y = text->forward(ids);
        QCOMPARE(y.sizes().vec(), (std::vector<std::int64_t>{2, 8}));

        const Mat table = matrix(p.at("token_embedding.weight")),
                  positions = matrix(p.at("positional_embedding"));
        for (std::int64_t b = 0; b < 2; ++b) {
            Mat x(12, 32);
            int eot = 0;
            for (int i = 0; i < 12; ++i) {
                const int id = int(ids[b][i].item<std::int64_t>());
                if (id == 49 && eot == 0) eot = i;
                for (int k = 0; k < 32; ++k) x.at(i, k) = table.at(id, k) + positions.at(i, k);
            }
            for (int l = 0; l < 2; ++l)
                x = block(x, p, "transformer.resblocks." + std::to_string(l) + ".", 2, true,
                          Activation::QuickGelu, 1e-5);
            x = layerNorm(x, values(p.at("ln_final.weight")), values(p.at("ln_final.bias")), 1e-5);
            const Mat pooled = linear(rowsOf(x, eot, 1),
                                      [&] {
                                          // text_projection is [W, E]; linear() wants [out, in].
                                          return matrix(p.at("text_projection").t().contiguous());
                                      }(),
                                      {});
            QVERIFY(maxDifference(matrix(y[b].reshape({1, 8})), pooled) < 1e-4);
        }
        // Causality: tokens after EOT cannot change the pooled feature.
        auto altered = ids.clone();
        altered[1][9] = 17;
        QVERIFY((text->forward(altered)[1] - y[1]).abs().max().item<float>() < 1e-6);
        // A token before EOT does.
        altered[1][2] = 17;
        QVERIFY((text->forward(altered)[1] - y[1]).abs().max().item<float>() > 1e-3);
        // Out-of-vocabulary ids are refused, not read out of bounds.
        auto bad = ids.clone();
        bad[1][3] = 50;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, text->forward(bad));
    }

    void visionTowerMatchesLoopOracle() {
        torch::NoGradGuard noGrad;
        const VisionConfig config{16, 4, 32, 2, 4, 64, Activation::QuickGelu, 1e-5};
        VisionTransformer visual(config, 8);
        randomize(*visual, 4);
        const Params p = paramsOf(*visual);
        const auto images = at::randn({2, 3, 16, 16});

        const auto cls = visual->forward(images);
        const auto dense = visual->denseFeatures(images);
        const auto tokens = visual->encodeTokens(visual->patchTokens(images));
        QCOMPARE(cls.sizes().vec(), (std::vector<std::int64_t>{2, 8}));
        QCOMPARE(dense.sizes().vec(), (std::vector<std::int64_t>{2, 16, 8}));
        QCOMPARE(tokens.sizes().vec(), (std::vector<std::int64_t>{2, 17, 8}));

        const Mat conv = matrix(p.at("conv1.weight"));  // [32, 3·4·4] in (c, y, x) order
        const auto classEmbedding = values(p.at("class_embedding"));
        const Mat positions = matrix(p.at("positional_embedding"));
        const Mat proj = matrix(p.at("proj").t().contiguous());
        auto ln = [&](const Mat& m, const std::string& name) {
            return layerNorm(m, values(p.at(name + ".weight")), values(p.at(name + ".bias")), 1e-5);
        };
        for (std::int64_t b = 0; b < 2; ++b) {
            const auto image = values(images[b]);  // 3×16×16
            Mat x(17, 32);
            for (int k = 0; k < 32; ++k) x.at(0, k) = classEmbedding[std::size_t(k)] + positions.at(0, k);
            for (int gy = 0; gy < 4; ++gy)
                for (int gx = 0; gx < 4; ++gx) {
                    const int row = 1 + gy * 4 + gx;
                    for (int k = 0; k < 32; ++k) {
                        double s = 0;
                        for (int c = 0; c < 3; ++c)
                            for (int py = 0; py < 4; ++py)
                                for (int px = 0; px < 4; ++px)
                                    s += conv.at(k, c * 16 + py * 4 + px) *
                                         image[std::size_t(c * 256 + (gy * 4 + py) * 16 + gx * 4 + px)];
                        x.at(row, k) = s + positions.at(row, k);
                    }
                }
            x = ln(x, "ln_pre");
            const Mat beforeLast =
                block(x, p, "transformer.resblocks.0.", 4, false, Activation::QuickGelu, 1e-5);
            const Mat last =
                block(beforeLast, p, "transformer.resblocks.1.", 4, false, Activation::QuickGelu, 1e-5);
            const Mat out = linear(ln(last, "ln_post"), proj, {});
            QVERIFY2(maxDifference(matrix(cls[b].reshape({1, 8})), rowsOf(out, 0, 1)) < 1e-4,
                     "[cls] feature");
            QVERIFY2(maxDifference(item(tokens, b), out) < 1e-4, "encodeTokens on the image's own patches");

            // MaskCLIP: the last block as x + out_proj(v(ln_1(x))), no MLP, then ln_post and proj.
            const std::string l1 = "transformer.resblocks.1.";
            const Mat normed =
                layerNorm(beforeLast, values(p.at(l1 + "ln_1.weight")), values(p.at(l1 + "ln_1.bias")), 1e-5);
            const Mat inW = matrix(p.at(l1 + "attn.in_proj_weight"));
            const Mat v =
                linear(normed, rowsOf(inW, 64, 32), slice(values(p.at(l1 + "attn.in_proj_bias")), 64, 32));
            const Mat y = add(beforeLast, linear(v, matrix(p.at(l1 + "attn.out_proj.weight")),
                                                 values(p.at(l1 + "attn.out_proj.bias"))));
            const Mat expectedDense = rowsOf(linear(ln(y, "ln_post"), proj, {}), 1, 16);
            QVERIFY2(maxDifference(item(dense, b), expectedDense) < 1e-4, "dense features");
        }
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, visual->forward(at::randn({1, 3, 15, 16})));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, visual->encodeTokens(at::randn({1, 5, 31})));
    }

    void parametersCarryOpenAiNames() {
        const ClipConfig config = tinyClipConfig();
        ClipModel model(config);
        std::map<std::string, std::vector<std::int64_t>> names;
        for (const auto& item : model->named_parameters()) names[item.key()] = item.value().sizes().vec();
        // Hand-computed from OpenAI's model.py for the tiny config (width 128, MLP 512, embed 32, grid 4).
        const std::map<std::string, std::vector<std::int64_t>> spot = {
            {"visual.conv1.weight", {128, 3, 8, 8}},
            {"visual.class_embedding", {128}},
            {"visual.positional_embedding", {17, 128}},
            {"visual.transformer.resblocks.1.attn.in_proj_weight", {384, 128}},
            {"visual.transformer.resblocks.1.mlp.c_proj.weight", {128, 512}},
            {"visual.proj", {128, 32}},
            {"token_embedding.weight", {config.text.vocabSize, 128}},
            {"positional_embedding", {77, 128}},
            {"transformer.resblocks.0.attn.out_proj.bias", {128}},
            {"ln_final.weight", {128}},
            {"text_projection", {128, 32}},
            {"logit_scale", {}}};
        for (const auto& [name, shape] : spot) {
            QVERIFY2(names.count(name), name.c_str());
            QCOMPARE(names[name], shape);
        }
        // 5 + 12 per block + 3 (vision), 2 + 12 per block + 3 (text), logit_scale.
        QCOMPARE(names.size(), std::size_t(5 + 24 + 3 + 2 + 24 + 3 + 1));
        const auto listed = clipParameterShapes(config);
        QCOMPARE(listed.size(), names.size());
        for (const auto& [name, shape] : listed) QCOMPARE(names.at(name), shape);
    }

    void huggingFaceWeightsMapOntoOpenAiLayout() {
        QTemporaryDir dir;
        const std::filesystem::path folder = dir.filePath("hf").toStdString();
        writeRandomClipHuggingFaceFolder(folder, tinyClipConfig(), 11);
        const LoadedClip loaded = loadClipModel(folder);
        const SafeTensorsFile file(folder / "model.safetensors");
        auto stored = [&](const std::string& name) {
            const auto& info = file.info(name);
            const auto v = file.toFloat32(name);
            return at::from_blob(const_cast<float*>(v.data()), info.shape, at::kFloat).clone();
        };
        Params p = paramsOf(*loaded.model);
        const std::int64_t w = 128;
        for (const std::string& tower :
             std::vector<std::string>{"vision_model.encoder.layers.1.", "text_model.encoder.layers.0."}) {
            const std::string ours =
                tower[0] == 'v' ? "visual.transformer.resblocks.1." : "transformer.resblocks.0.";
            const auto& inW = p.at(ours + "attn.in_proj_weight");
            const auto& inB = p.at(ours + "attn.in_proj_bias");
            QVERIFY(at::equal(inW.narrow(0, 0, w), stored(tower + "self_attn.q_proj.weight")));
            QVERIFY(at::equal(inW.narrow(0, w, w), stored(tower + "self_attn.k_proj.weight")));
            QVERIFY(at::equal(inW.narrow(0, 2 * w, w), stored(tower + "self_attn.v_proj.weight")));
            QVERIFY(at::equal(inB.narrow(0, w, w), stored(tower + "self_attn.k_proj.bias")));
            QVERIFY(at::equal(p.at(ours + "mlp.c_fc.weight"), stored(tower + "mlp.fc1.weight")));
            QVERIFY(at::equal(p.at(ours + "mlp.c_proj.bias"), stored(tower + "mlp.fc2.bias")));
            QVERIFY(at::equal(p.at(ours + "ln_2.weight"), stored(tower + "layer_norm2.weight")));
        }
        QVERIFY(at::equal(p.at("visual.proj"), stored("visual_projection.weight").t()));
        QVERIFY(at::equal(p.at("text_projection"), stored("text_projection.weight").t()));
        QVERIFY(at::equal(p.at("visual.ln_pre.bias"), stored("vision_model.pre_layrnorm.bias")));
        QVERIFY(at::equal(p.at("ln_final.weight"), stored("text_model.final_layer_norm.weight")));
        QVERIFY(at::equal(p.at("logit_scale"), stored("logit_scale")));
        for (const auto& item : loaded.model->parameters()) QVERIFY(!item.requires_grad());
        QVERIFY(!loaded.model->is_training());
        QVERIFY(loaded.tokenizer.has_value());
    }

    void torchScriptArchiveLoadsTheSameParameters() {
        QTemporaryDir dir;
        const std::filesystem::path hf = dir.filePath("hf").toStdString(),
                                    pt = dir.filePath("jit/ViT-tiny.pt").toStdString();
        writeRandomClipHuggingFaceFolder(hf, tinyClipConfig(), 5);
        writeRandomClipTorchScript(pt, tinyClipConfig(), 5);
        const LoadedClip a = loadClipModel(hf), b = loadClipModel(pt);
        QCOMPARE(b.format, ClipWeightFormat::TorchScript);
        const Params pa = paramsOf(*a.model), pb = paramsOf(*b.model);
        QCOMPARE(pa.size(), pb.size());
        for (const auto& [name, tensor] : pa) QVERIFY2(at::equal(tensor, pb.at(name)), name.c_str());
        QVERIFY(b.tokenizer.has_value());  // bpe_simple_vocab_16e6.txt beside the archive
    }
};

QTEST_GUILESS_MAIN(TestClipModules)
#include "tst_clip_modules.moc"
