#pragma once
// Synthetic clouds shared by tests and benchmarks (header-only, so bench/ needs no test library).

#include "core/scene/Scene.h"

#include <cstdint>
#include <memory>
#include <random>

namespace s4::test {

/// A noisy unit sphere shell of n points (radius noise 2 %): fills a view from every angle.
inline std::shared_ptr<Scene> sphereShell(std::size_t n, std::uint32_t seed = 3) {
    auto scene = std::make_shared<Scene>();
    scene->positions.resize(n);
    std::mt19937 rng(seed);
    std::normal_distribution<float> gauss(0.f, 1.f);
    for (auto& p : scene->positions) {
        Eigen::Vector3f v(gauss(rng), gauss(rng), gauss(rng));
        p = v.normalized() * (1.f + 0.02f * gauss(rng));
    }
    return scene;
}

}  // namespace s4::test
