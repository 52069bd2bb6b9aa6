#pragma once
// One line describing a picked point for the status bar: index, world coordinates and every attribute.

#include "core/scene/Scene.h"

#include <string>

namespace s4::gui {

/// "Point 12: x 1.5, y -2, z 0.25 | rgb 255 0 10 | label 3" (world coordinates: offset applied).
/// An index out of range gives an empty string.
std::string describePoint(const Scene& scene, std::size_t index);

}  // namespace s4::gui
