#pragma once
// Storing double-precision coordinates in a Scene's float32 positions without losing precision on
// georeferenced data: when coordinates are large, the first point (rounded to whole units) becomes
// scene.offset and positions hold the small remainder (world = offset + position).

#include "core/scene/Scene.h"

#include <cstddef>

namespace s4 {

/// Coordinates at or beyond this magnitude trigger an offset: float32 keeps ~1 mm steps below 1e4.
inline constexpr double kLargeCoordinate = 1.0e4;

/// Resizes scene.positions to `count` and fills them from x[i], y[i], z[i] (doubles). If any finite
/// coordinate reaches kLargeCoordinate, scene.offset becomes the first finite point rounded to whole
/// units and a note says so. Non-finite values stay non-finite (dropNonFinite() removes them later).
void storePositions(const double* x, const double* y, const double* z, std::size_t count, Scene& scene);

}  // namespace s4
