#pragma once
// A synthetic scene for the γ-sweep and picking suites: one large floor superpoint (id 0, a 40 × 40 grid
// on [0, 4]² at z = 0) and four small superpoints (ids 1–4, 5 × 5 grids with spacing 0.1) placed apart
// from it, labelled through the scene's own "superpoint" attribute. Ids follow the smallest point index,
// so the pipeline keeps them as they are.

#include "core/scene/Scene.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

namespace s4::test {

inline constexpr int kFloorSide = 40;
inline constexpr int kClusterSide = 5;
inline constexpr int kClusterCount = 4;
inline constexpr std::size_t kFloorPoints = std::size_t(kFloorSide) * kFloorSide;
inline constexpr std::size_t kClusterPoints = std::size_t(kClusterSide) * kClusterSide;

/// The superpoint a point of sweepScene() belongs to, from its index alone.
inline std::int32_t sweepSceneSuperpoint(std::size_t index) {
    return index < kFloorPoints ? 0 : static_cast<std::int32_t>(1 + (index - kFloorPoints) / kClusterPoints);
}

inline std::shared_ptr<Scene> sweepScene() {
    auto scene = std::make_shared<Scene>();
    for (int i = 0; i < kFloorSide; ++i)
        for (int j = 0; j < kFloorSide; ++j)
            scene->positions.emplace_back(4.f * i / (kFloorSide - 1), 4.f * j / (kFloorSide - 1), 0.f);
    // Small clusters beside the floor (x = -1.5) and above it, 1.3 apart.
    for (int c = 0; c < kClusterCount; ++c)
        for (int i = 0; i < kClusterSide; ++i)
            for (int j = 0; j < kClusterSide; ++j)
                scene->positions.emplace_back(-1.5f + 0.1f * i, 0.2f + 1.3f * c + 0.1f * j, 0.5f);
    auto* sp = scene->add(attr::kSuperpoint, ScalarType::Int32, 1).data<std::int32_t>();
    for (std::size_t k = 0; k < scene->pointCount(); ++k) sp[k] = sweepSceneSuperpoint(k);
    return scene;
}

/// The scene as a binary little-endian PLY (x, y, z float, superpoint int), written by hand.
inline std::string sweepScenePly(const Scene& scene) {
    std::string bytes =
        "ply\nformat binary_little_endian 1.0\nelement vertex " + std::to_string(scene.pointCount()) +
        "\nproperty float x\nproperty float y\nproperty float z\nproperty int superpoint\nend_header\n";
    const std::int32_t* sp = scene.find(attr::kSuperpoint)->data<std::int32_t>();
    for (std::size_t k = 0; k < scene.pointCount(); ++k) {
        char record[16];
        std::memcpy(record, scene.positions[k].data(), 12);
        std::memcpy(record + 12, &sp[k], 4);
        bytes.append(record, sizeof record);
    }
    return bytes;
}

}  // namespace s4::test
