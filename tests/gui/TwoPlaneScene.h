#pragma once
// A synthetic scene for the tokenization suites: a floor (z = 0, label 1) and a wall far away (x = 6,
// label 2), n × n points each on a 2 × 2 square, with a tiny deterministic jitter so that no kNN
// distances tie. Distinct normals and a 5-unit gap: no sensible superpoint or patch spans both planes.

#include "core/scene/Scene.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

namespace s4::test {

inline float jitter(int i, int j) {
    return 1e-4f * static_cast<float>((i * 7919 + j * 104729) % 97) / 97.f;
}

inline std::shared_ptr<Scene> twoPlaneScene(int n = 60) {
    auto scene = std::make_shared<Scene>();
    scene->positions.reserve(2 * std::size_t(n) * n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const float u = 2.f * i / (n - 1) - 1.f, v = 2.f * j / (n - 1);
            scene->positions.emplace_back(u + jitter(i, j), v - 1.f, jitter(j, i));
        }
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const float u = 2.f * i / (n - 1) - 1.f, v = 2.f * j / (n - 1);
            scene->positions.emplace_back(6.f + jitter(i, j), u + jitter(j, i), v);
        }
    auto* label = scene->add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>();
    for (std::size_t k = 0; k < scene->pointCount(); ++k) label[k] = k < std::size_t(n) * n ? 1 : 2;
    return scene;
}

/// The scene as a binary little-endian PLY (x, y, z float, label int), written by hand.
inline std::string twoPlanePly(const Scene& scene) {
    std::string bytes =
        "ply\nformat binary_little_endian 1.0\nelement vertex " + std::to_string(scene.pointCount()) +
        "\nproperty float x\nproperty float y\nproperty float z\nproperty int label\nend_header\n";
    const std::int32_t* label = scene.find(attr::kLabel)->data<std::int32_t>();
    for (std::size_t k = 0; k < scene.pointCount(); ++k) {
        char record[16];
        std::memcpy(record, scene.positions[k].data(), 12);
        std::memcpy(record + 12, &label[k], 4);
        bytes.append(record, sizeof record);
    }
    return bytes;
}

}  // namespace s4::test
