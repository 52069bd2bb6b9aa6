// The whole S4Token tokenization of the ScanNet scene (81,369 points): normals → superpoints → WFPS
// N = 1024 → superpoint-constrained groups M = 32, through the same pipeline the GUI and --batch use.
// Reports the time of each stage and the peak memory the tokenization adds, in bytes per point
// (measured in a forked child: its peak resident size minus its resident size after loading the scene),
// and the peak of live C++ heap bytes it adds (every operator new/delete of this program is counted).
// Baseline in the same run: the kNN tokenizer (FPS + kNN groups) at equal N and M.

#include "core/common/MappedBuffer.h"
#include "core/io/SceneReader.h"
#include "core/pipeline/TokenizationPipeline.h"

#include <benchmark/benchmark.h>

#include <atomic>
#include <new>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <malloc.h>
#include <memory>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

// Live bytes handed out by operator new (usable sizes, so the count matches what delete returns) plus
// the scratch arrays mapped on their own (core/common/MappedBuffer.h), and their peak since the last
// reset. Allocator slack and other non-C++ allocations are not counted.
std::atomic<long long> liveHeapBytes{0};
std::atomic<long long> peakHeapBytes{0};

void countLive(long long delta) {
    const long long now = liveHeapBytes += delta;
    long long peak = peakHeapBytes.load(std::memory_order_relaxed);
    while (now > peak && !peakHeapBytes.compare_exchange_weak(peak, now)) {
    }
}

void* countedAlloc(std::size_t size) {
    void* p = std::malloc(size == 0 ? 1 : size);
    if (p == nullptr) throw std::bad_alloc();
    countLive(static_cast<long long>(malloc_usable_size(p)));
    return p;
}

void countedFree(void* p) noexcept {
    if (p == nullptr) return;
    liveHeapBytes -= static_cast<long long>(malloc_usable_size(p));
    std::free(p);
}

// Registered before main() runs, so no scratch array can exist unobserved.
const bool scratchCounted = (s4::setScratchPagesObserver(&countLive), true);

} // namespace

void* operator new(std::size_t size) { return countedAlloc(size); }
void* operator new[](std::size_t size) { return countedAlloc(size); }
void operator delete(void* p) noexcept { countedFree(p); }
void operator delete[](void* p) noexcept { countedFree(p); }
void operator delete(void* p, std::size_t) noexcept { countedFree(p); }
void operator delete[](void* p, std::size_t) noexcept { countedFree(p); }

namespace {

std::filesystem::path sharedData() {
    if (const char* env = std::getenv("S4_SHARED_DATA_DIR")) return env;
    for (const char* guess : {"../shared/data", "../../shared/data", "../../../shared/data", "../../../../shared/data"})
        if (std::filesystem::exists(std::filesystem::path(guess) / "scannet")) return guess;
    return {};
}

std::shared_ptr<const s4::Scene> scannet() {
    static const std::shared_ptr<const s4::Scene> scene = []() -> std::shared_ptr<const s4::Scene> {
        try {
            auto s = std::make_shared<s4::Scene>(s4::readScene(sharedData() / "scannet" / "scene0000_00_vert_nyu40.ply"));
            s->remove(s4::attr::kSuperpoint);  // compute superpoints, never take dataset ones
            return s;
        } catch (const std::exception&) {
            return nullptr;
        }
    }();
    return scene;
}

s4::TokenizationParams paperParams(s4::TokenizerKind kind) {
    s4::TokenizationParams p;
    p.tokenizer = kind;
    p.sampling.count = 1024;
    p.grouping.groupSize = 32;
    p.superpoints.threads = 2;
    p.sampling.threads = 2;
    p.grouping.threads = 2;
    return p;
}

/// kB from a "Key:   123 kB" line of /proc/self/status.
long statusKb(const char* key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + std::strlen(key));
    return -1;
}

struct PeakBytes {
    double resident = -1;  ///< peak resident size minus resident size before the run
    double heap = -1;      ///< peak live C++ heap minus live heap before the run
};

/// Peak bytes the tokenization adds, measured in a child process so the benchmark's own allocations do
/// not count. -1 where it cannot be measured.
PeakBytes tokenizationPeakBytes(const std::shared_ptr<const s4::Scene>& scene, s4::TokenizerKind kind) {
    int fds[2];
    if (pipe(fds) != 0) return {};
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        // The child inherits the parent's freed-but-retained heap; give it back to the system first,
        // or the tokenization would reuse those pages and its peak would hardly show.
        malloc_trim(0);
        // Start the peak counter afresh: VmHWM is reset by writing 5 to clear_refs.
        { std::ofstream("/proc/self/clear_refs") << "5"; }
        const long before = statusKb("VmRSS:");
        const long long heapBefore = liveHeapBytes.load();
        peakHeapBytes = heapBefore;
        {
            s4::TokenizationPipeline pipeline;
            pipeline.setScene(scene);
            pipeline.run(paperParams(kind));
        }
        const long peak = statusKb("VmHWM:");
        const PeakBytes added{double(peak - before) * 1024.0, double(peakHeapBytes.load() - heapBefore)};
        (void)!write(fds[1], &added, sizeof added);
        _exit(0);
    }
    close(fds[1]);
    PeakBytes added;
    if (read(fds[0], &added, sizeof added) != sizeof added) added = PeakBytes{};
    close(fds[0]);
    waitpid(pid, nullptr, 0);
    return added;
}

void runTokenization(benchmark::State& state, s4::TokenizerKind kind) {
    const auto scene = scannet();
    if (!scene) return state.SkipWithError("ScanNet scene not readable (set S4_SHARED_DATA_DIR)");
    s4::StageTimings sum;
    for (auto _ : state) {
        s4::TokenizationPipeline pipeline;  // fresh: nothing cached
        pipeline.setScene(scene);
        const auto r = pipeline.run(paperParams(kind));
        sum.superpointsMs += r.timings.superpointsMs;
        sum.samplingMs += r.timings.samplingMs;
        sum.groupingMs += r.timings.groupingMs;
    }
    const auto avg = benchmark::Counter::kAvgIterations;
    state.counters["superpoints_ms"] = benchmark::Counter(sum.superpointsMs, avg);
    state.counters["sampling_ms"] = benchmark::Counter(sum.samplingMs, avg);
    state.counters["grouping_ms"] = benchmark::Counter(sum.groupingMs, avg);
    const PeakBytes peak = tokenizationPeakBytes(scene, kind);
    state.counters["peak_bytes_per_point"] = peak.resident / double(scene->pointCount());
    state.counters["heap_peak_bytes_per_point"] = peak.heap / double(scene->pointCount());
}

void BM_TokenizeS4TokenScanNet(benchmark::State& state) { runTokenization(state, s4::TokenizerKind::S4Token); }
void BM_TokenizeKnnBaselineScanNet(benchmark::State& state) { runTokenization(state, s4::TokenizerKind::Knn); }

} // namespace

BENCHMARK(BM_TokenizeKnnBaselineScanNet)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_TokenizeS4TokenScanNet)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_MAIN();
