#pragma once
// Uniform random sampling of points on a triangle mesh's surface: triangles are chosen with
// probability proportional to their area, points inside a triangle uniformly (square-root trick,
// Osada et al. 2002, "Shape distributions", eq. 1). Deterministic for a given seed on every platform.

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace s4 {

struct SurfaceSamples {
    std::vector<Eigen::Vector3f> points;
    std::vector<Eigen::Vector3f> normals;  ///< unit normal of the triangle each point lies on
    std::vector<std::int32_t> triangle;    ///< index of that triangle
};

/// Draws `count` points uniformly on the surface of the triangles (vertex indices into `vertices`),
/// using std::mt19937_64 seeded with `seed`. Throws s4::InvalidArgument if an index is out of range,
/// a vertex used by a triangle is not finite, or the total area is zero (nothing to sample).
SurfaceSamples sampleSurfaceUniform(const std::vector<Eigen::Vector3f>& vertices,
                                    const std::vector<Eigen::Vector3i>& triangles, std::size_t count,
                                    std::uint64_t seed);

/// Total surface area of the triangles (same validation as sampleSurfaceUniform, except zero area).
double surfaceArea(const std::vector<Eigen::Vector3f>& vertices,
                   const std::vector<Eigen::Vector3i>& triangles);

}  // namespace s4
