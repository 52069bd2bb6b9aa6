// PLY reading speed: our readScene against Open3D 0.16's open3d::io::ReadPointCloud, in the same process,
// on the same 10M-point binary little-endian file (float x y z, float nx ny nz, uchar red green blue),
// generated once into the temp folder. Prints points/s for both and their ratio.
#include "core/io/SceneReader.h"

#include <benchmark/benchmark.h>
#include <open3d/geometry/PointCloud.h>
#include <open3d/io/PointCloudIO.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kPoints = 10'000'000;
constexpr std::size_t kRecordBytes = 6 * sizeof(float) + 3;

const char* kHeader =
    "ply\nformat binary_little_endian 1.0\ncomment s4studio bench_ply_read\nelement vertex 10000000\n"
    "property float x\nproperty float y\nproperty float z\nproperty float nx\nproperty float ny\n"
    "property float nz\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n";

fs::path benchFile() {
    return fs::temp_directory_path() / "s4_bench_ply_10M_xyz_normal_rgb.ply";
}

// Writes the file unless one of the right size is already there (a previous run made it).
void ensureBenchFile() {
    const fs::path path = benchFile();
    const std::uintmax_t expected = std::strlen(kHeader) + kPoints * kRecordBytes;
    std::error_code ec;
    if (fs::file_size(path, ec) == expected && !ec) return;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(kHeader, static_cast<std::streamsize>(std::strlen(kHeader)));
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> coordinate(-50.f, 50.f);
    std::vector<char> block;
    constexpr std::size_t kBlock = 1 << 16;
    for (std::size_t start = 0; start < kPoints; start += kBlock) {
        const std::size_t n = std::min(kBlock, kPoints - start);
        block.resize(n * kRecordBytes);
        for (std::size_t i = 0; i < n; ++i) {
            float v[6] = {coordinate(rng), coordinate(rng), coordinate(rng), 0.f, 0.f, 1.f};
            const unsigned char rgb[3] = {static_cast<unsigned char>(rng()),
                                          static_cast<unsigned char>(rng()),
                                          static_cast<unsigned char>(rng())};
            std::memcpy(block.data() + i * kRecordBytes, v, sizeof v);
            std::memcpy(block.data() + i * kRecordBytes + sizeof v, rgb, 3);
        }
        out.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Mean seconds per read of each contender, for the summary line.
double g_oursSeconds = 0, g_open3dSeconds = 0;

template <class Read>
void timeReads(benchmark::State& state, Read read, double& meanSeconds) {
    ensureBenchFile();
    double total = 0;
    std::size_t reads = 0;
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        const std::size_t points = read();
        total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        ++reads;
        if (points != kPoints) state.SkipWithError("wrong point count");
    }
    meanSeconds = total / double(reads);
    state.counters["points_per_s"] =
        benchmark::Counter(double(kPoints) * double(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_S4ReadScene(benchmark::State& state) {
    timeReads(
        state,
        [] {
            const s4::Scene scene = s4::readScene(benchFile());
            benchmark::DoNotOptimize(scene.positions.data());
            return scene.pointCount();
        },
        g_oursSeconds);
}

void BM_Open3DReadPointCloud(benchmark::State& state) {
    timeReads(
        state,
        [] {
            open3d::geometry::PointCloud cloud;
            open3d::io::ReadPointCloud(benchFile().string(), cloud);
            benchmark::DoNotOptimize(cloud.points_.data());
            return cloud.points_.size();
        },
        g_open3dSeconds);
}

BENCHMARK(BM_S4ReadScene)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();
BENCHMARK(BM_Open3DReadPointCloud)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    if (g_oursSeconds > 0 && g_open3dSeconds > 0) {
        const double ours = double(kPoints) / g_oursSeconds / 1e6;
        const double open3d = double(kPoints) / g_open3dSeconds / 1e6;
        std::printf("ours %.1f Mpts/s, open3d %.1f Mpts/s, ratio %.2f\n", ours, open3d, ours / open3d);
    }
    return 0;
}
