#include "core/tokenize/PatchAssignment.h"

#include "core/common/Error.h"

#include <limits>

namespace s4 {

std::vector<std::int32_t> assignPointsToPatches(const std::vector<Eigen::Vector3f>& points, const Patches& patches) {
    std::vector<std::int32_t> owner(points.size(), -1);
    std::vector<float> ownerDistance(points.size(), std::numeric_limits<float>::infinity());
    const std::size_t m = static_cast<std::size_t>(patches.groupSize);
    for (std::size_t t = 0; t < patches.count; ++t) {
        const Eigen::Vector3f& centre = patches.centrePositions[t];
        for (std::size_t s = 0; s < m; ++s) {
            if (!patches.valid[t * m + s]) continue;
            const std::int32_t j = patches.members[t * m + s];
            if (j < 0 || static_cast<std::size_t>(j) >= points.size())
                throw InvalidArgument("patch member index out of range");
            const float d = (points[static_cast<std::size_t>(j)] - centre).squaredNorm();
            if (d < ownerDistance[static_cast<std::size_t>(j)]) {
                ownerDistance[static_cast<std::size_t>(j)] = d;
                owner[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(t);
            }
        }
    }
    return owner;
}

} // namespace s4
