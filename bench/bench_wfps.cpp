// Farthest point sampling speed: Open3D's PointCloud::FarthestPointDownSample (O(N·K) baseline) against
// our exact FPS and WFPS (γ = 0.5, described convention) on 1M uniform random points → 4096 samples,
// and on the ScanNet scene when the shared data is present. The last benchmark of each case reports
// the ratios as counters: open3d_over_fps (target ≥ 20) and wfps_over_fps (target ≤ 1.3).

#include "core/geometry/FarthestPointSampling.h"
#include "core/geometry/NeighborSearch.h"
#include "core/io/SceneReader.h"
#include "core/tokenize/WeightedFarthestPointSampler.h"

#include "bench/BenchTiming.h"

#include <benchmark/benchmark.h>
#include <open3d/geometry/PointCloud.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>

namespace {

struct Case {
    std::vector<Eigen::Vector3f> points;
    std::vector<std::int32_t> superpoints;
};

constexpr std::size_t kSamples = 4096;

// Synthetic superpoints of varied size: the Voronoi cells of 2000 random seeds.
std::vector<std::int32_t> voronoiLabels(const std::vector<Eigen::Vector3f>& points, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::size_t> pick(0, points.size() - 1);
    std::vector<Eigen::Vector3f> seeds;
    for (int i = 0; i < 2000; ++i) seeds.push_back(points[pick(rng)]);
    const s4::KdTree tree(seeds);
    std::vector<std::int32_t> labels(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) labels[i] = tree.nearest(points[i]);
    return labels;
}

const Case& uniformCase() {
    static const Case c = [] {
        Case k;
        std::mt19937_64 rng(42);
        std::uniform_real_distribution<float> u(0.0f, 1.0f);
        k.points.resize(1000000);
        for (auto& p : k.points) p = Eigen::Vector3f(u(rng), u(rng), u(rng));
        k.superpoints = voronoiLabels(k.points, 7);
        return k;
    }();
    return c;
}

std::filesystem::path sharedData() {
    if (const char* env = std::getenv("S4_SHARED_DATA_DIR")) return env;
    for (const char* guess : {"../shared/data", "../../shared/data", "../../../shared/data", "../../../../shared/data"})
        if (std::filesystem::exists(std::filesystem::path(guess) / "scannet")) return guess;
    return {};
}

const Case* scannetCase() {
    static const std::unique_ptr<Case> c = []() -> std::unique_ptr<Case> {
        const auto file = sharedData() / "scannet" / "scene0000_00_vert_nyu40.ply";
        try {
            s4::Scene scene = s4::readScene(file);
            auto k = std::make_unique<Case>();
            k->points = scene.positions;
            if (const auto* sp = scene.find(s4::attr::kSuperpoint))
                k->superpoints.assign(sp->data<std::int32_t>(), sp->data<std::int32_t>() + scene.pointCount());
            else
                k->superpoints = voronoiLabels(k->points, 7);
            return k;
        } catch (const std::exception&) {
            return nullptr;
        }
    }();
    return c.get();
}

using s4::bench::seconds;
using s4::bench::timed;

const Case* caseFor(int which) { return which == 0 ? &uniformCase() : scannetCase(); }
const char* caseName(int which) { return which == 0 ? "uniform1M" : "scannet"; }

void BM_Open3dFps(benchmark::State& state) {
    const Case* c = caseFor(static_cast<int>(state.range(0)));
    if (!c) return state.SkipWithError("ScanNet scene not readable (shared data missing or PLY reader failed)");
    open3d::geometry::PointCloud cloud;
    for (const auto& p : c->points) cloud.points_.push_back(p.cast<double>());
    timed(state, std::string(caseName(static_cast<int>(state.range(0)))) + "/open3d", [&] {
        benchmark::DoNotOptimize(cloud.FarthestPointDownSample(kSamples));
    });
}

void BM_OurFps(benchmark::State& state) {
    const Case* c = caseFor(static_cast<int>(state.range(0)));
    if (!c) return state.SkipWithError("ScanNet scene not readable");
    s4::FarthestPointParams p;
    p.count = kSamples;
    p.firstIndex = 0;
    timed(state, std::string(caseName(static_cast<int>(state.range(0)))) + "/fps", [&] {
        benchmark::DoNotOptimize(s4::runFarthestPointSampling(c->points, p));
    });
}

void BM_OurWfps(benchmark::State& state) {
    const Case* c = caseFor(static_cast<int>(state.range(0)));
    if (!c) return state.SkipWithError("ScanNet scene not readable");
    s4::WfpsParams p;
    p.count = kSamples;
    p.gamma = 0.5;
    p.seed = 1;
    timed(state, std::string(caseName(static_cast<int>(state.range(0)))) + "/wfps", [&] {
        benchmark::DoNotOptimize(s4::runWeightedFarthestPointSampling(c->points, c->superpoints, p));
    });
}

void BM_Ratios(benchmark::State& state) {
    const std::string name = caseName(static_cast<int>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(name);
    auto& s = seconds();
    if (!s.count(name + "/fps") || !s.count(name + "/open3d") || !s.count(name + "/wfps"))
        return state.SkipWithError("a timing of this case is missing");
    state.counters["open3d_over_fps"] = s[name + "/open3d"] / s[name + "/fps"];
    state.counters["wfps_over_fps"] = s[name + "/wfps"] / s[name + "/fps"];
    state.counters["points"] = static_cast<double>(caseFor(static_cast<int>(state.range(0)))->points.size());
}

} // namespace

BENCHMARK(BM_Open3dFps)->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_OurFps)->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_OurWfps)->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Ratios)->Arg(0)->Arg(1)->Iterations(1);

BENCHMARK_MAIN();
