#include "core/common/MappedBuffer.h"

#include <atomic>

#include <sys/mman.h>

namespace s4 {

namespace {
std::atomic<void (*)(long long)> observer{nullptr};
}  // namespace

void* mapScratchPages(std::size_t bytes) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    if (auto* o = observer.load(std::memory_order_relaxed)) o((long long)bytes);
    return p;
}

void unmapScratchPages(void* pointer, std::size_t bytes) noexcept {
    if (pointer == nullptr) return;
    munmap(pointer, bytes);
    if (auto* o = observer.load(std::memory_order_relaxed)) o(-(long long)bytes);
}

void setScratchPagesObserver(void (*o)(long long)) noexcept { observer.store(o); }

}  // namespace s4
