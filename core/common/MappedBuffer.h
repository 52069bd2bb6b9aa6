#pragma once
// Scratch arrays whose memory goes back to the system the moment they are freed.
//
// glibc's malloc serves a block from the heap unless it is above its mmap threshold (128 KiB at first,
// raised to the size of the largest block freed so far), and a freed heap block stays resident until
// something reuses it or malloc_trim finds whole free pages around it. A long stage that allocates and
// frees multi-megabyte intermediates at every step (the superpoint stage's cut pursuit and merges) thus
// grows its resident size tens of bytes per point past its live heap. MappedAllocator maps every block of
// kMappedBufferBytes or more on its own (mmap / munmap) and leaves smaller ones to operator new; it is
// used only for such scratch arrays (MappedBuffer), so the rest of the program (LibTorch's tensors, Qt,
// VTK) keeps malloc's reuse of large blocks (a process-wide fixed mmap threshold made a CLIP image
// forward 44 % slower). Measured in bench/README.md "Whole tokenization".

#include <cstddef>
#include <new>
#include <vector>

namespace s4 {

inline constexpr std::size_t kMappedBufferBytes = 64 * 1024;

/// Maps `bytes` of zeroed, page-aligned memory; throws std::bad_alloc when the system refuses.
void* mapScratchPages(std::size_t bytes);
/// Unmaps memory from mapScratchPages (same size).
void unmapScratchPages(void* pointer, std::size_t bytes) noexcept;

/// Called with +bytes / −bytes at every map / unmap (nullptr = none), for memory accounting in
/// benchmarks. Set it before any scratch array exists.
void setScratchPagesObserver(void (*observer)(long long deltaBytes)) noexcept;

template <class T>
struct MappedAllocator {
    using value_type = T;
    static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "over-aligned types are not supported");

    MappedAllocator() noexcept = default;
    template <class U>
    MappedAllocator(const MappedAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        if (n > std::size_t(-1) / sizeof(T)) throw std::bad_array_new_length();
        const std::size_t bytes = n * sizeof(T);
        return static_cast<T*>(bytes >= kMappedBufferBytes ? mapScratchPages(bytes) : ::operator new(bytes));
    }
    void deallocate(T* p, std::size_t n) noexcept {
        const std::size_t bytes = n * sizeof(T);
        if (bytes >= kMappedBufferBytes)
            unmapScratchPages(p, bytes);
        else
            ::operator delete(p);
    }
    template <class U>
    bool operator==(const MappedAllocator<U>&) const noexcept {
        return true;
    }
};

/// A std::vector for scratch data: see the file comment.
template <class T>
using MappedBuffer = std::vector<T, MappedAllocator<T>>;

}  // namespace s4
