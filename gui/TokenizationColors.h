#pragma once
// Per-point colours of tokenization layers (pure functions, no Qt): superpoints and patches, in the same
// RGB-bytes form the viewport takes from ColorModes.

#include <cstdint>
#include <vector>

namespace s4::gui {

/// 3 bytes per point: each superpoint id hashed to a distinct colour (hashedColor), negative ids grey.
std::vector<std::uint8_t> superpointLayerColors(const std::vector<std::int32_t>& superpointOfPoint);
/// 3 bytes per point: each patch id its own colour, points in no patch (-1) kUnassignedGrey. Patch
/// colours are drawn from a different hash stream than superpoint colours, so the two layers differ.
std::vector<std::uint8_t> patchLayerColors(const std::vector<std::int32_t>& patchOfPoint);

/// Points in no patch: a darker grey than kNeutralGrey, since with M·N below the point count most of
/// the cloud is unassigned and the patches must stand out against it.
inline constexpr std::uint8_t kUnassignedGrey[3] = {70, 70, 70};

/// Colour of anchor (patch centre) glyphs.
inline constexpr std::uint8_t kAnchorColor[3] = {255, 32, 32};

}  // namespace s4::gui
