// The whole superpoint stage (normals + eigen features → kNN graph → ℓ0 cut pursuit → minimum-size
// merge → piecewise-planar merge) on the ScanNet scene (81,369 points), with the default SuperpointParams
// and, as references, with the cut pursuit's flow graphs unbounded (block size 0) and with the stage as it
// was before the planar merge (ρ = 0.05, minimum size 8, no planar merge). Counters give the
// seconds of each sub-stage (averaged over iterations), the superpoint count and the oracle mIoU, so
// a speed change can be read against its quality change.

#include "core/eval/PartitionMetrics.h"
#include "core/geometry/NeighborSearch.h"
#include "core/io/SceneReader.h"
#include "core/superpoint/SuperpointPartition.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>

namespace {

std::filesystem::path sharedData() {
    if (const char* env = std::getenv("S4_SHARED_DATA_DIR")) return env;
    for (const char* guess :
         {"../shared/data", "../../shared/data", "../../../shared/data", "../../../../shared/data"})
        if (std::filesystem::exists(std::filesystem::path(guess) / "scannet")) return guess;
    return {};
}

const s4::Scene* scannet() {
    static const std::unique_ptr<s4::Scene> scene = []() -> std::unique_ptr<s4::Scene> {
        try {
            return std::make_unique<s4::Scene>(
                s4::readScene(sharedData() / "scannet" / "scene0000_00_vert_nyu40.ply"));
        } catch (const std::exception&) {
            return nullptr;
        }
    }();
    return scene.get();
}

void runStage(benchmark::State& state, s4::SuperpointParams params) {
    const s4::Scene* scene = scannet();
    if (!scene) return state.SkipWithError("ScanNet scene not readable (set S4_SHARED_DATA_DIR)");
    params.useDatasetSuperpoints = false;
    params.threads = 2;
    s4::SuperpointTimings sum;
    s4::SuperpointPartition last;
    for (auto _ : state) {
        last = s4::runSuperpointPartition(*scene, params);
        sum.features += last.timings.features;
        sum.graph += last.timings.graph;
        sum.cutPursuit += last.timings.cutPursuit;
        sum.merge += last.timings.merge;
        sum.planarMerge += last.timings.planarMerge;
    }
    const auto avg = benchmark::Counter::kAvgIterations;
    state.counters["features_s"] = benchmark::Counter(sum.features, avg);
    state.counters["graph_s"] = benchmark::Counter(sum.graph, avg);
    state.counters["cutpursuit_s"] = benchmark::Counter(sum.cutPursuit, avg);
    state.counters["merge_s"] = benchmark::Counter(sum.merge, avg);
    state.counters["planar_merge_s"] = benchmark::Counter(sum.planarMerge, avg);
    state.counters["points"] = double(scene->pointCount());
    state.counters["superpoints"] = double(last.count);
    state.counters["cp_components"] = double(last.cutPursuitComponents);
    state.counters["min_size_components"] = double(last.minimumSizeComponents);
    if (const s4::AttributeArray* label = scene->find(s4::attr::kLabel)) {
        const std::vector<std::int32_t> truth(label->data<std::int32_t>(),
                                              label->data<std::int32_t>() + scene->pointCount());
        const auto nb = s4::knnAll(scene->positions, 10, s4::SelfMatch::Exclude, 2);
        const auto scores = s4::evaluatePartition(last.labels, truth, nb.indices, nb.k, 0);
        state.counters["oracle_mIoU"] = scores.oracle.meanIoU;
        state.counters["mean_size"] = scores.meanSuperpointSize;
        state.counters["boundary_recall"] = scores.boundary.recall;
        state.counters["boundary_precision"] = scores.boundary.precision;
    }
}
/// The default parameters.
void BM_SuperpointStageScanNet(benchmark::State& state) { runStage(state, s4::SuperpointParams{}); }

/// The defaults but with the cut pursuit started from the graph's connected components and its max-flows
/// over every active vertex at once (block size 0, the solver before the memory work): the reference for
/// the quality and time that the bounded flow graphs cost.
void BM_SuperpointStageScanNetWholeGraphFlow(benchmark::State& state) {
    s4::SuperpointParams params;
    params.cutPursuit.blockSize = 0;
    runStage(state, params);
}

/// The stage before the piecewise-planar merge (round 6 of bench/README.md): the minimum size alone sets
/// the mean size.
void BM_SuperpointStageScanNetMinimumSizeOnly(benchmark::State& state) {
    s4::SuperpointParams params;
    params.regularization = 0.05;
    params.minSuperpointSize = 8;
    params.planarMerge.penalty = 0.0;
    runStage(state, params);
}

/// A flat, uniformly coloured surface (300 × 300 points on a jittered 1 cm grid, rgb 128 ± 13): cut
/// pursuit proposes splits whose two values nearly coincide. Before the graph cut decided such pieces
/// without a max-flow (BinaryGraphCut.h) this took 75 s, growing with the square of the size.
void BM_SuperpointStageFlatUniformSurface(benchmark::State& state) {
    s4::Scene scene;
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    const int w = 300;
    for (int i = 0; i < w; ++i)
        for (int j = 0; j < w; ++j)
            scene.positions.emplace_back(0.01f * float(i) + 0.003f * unit(rng), 0.01f * float(j) + 0.003f * unit(rng),
                                         0.0005f * unit(rng));
    scene.resize(scene.positions.size());
    auto& rgb = scene.add(s4::attr::kColor, s4::ScalarType::UInt8, 3);
    for (std::size_t k = 0; k < 3 * scene.pointCount(); ++k)
        rgb.data<std::uint8_t>()[k] = std::uint8_t(128.0f + 0.1f * (unit(rng) - 0.5f) * 255.0f);
    s4::SuperpointParams params;
    params.useDatasetSuperpoints = false;
    params.threads = 2;
    std::size_t count = 0;
    double cutPursuit = 0.0;
    for (auto _ : state) {
        const auto r = s4::runSuperpointPartition(scene, params);
        count = r.count;
        cutPursuit += r.timings.cutPursuit;
    }
    state.counters["cutpursuit_s"] = benchmark::Counter(cutPursuit, benchmark::Counter::kAvgIterations);
    state.counters["superpoints"] = double(count);
}

BENCHMARK(BM_SuperpointStageScanNet)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_SuperpointStageScanNetWholeGraphFlow)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_SuperpointStageScanNetMinimumSizeOnly)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_SuperpointStageFlatUniformSurface)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
