#pragma once
// A minimal blocked parallel loop over std::thread, for the geometry and tokenize stages.
// No pool and no global state: each call starts its threads and joins them before returning, which is
// cheap next to the per-call work these stages do (tens of thousands of points or more).

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace s4 {

/// The thread count to use for `requested` (0 = std::thread::hardware_concurrency(), at least 1).
inline int resolveThreadCount(int requested) {
    if (requested > 0) return requested;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(hw);
}

/// Calls fn(begin, end) on disjoint contiguous ranges covering [0, n), on up to `threads` threads
/// (0 = hardware concurrency). Ranges smaller than `minChunk` are not split further. The first exception
/// thrown by any range is rethrown on the calling thread after all threads have joined.
template <typename Fn>
void parallelFor(std::size_t n, int threads, Fn&& fn, std::size_t minChunk = 1024) {
    if (n == 0) return;
    const std::size_t maxThreads = std::max<std::size_t>(1, (n + minChunk - 1) / std::max<std::size_t>(1, minChunk));
    const std::size_t t = std::min<std::size_t>(static_cast<std::size_t>(resolveThreadCount(threads)), maxThreads);
    if (t <= 1) {
        fn(std::size_t{0}, n);
        return;
    }
    std::vector<std::exception_ptr> errors(t);
    std::vector<std::thread> pool;
    pool.reserve(t - 1);
    const std::size_t chunk = (n + t - 1) / t;
    auto runRange = [&](std::size_t i) {
        const std::size_t b = i * chunk;
        const std::size_t e = std::min(n, b + chunk);
        if (b >= e) return;
        try {
            fn(b, e);
        } catch (...) {
            errors[i] = std::current_exception();
        }
    };
    for (std::size_t i = 1; i < t; ++i) pool.emplace_back(runRange, i);
    runRange(0);
    for (auto& th : pool) th.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

} // namespace s4
