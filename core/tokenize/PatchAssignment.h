#pragma once
// One patch id per point, for display and export: patches overlap, so a point listed by several patches
// belongs to the one whose centre is nearest (ties: the lower patch id); a point in no patch gets -1.

#include "core/tokenize/PatchGrouping.h"

#include <cstdint>
#include <vector>

namespace s4 {

/// Per point: the id (0..N-1) of the nearest-centre patch that lists it as a valid member, or -1.
std::vector<std::int32_t> assignPointsToPatches(const std::vector<Eigen::Vector3f>& points, const Patches& patches);

} // namespace s4
