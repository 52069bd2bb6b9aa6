// k-nearest-neighbour speed: our KdTree (core/geometry/NeighborSearch.h) against Open3D's KDTreeFlann,
// building the tree and querying k = 16 neighbours of every point, both on the same 2 threads, on 1M
// uniform random points and on the ScanNet scene when the shared data is present.

#include "core/geometry/NeighborSearch.h"
#include "core/geometry/ParallelFor.h"
#include "core/io/SceneReader.h"

#include <benchmark/benchmark.h>
#include <open3d/geometry/KDTreeFlann.h>
#include <open3d/geometry/PointCloud.h>

#include <cstdlib>
#include <filesystem>
#include <random>

namespace {

constexpr int kK = 16;
constexpr int kThreads = 2;

std::filesystem::path sharedData() {
    if (const char* env = std::getenv("S4_SHARED_DATA_DIR")) return env;
    for (const char* guess : {"../shared/data", "../../shared/data", "../../../shared/data", "../../../../shared/data"})
        if (std::filesystem::exists(std::filesystem::path(guess) / "scannet")) return guess;
    return {};
}

const std::vector<Eigen::Vector3f>* cloud(int which) {
    static const std::vector<Eigen::Vector3f> uniform = [] {
        std::mt19937_64 rng(42);
        std::uniform_real_distribution<float> u(0.0f, 1.0f);
        std::vector<Eigen::Vector3f> p(1000000);
        for (auto& x : p) x = Eigen::Vector3f(u(rng), u(rng), u(rng));
        return p;
    }();
    static const std::unique_ptr<std::vector<Eigen::Vector3f>> scannet = []() -> std::unique_ptr<std::vector<Eigen::Vector3f>> {
        try {
            return std::make_unique<std::vector<Eigen::Vector3f>>(
                s4::readScene(sharedData() / "scannet" / "scene0000_00_vert_nyu40.ply").positions);
        } catch (const std::exception&) {
            return nullptr;
        }
    }();
    return which == 0 ? &uniform : scannet.get();
}

void BM_OurKdTreeKnnAll(benchmark::State& state) {
    const auto* pts = cloud(static_cast<int>(state.range(0)));
    if (!pts) return state.SkipWithError("ScanNet scene not readable");
    for (auto _ : state) benchmark::DoNotOptimize(s4::knnAll(*pts, kK, s4::SelfMatch::Include, kThreads));
    state.counters["points"] = static_cast<double>(pts->size());
}

void BM_Open3dKdTreeFlannKnnAll(benchmark::State& state) {
    const auto* pts = cloud(static_cast<int>(state.range(0)));
    if (!pts) return state.SkipWithError("ScanNet scene not readable");
    open3d::geometry::PointCloud pc;
    for (const auto& p : *pts) pc.points_.push_back(p.cast<double>());
    for (auto _ : state) {
        open3d::geometry::KDTreeFlann tree(pc);
        std::vector<int> indices(pts->size() * kK);
        std::vector<double> d2(pts->size() * kK);
        s4::parallelFor(pts->size(), kThreads, [&](std::size_t b, std::size_t e) {
            std::vector<int> idx;
            std::vector<double> dist;
            for (std::size_t i = b; i < e; ++i) {
                tree.SearchKNN(pc.points_[i], kK, idx, dist);
                std::copy(idx.begin(), idx.end(), indices.begin() + static_cast<std::ptrdiff_t>(i * kK));
                std::copy(dist.begin(), dist.end(), d2.begin() + static_cast<std::ptrdiff_t>(i * kK));
            }
        });
        benchmark::DoNotOptimize(indices.data());
    }
    state.counters["points"] = static_cast<double>(pts->size());
}

} // namespace

BENCHMARK(BM_OurKdTreeKnnAll)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_Open3dKdTreeFlannKnnAll)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

BENCHMARK_MAIN();
