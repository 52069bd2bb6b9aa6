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

}  // namespace s4
