#pragma once
// One line describing a picked point for the status bar: index, world coordinates and every attribute.

#include "core/scene/Scene.h"

#include <cstdint>
#include <string>
#include <vector>

namespace s4::gui {

/// "Point 12: x 1.5, y -2, z 0.25 | rgb 255 0 10 | label 3" (world coordinates: offset applied).
/// An index out of range gives an empty string.
std::string describePoint(const Scene& scene, std::size_t index);

/// " | token: superpoint 4, patch 17" for the point's entry in a tokenization result: superpointOfPoint
/// (empty: "superpoint –") and patchOfPoint (empty or -1: "patch none"). Empty for an index out of range
/// of both tables.
std::string describeTokenMembership(const std::vector<std::int32_t>& superpointOfPoint,
                                    const std::vector<std::int32_t>& patchOfPoint, std::size_t index);

}  // namespace s4::gui
