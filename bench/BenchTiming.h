#pragma once
// Wall-clock timing shared by the ratio benchmarks: each timed case stores its mean seconds under a key,
// and a final case reports ratios of those means as counters (baseline and contender in one process).

#include <benchmark/benchmark.h>

#include <chrono>
#include <map>
#include <string>

namespace s4::bench {

/// Mean seconds per iteration of every case timed so far, by key.
inline std::map<std::string, double>& seconds() {
    static std::map<std::string, double> s;
    return s;
}

/// Runs fn once per iteration with manual timing and records the mean under key.
template <typename Fn>
void timed(benchmark::State& state, const std::string& key, Fn&& fn) {
    double total = 0.0;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        state.SetIterationTime(dt);
        total += dt;
    }
    seconds()[key] = total / static_cast<double>(state.iterations());
}

} // namespace s4::bench
