#pragma once
// Semantic coherence of token patches. A patch is given as a row of M point indices with a validity
// mask (padding slots are invalid), so this does not depend on the tokenizer's own types.
//
//  - purity of a patch = share of its valid, non-ignored member slots that carry the patch's majority
//    ground-truth label (slots are counted as listed: a point listed twice counts twice);
//  - mean purity averages over evaluated patches, i.e. those with at least one valid, non-ignored slot;
//  - crossing share = share of evaluated patches whose valid, non-ignored members carry more than one
//    label (the patch crosses a label boundary).

#include <cstddef>
#include <cstdint>
#include <span>

namespace s4 {

struct PatchScores {
    double meanPurity = 0.0;
    double crossingShare = 0.0;
    std::size_t evaluatedPatches = 0;
    std::size_t crossingPatches = 0;
};

/// members: P × M point indices, row-major; valid: P × M flags (empty = all valid); truth: per point.
/// Throws s4::InvalidArgument for inconsistent sizes or an out-of-range valid member.
PatchScores evaluatePatches(std::span<const std::int32_t> members, std::span<const std::uint8_t> valid,
                            std::size_t patchSize, std::span<const std::int32_t> truth,
                            std::int32_t ignoreLabel = 0);

}  // namespace s4
