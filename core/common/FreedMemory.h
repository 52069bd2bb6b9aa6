#pragma once
// Giving freed heap memory back to the operating system between the steps of a long stage.
//
// glibc's malloc keeps most freed memory resident: blocks below its (self-raising) mmap threshold stay
// in the heap, and only the top of each arena is returned. A stage that frees large intermediates and
// then allocates differently sized ones (the superpoint stage: kNN table → graph → cut-pursuit
// iterations → merge) therefore grows its resident size well past its live heap — on the ScanNet scene
// ~300 bytes per point resident for ~190 live. Releasing the freed pages at the step boundaries keeps
// the resident peak near the live peak (bench/README.md "Whole tokenization").

namespace s4 {

/// Returns the free pages of every malloc arena to the system (glibc's malloc_trim); a few
/// milliseconds. Does nothing with other C libraries. Safe to call from any thread.
void releaseFreedMemory();

/// Serves every allocation of kLargeAllocationBytes or more from its own memory mapping, so that freeing
/// it returns it to the system at once (glibc: a fixed M_MMAP_THRESHOLD; its default starts at 128 KiB
/// and rises to the largest block freed so far, after which large intermediates come from the heap and
/// their pages stay resident where malloc_trim cannot reach them between live blocks). With the
/// superpoint stage's small-ρ cut pursuit (many components, large per-step lists) the resident peak of
/// the ScanNet tokenization was ~218 bytes per point for ~185 live without this and ~197 with it, for
/// ~3 % stage time. The executables call it first thing in main() (the benchmarks do too, to measure
/// what they do); a library never changes the allocator by itself. Does nothing with other C libraries.
void mapLargeAllocations();

inline constexpr int kLargeAllocationBytes = 64 * 1024;

}  // namespace s4
