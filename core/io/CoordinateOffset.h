#pragma once
// Storing double-precision coordinates in a Scene's float32 positions without losing precision on
// georeferenced data: when coordinates are large, the first point (rounded to whole units) becomes
// scene.offset and positions hold the small remainder (world = offset + position).

#include "core/scene/Scene.h"

#include <cstddef>

namespace s4 {

/// Coordinates at or beyond this magnitude trigger an offset: float32 keeps ~1 mm steps below 1e4.
inline constexpr double kLargeCoordinate = 1.0e4;

/// Resizes scene.positions to `count` and fills them from x[i], y[i], z[i] (doubles). With `shift`
/// (finite), scene.offset becomes *shift — the shift a file names for itself (S4Studio's PLY files name
/// the offset their scene had, so it comes back exactly); otherwise, if any finite coordinate reaches
/// kLargeCoordinate, scene.offset becomes the first finite point rounded to whole units. A note says
/// which. Non-finite values stay non-finite (dropNonFinite() removes them later).
void storePositions(const double* x, const double* y, const double* z, std::size_t count, Scene& scene,
                    const Eigen::Vector3d* shift = nullptr);

}  // namespace s4
