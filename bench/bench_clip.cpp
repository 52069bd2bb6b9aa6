// CLIP inference on the CPU with LibTorch, on 2 threads: a ViT-B/16-sized VisionTransformer (width 768,
// 12 layers, 12 heads; random weights, nothing loaded from disk) running encodeTokens on 512 tokens
// (the S4Token encoder's workload, S4TOKEN.md §4) at batch 1 and 8, the image forward at 224 px, and
// the text tower (width 512, 12 layers) on a batch of 20 prompts of 77 ids. Counters: ms per call,
// tokens/s (or prompts/s) and the process's peak resident memory (VmHWM) in MB.

#include "core/model/clip/ClipModules.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <benchmark/benchmark.h>

#include <chrono>
#include <functional>
#include <fstream>
#include <string>

namespace {

using namespace s4::clip;

constexpr int kThreads = 2;
constexpr std::int64_t kTokens = 512;

// Peak resident set size of this process in MB, from /proc/self/status (VmHWM, kB).
double peakRssMb() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0.0;
}

ClipConfig vitB16() {
    ClipConfig c;
    c.vision = VisionConfig{224, 16, 768, 12, 12, 3072, Activation::QuickGelu, 1e-5};
    c.text = TextConfig{49408, 77, 512, 12, 8, 2048, Activation::QuickGelu, 1e-5};
    c.embedDim = 512;
    return c;
}

/// A module with random weights from `seed`, frozen and in eval mode as the engine runs it.
template <class Module>
Module frozen(std::uint64_t seed, at::ScalarType type, std::function<Module()> build) {
    at::manual_seed(seed);
    Module m = build();
    for (auto& p : m->parameters()) p.set_requires_grad(false);
    m->to(type);
    m->eval();
    return m;
}

VisionTransformer makeVision(at::ScalarType type) {
    return frozen<VisionTransformer>(0, type, [] { return VisionTransformer(vitB16().vision, vitB16().embedDim); });
}

VisionTransformer& vision() {
    static VisionTransformer model = makeVision(at::kFloat);
    return model;
}

/// The same weights in bfloat16 (what `--precision bf16` runs), for the fp32 : bf16 ratio on this CPU.
VisionTransformer& visionBf16() {
    static VisionTransformer model = makeVision(at::kBFloat16);
    return model;
}

TextTransformer& text() {
    static TextTransformer model =
        frozen<TextTransformer>(1, at::kFloat, [] { return TextTransformer(vitB16().text, vitB16().embedDim); });
    return model;
}

template <class F>
void timeCalls(benchmark::State& state, double itemsPerCall, F&& call) {
    double totalMs = 0;
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        auto out = call();
        benchmark::DoNotOptimize(out.data_ptr());
        const auto end = std::chrono::steady_clock::now();
        totalMs += std::chrono::duration<double, std::milli>(end - start).count();
        state.SetIterationTime(std::chrono::duration<double>(end - start).count());
    }
    const double ms = totalMs / double(state.iterations());
    state.counters["ms"] = ms;
    state.counters["items_per_s"] = itemsPerCall / (ms / 1000.0);
    state.counters["peak_rss_MB"] = peakRssMb();
}

// The frozen ViT blocks on N tokens (the S4Token encoder's path) at batch range(0), in fp32 or in the
// same weights' bfloat16 (what `--precision bf16` runs): the fp32 : bf16 ratio on this CPU in one run.
void BM_VisionEncodeTokens(benchmark::State& state, at::ScalarType dtype) {
    at::set_num_threads(kThreads);
    c10::InferenceMode inference;
    const std::int64_t batch = state.range(0);
    auto& model = dtype == at::kBFloat16 ? visionBf16() : vision();
    const auto tokens = (at::randn({batch, kTokens, 768}) * 0.1).to(dtype);
    timeCalls(state, double(batch * kTokens), [&] { return model->encodeTokens(tokens); });
    state.SetLabel(dtype == at::kBFloat16 ? "tokens/s in items_per_s (bf16)" : "tokens/s in items_per_s");
}
BENCHMARK_CAPTURE(BM_VisionEncodeTokens, fp32, at::kFloat)
    ->Arg(1)
    ->Arg(8)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);
BENCHMARK_CAPTURE(BM_VisionEncodeTokens, bf16, at::kBFloat16)
    ->Arg(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

void BM_VisionImageForward(benchmark::State& state) {
    at::set_num_threads(kThreads);
    c10::InferenceMode inference;
    auto& model = vision();
    const auto images = at::randn({1, 3, 224, 224});
    timeCalls(state, 1.0, [&] { return model->forward(images); });
    state.SetLabel("images/s in items_per_s");
}
BENCHMARK(BM_VisionImageForward)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_TextEncode20Prompts(benchmark::State& state) {
    at::set_num_threads(kThreads);
    c10::InferenceMode inference;
    auto& model = text();
    // 20 prompts of ~8 tokens (SOT, words, EOT = the largest id), zero-padded to 77 as the tokenizer does.
    auto ids = at::zeros({20, 77}, at::kLong);
    for (int i = 0; i < 20; ++i) {
        ids[i][0] = 49406;
        for (int j = 1; j < 7 + i % 4; ++j) ids[i][j] = 320 + (i * 31 + j * 7) % 4000;
        ids[i][7 + i % 4] = 49407;
    }
    timeCalls(state, 20.0, [&] { return model->forward(ids); });
    state.SetLabel("prompts/s in items_per_s");
}
BENCHMARK(BM_TextEncode20Prompts)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
