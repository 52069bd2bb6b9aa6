#pragma once
// The body of main() for benchmarks that measure what s4studio does: the allocator is set up as s4studio
// sets it first thing in its main() (core/common/FreedMemory.h), then Google Benchmark runs.

#include "core/common/FreedMemory.h"

#include <benchmark/benchmark.h>

namespace s4::bench {

inline int runAsApplication(int argc, char** argv) {
    s4::mapLargeAllocations();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

}  // namespace s4::bench
