#include "core/geometry/MeshSampling.h"

#include "core/common/Error.h"

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <random>

namespace s4 {
namespace {

// The cumulative area of the triangles (in double: millions of small triangles would lose the
// last ones in float). Validates indices and vertices on the way.
std::vector<double> cumulativeAreas(const std::vector<Eigen::Vector3f>& vertices,
                                    const std::vector<Eigen::Vector3i>& triangles) {
    std::vector<double> cumulative(triangles.size());
    double total = 0.0;
    const auto n = static_cast<long long>(vertices.size());
    for (std::size_t t = 0; t < triangles.size(); ++t) {
        const Eigen::Vector3i& tri = triangles[t];
        for (int k = 0; k < 3; ++k) {
            if (tri[k] < 0 || tri[k] >= n)
                throw InvalidArgument("triangle " + std::to_string(t) + " uses vertex " +
                                      std::to_string(tri[k]) + ", but there are " +
                                      std::to_string(vertices.size()) + " vertices");
            if (!vertices[static_cast<std::size_t>(tri[k])].allFinite())
                throw InvalidArgument("triangle " + std::to_string(t) + " uses the non-finite vertex " +
                                      std::to_string(tri[k]));
        }
        const Eigen::Vector3d a = vertices[static_cast<std::size_t>(tri[0])].cast<double>();
        const Eigen::Vector3d b = vertices[static_cast<std::size_t>(tri[1])].cast<double>();
        const Eigen::Vector3d c = vertices[static_cast<std::size_t>(tri[2])].cast<double>();
        total += 0.5 * (b - a).cross(c - a).norm();
        cumulative[t] = total;
    }
    return cumulative;
}

// A double in [0, 1) from the top 53 bits: std::uniform_real_distribution is implementation-defined,
// this is the same on every standard library.
double unitInterval(std::mt19937_64& rng) {
    return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

}  // namespace

double surfaceArea(const std::vector<Eigen::Vector3f>& vertices,
                   const std::vector<Eigen::Vector3i>& triangles) {
    const std::vector<double> cumulative = cumulativeAreas(vertices, triangles);
    return cumulative.empty() ? 0.0 : cumulative.back();
}

SurfaceSamples sampleSurfaceUniform(const std::vector<Eigen::Vector3f>& vertices,
                                    const std::vector<Eigen::Vector3i>& triangles, std::size_t count,
                                    std::uint64_t seed) {
    const std::vector<double> cumulative = cumulativeAreas(vertices, triangles);
    const double total = cumulative.empty() ? 0.0 : cumulative.back();
    if (!(total > 0.0) || !std::isfinite(total))
        throw InvalidArgument("the mesh has no surface to sample: " + std::to_string(triangles.size()) +
                              " triangles with a total area of " + std::to_string(total));

    SurfaceSamples out;
    out.points.reserve(count);
    out.normals.reserve(count);
    out.triangle.reserve(count);
    std::mt19937_64 rng(seed);
    for (std::size_t i = 0; i < count; ++i) {
        // upper_bound: the first triangle whose cumulative area exceeds u, so zero-area triangles
        // (empty intervals) are never picked.
        const double u = unitInterval(rng) * total;
        const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
        const std::size_t t =
            std::min<std::size_t>(static_cast<std::size_t>(it - cumulative.begin()), cumulative.size() - 1);
        const Eigen::Vector3i& tri = triangles[t];
        const Eigen::Vector3d a = vertices[static_cast<std::size_t>(tri[0])].cast<double>();
        const Eigen::Vector3d b = vertices[static_cast<std::size_t>(tri[1])].cast<double>();
        const Eigen::Vector3d c = vertices[static_cast<std::size_t>(tri[2])].cast<double>();
        // p = (1 - sqrt(r1)) a + sqrt(r1) (1 - r2) b + sqrt(r1) r2 c is uniform over the triangle.
        const double s = std::sqrt(unitInterval(rng));
        const double r2 = unitInterval(rng);
        const Eigen::Vector3d p = (1.0 - s) * a + s * (1.0 - r2) * b + s * r2 * c;
        out.points.push_back(p.cast<float>());
        out.normals.push_back((b - a).cross(c - a).normalized().cast<float>());
        out.triangle.push_back(static_cast<std::int32_t>(t));
    }
    return out;
}

}  // namespace s4
