#pragma once
// Measures the largest single heap allocation made between start() and stop(), by replacing the global
// operator new/delete. Replacement functions cannot be inline, so this header defines them: include it
// in exactly one translation unit of a test executable (each tests/<module>/tst_*.cpp is one).

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace s4::test {

struct LargestAllocation {
    static inline std::atomic<std::size_t> bytes{0};
    static inline std::atomic<bool> tracking{false};

    static void start() {
        bytes = 0;
        tracking = true;
    }
    static void stop() { tracking = false; }
};

}  // namespace s4::test

void* operator new(std::size_t size) {
    using s4::test::LargestAllocation;
    if (LargestAllocation::tracking.load(std::memory_order_relaxed)) {
        std::size_t prev = LargestAllocation::bytes.load(std::memory_order_relaxed);
        while (size > prev && !LargestAllocation::bytes.compare_exchange_weak(prev, size)) {}
    }
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
