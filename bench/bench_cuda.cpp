// GPU kernels (core/cuda) against our CPU path, in the same process: WFPS 1M → 4096 anchors (γ = 0.5,
// described convention), superpoint-constrained ball query of 4096 centres (M = 32, r from the spacing),
// and superpoint-aware propagation of 256-d centre features to every point. Built only with
// -DS4_CUDA=ON. Each GPU case first checks that it returns what the CPU returns (same anchors, same ball
// counts, features within 1e-3) and fails loudly otherwise, so a speed-up is never reported for a wrong
// answer. BM_Ratios reports cpu_over_gpu per stage.

#include "core/cuda/CudaKernels.h"
#include "core/geometry/FarthestPointSampling.h"
#include "core/geometry/NeighborSearch.h"
#include "core/tokenize/FeaturePropagation.h"
#include "core/tokenize/PatchGrouping.h"
#include "core/tokenize/WeightedFarthestPointSampler.h"

#include "bench/BenchTiming.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <thread>

namespace {

constexpr std::size_t kPoints = 1000000;
constexpr std::size_t kAnchors = 4096;
constexpr int kGroupSize = 32;
constexpr int kFeatureDim = 256;

struct Case {
    std::vector<Eigen::Vector3f> points;
    std::vector<float> xyz;  // the same points as a flat n × 3 array for the GPU API
    std::vector<std::int32_t> superpoints;
    std::vector<float> factors;
    std::vector<std::int32_t> anchors;  // CPU WFPS result, shared by the grouping and propagation cases
    std::vector<float> centreFeatures;
    float radius = 0.0f;
};

const Case& theCase() {
    static const Case c = [] {
        Case k;
        std::mt19937_64 rng(42);
        std::uniform_real_distribution<float> u(0.0f, 1.0f);
        k.points.resize(kPoints);
        for (auto& p : k.points) p = Eigen::Vector3f(u(rng), u(rng), u(rng));
        for (const auto& p : k.points) k.xyz.insert(k.xyz.end(), {p.x(), p.y(), p.z()});
        // Synthetic superpoints of varied size: the Voronoi cells of 2000 random seeds.
        std::uniform_int_distribution<std::size_t> pick(0, kPoints - 1);
        std::vector<Eigen::Vector3f> seeds;
        for (int i = 0; i < 2000; ++i) seeds.push_back(k.points[pick(rng)]);
        const s4::KdTree tree(seeds);
        k.superpoints.resize(kPoints);
        for (std::size_t i = 0; i < kPoints; ++i) k.superpoints[i] = tree.nearest(k.points[i]);
        s4::WfpsParams w;
        w.gamma = 0.5;
        k.factors = s4::wfpsFactors(k.superpoints, w);
        k.anchors = s4::farthestPointSampleScored(k.points, k.factors, kAnchors, 0).indices;
        std::vector<Eigen::Vector3f> centres;
        for (auto a : k.anchors) centres.push_back(k.points[std::size_t(a)]);
        k.radius = s4::meanNearestCentreSpacing(centres);
        for (std::size_t i = 0; i < kAnchors * kFeatureDim; ++i) k.centreFeatures.push_back(u(rng) - 0.5f);
        return k;
    }();
    return c;
}

using s4::bench::seconds;
using s4::bench::timed;

bool gpuReady(benchmark::State& state) {
    if (s4::cuda::available()) return true;
    state.SkipWithError(("no GPU path: " + s4::cuda::describe()).c_str());
    return false;
}

void BM_CpuWfps(benchmark::State& state) {
    const Case& c = theCase();
    timed(state, "wfps/cpu", [&] {
        benchmark::DoNotOptimize(s4::farthestPointSampleScored(c.points, c.factors, kAnchors, 0));
    });
}

void BM_GpuWfps(benchmark::State& state) {
    if (!gpuReady(state)) return;
    const Case& c = theCase();
    if (s4::cuda::farthestPointSample(c.xyz.data(), kPoints, c.factors.data(), 0, kAnchors) != c.anchors)
        return state.SkipWithError("GPU WFPS chose different anchors than the CPU");
    timed(state, "wfps/gpu", [&] {
        benchmark::DoNotOptimize(s4::cuda::farthestPointSample(c.xyz.data(), kPoints, c.factors.data(), 0, kAnchors));
    });
}

void BM_CpuBallQuery(benchmark::State& state) {
    const Case& c = theCase();
    s4::PatchGroupingParams p;
    p.mode = s4::GroupingMode::SuperpointBall;
    p.groupSize = kGroupSize;
    timed(state, "ball/cpu", [&] { benchmark::DoNotOptimize(s4::runPatchGrouping(c.points, c.superpoints, c.anchors, p)); });
}

void BM_GpuBallQuery(benchmark::State& state) {
    if (!gpuReady(state)) return;
    const Case& c = theCase();
    std::vector<std::int32_t> members(kAnchors * kGroupSize), counts(kAnchors);
    auto run = [&] {
        s4::cuda::ballQuery(c.xyz.data(), kPoints, c.superpoints.data(), c.anchors.data(), kAnchors, c.radius,
                            kGroupSize, members.data(), counts.data());
    };
    run();
    s4::PatchGroupingParams p;
    p.mode = s4::GroupingMode::SuperpointBall;
    p.groupSize = kGroupSize;
    const s4::Patches cpu = s4::runPatchGrouping(c.points, c.superpoints, c.anchors, p);
    // Counts can differ only for a point lying on the sphere within rounding; more than that is a bug.
    std::size_t mismatches = 0;
    for (std::size_t k = 0; k < kAnchors; ++k) mismatches += std::min(counts[k], kGroupSize) != cpu.validCounts[k];
    state.counters["count_mismatches"] = double(mismatches);
    if (mismatches > kAnchors / 1000)
        return state.SkipWithError("GPU ball query found different member counts than the CPU");
    timed(state, "ball/gpu", run);
}

void BM_CpuPropagation(benchmark::State& state) {
    const Case& c = theCase();
    timed(state, "propagation/cpu", [&] {
        const auto weights = s4::runFeaturePropagation(c.points, c.superpoints, c.anchors, {});
        benchmark::DoNotOptimize(s4::propagateFeatures(weights, c.centreFeatures, kFeatureDim));
    });
}

void BM_GpuPropagation(benchmark::State& state) {
    if (!gpuReady(state)) return;
    const Case& c = theCase();
    std::vector<float> out(kPoints * kFeatureDim);
    const float eps = s4::PropagationParams{}.epsilon;
    auto run = [&] {
        s4::cuda::propagateFeatures(c.xyz.data(), kPoints, c.superpoints.data(), c.anchors.data(), kAnchors,
                                    c.centreFeatures.data(), kFeatureDim, eps, out.data());
    };
    run();
    const auto cpu = s4::propagateFeatures(s4::runFeaturePropagation(c.points, c.superpoints, c.anchors, {}),
                                           c.centreFeatures, kFeatureDim);
    double worst = 0.0;
    for (std::size_t i = 0; i < cpu.size(); ++i) worst = std::max(worst, double(std::abs(cpu[i] - out[i])));
    state.counters["max_abs_diff"] = worst;
    if (worst > 1e-3) return state.SkipWithError("GPU propagation differs from the CPU by more than 1e-3");
    timed(state, "propagation/gpu", run);
}

void BM_Ratios(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(state.iterations());
    auto& s = seconds();
    for (const char* stage : {"wfps", "ball", "propagation"}) {
        const std::string cpu = std::string(stage) + "/cpu", gpu = std::string(stage) + "/gpu";
        if (s.count(cpu) && s.count(gpu)) state.counters[std::string(stage) + "_cpu_over_gpu"] = s[cpu] / s[gpu];
    }
    state.counters["cpu_threads"] = double(std::thread::hardware_concurrency());
    state.SetLabel(s4::cuda::describe());
}

} // namespace

BENCHMARK(BM_CpuWfps)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_GpuWfps)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(BM_CpuBallQuery)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_GpuBallQuery)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(BM_CpuPropagation)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_GpuPropagation)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(BM_Ratios)->Iterations(1);

BENCHMARK_MAIN();
