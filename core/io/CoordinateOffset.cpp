#include "core/io/CoordinateOffset.h"

#include <cmath>
#include <cstdio>

namespace s4 {

void storePositions(const double* x, const double* y, const double* z, std::size_t count, Scene& scene,
                    const Eigen::Vector3d* shift) {
    bool large = false;
    std::size_t firstFinite = count;
    for (std::size_t i = 0; i < count; ++i) {
        if (!(std::isfinite(x[i]) && std::isfinite(y[i]) && std::isfinite(z[i]))) continue;
        if (firstFinite == count) firstFinite = i;
        if (std::abs(x[i]) >= kLargeCoordinate || std::abs(y[i]) >= kLargeCoordinate ||
            std::abs(z[i]) >= kLargeCoordinate) {
            large = true;
            break;
        }
    }
    Eigen::Vector3d offset = Eigen::Vector3d::Zero();
    if (shift != nullptr && shift->allFinite()) {
        offset = *shift;
        char note[200];
        std::snprintf(note, sizeof note, "positions are relative to the file's global shift (%.17g, %.17g, %.17g)",
                      offset.x(), offset.y(), offset.z());
        scene.source.notes.emplace_back(note);
    } else if (large) {
        offset = {std::round(x[firstFinite]), std::round(y[firstFinite]), std::round(z[firstFinite])};
        char note[160];
        std::snprintf(note, sizeof note,
                      "large coordinates: positions are relative to offset (%.0f, %.0f, %.0f)", offset.x(),
                      offset.y(), offset.z());
        scene.source.notes.emplace_back(note);
    }
    scene.offset = offset;
    scene.positions.resize(count);
    for (std::size_t i = 0; i < count; ++i)
        scene.positions[i] =
            Eigen::Vector3f(static_cast<float>(x[i] - offset.x()), static_cast<float>(y[i] - offset.y()),
                            static_cast<float>(z[i] - offset.z()));
}

}  // namespace s4
