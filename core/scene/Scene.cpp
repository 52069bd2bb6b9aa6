#include "core/scene/Scene.h"

#include "core/common/Error.h"

#include <algorithm>
#include <cmath>

namespace s4 {

AttributeArray* Scene::find(const std::string& name) {
    for (auto& a : attributes_)
        if (a.name() == name) return &a;
    return nullptr;
}

const AttributeArray* Scene::find(const std::string& name) const {
    for (const auto& a : attributes_)
        if (a.name() == name) return &a;
    return nullptr;
}

AttributeArray& Scene::add(const std::string& name, ScalarType type, int components) {
    AttributeArray fresh(name, type, components, pointCount());
    if (AttributeArray* existing = find(name)) {
        *existing = std::move(fresh);
        return *existing;
    }
    attributes_.push_back(std::move(fresh));
    return attributes_.back();
}

bool Scene::remove(const std::string& name) {
    auto it = std::find_if(attributes_.begin(), attributes_.end(),
                           [&](const AttributeArray& a) { return a.name() == name; });
    if (it == attributes_.end()) return false;
    attributes_.erase(it);
    return true;
}

void Scene::resize(std::size_t count) {
    positions.resize(count, Eigen::Vector3f::Zero());
    for (auto& a : attributes_) a.resize(count);
}

void Scene::compact(const std::vector<bool>& keep) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < positions.size() && i < keep.size(); ++i)
        if (keep[i]) positions[out++] = positions[i];
    positions.resize(out);
    for (auto& a : attributes_) a.compact(keep);
    faces.clear();
}

std::uint64_t Scene::dropNonFinite() {
    std::vector<bool> keep(positions.size(), true);
    std::uint64_t dropped = 0;
    for (std::size_t i = 0; i < positions.size(); ++i)
        if (!positions[i].allFinite()) {
            keep[i] = false;
            ++dropped;
        }
    if (dropped > 0) compact(keep);
    source.droppedNonFinite += dropped;
    return dropped;
}

BoundingBox Scene::bounds() const {
    BoundingBox box;
    if (positions.empty()) return box;
    Eigen::Vector3f lo = positions.front(), hi = positions.front();
    for (const auto& p : positions) {
        lo = lo.cwiseMin(p);
        hi = hi.cwiseMax(p);
    }
    box.min = lo.cast<double>() + offset;
    box.max = hi.cast<double>() + offset;
    box.empty = false;
    return box;
}

std::size_t Scene::memoryBytes() const {
    std::size_t bytes = positions.size() * sizeof(Eigen::Vector3f) + faces.size() * sizeof(Eigen::Vector3i);
    for (const auto& a : attributes_) bytes += a.byteSize();
    return bytes;
}

std::map<std::int64_t, std::uint64_t> Scene::histogram(const std::string& attributeName) const {
    std::map<std::int64_t, std::uint64_t> counts;
    const AttributeArray* a = find(attributeName);
    if (!a) return counts;
    if (a->components() != 1 || a->type() == ScalarType::Float32 || a->type() == ScalarType::Float64)
        throw InvalidArgument("attribute '" + attributeName + "' is not a single integer per point");
    for (std::size_t i = 0; i < a->size(); ++i) ++counts[static_cast<std::int64_t>(a->valueAsDouble(i))];
    return counts;
}

} // namespace s4
