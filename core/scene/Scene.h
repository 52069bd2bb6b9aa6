#pragma once
// The scene model every stage works on: float32 positions (plus a double-precision offset for
// georeferenced data, world = offset + position), named per-point attributes, optional mesh faces,
// and notes about how the file was read.

#include "core/scene/AttributeArray.h"

#include <Eigen/Core>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace s4 {

struct BoundingBox {
    Eigen::Vector3d min = Eigen::Vector3d::Zero();
    Eigen::Vector3d max = Eigen::Vector3d::Zero();
    bool empty = true;
};

/// Where a scene came from and what the reader had to do to it.
struct SceneSource {
    std::string path;
    std::string format;                   ///< e.g. "ply-binary-le", "pcd-binary_compressed", "las-1.2"
    std::uint64_t droppedNonFinite = 0;   ///< points with NaN/Inf coordinates left out
    std::vector<std::string> notes;       ///< other things a user should know (skipped properties, ...)
};

class Scene {
public:
    std::vector<Eigen::Vector3f> positions;
    Eigen::Vector3d offset = Eigen::Vector3d::Zero();
    /// Triangles (three vertex indices each) when the file was a mesh; empty for point clouds.
    std::vector<Eigen::Vector3i> faces;
    SceneSource source;

    std::size_t pointCount() const { return positions.size(); }

    /// The attribute with this name, or nullptr.
    AttributeArray* find(const std::string& name);
    const AttributeArray* find(const std::string& name) const;
    /// Adds (or replaces) an attribute sized to pointCount(), zero-filled. May move the other
    /// AttributeArray objects (references to them dangle); their data() pointers stay valid.
    AttributeArray& add(const std::string& name, ScalarType type, int components);
    bool remove(const std::string& name);
    const std::vector<AttributeArray>& attributes() const { return attributes_; }
    std::vector<AttributeArray>& attributes() { return attributes_; }

    /// Resizes the positions and every attribute (new points are zero).
    void resize(std::size_t count);
    /// Keeps the points whose keep[i] is true; faces are dropped (they would dangle).
    void compact(const std::vector<bool>& keep);
    /// Drops points with a NaN/Inf coordinate, adds their count to source.droppedNonFinite and
    /// returns it. Readers call this once after filling the scene.
    std::uint64_t dropNonFinite();

    /// Bounding box in world coordinates (offset applied).
    BoundingBox bounds() const;
    /// Bytes held by positions, attributes and faces.
    std::size_t memoryBytes() const;
    /// Count of each value of an int32/uint32/uint8 single-component attribute (e.g. "label").
    std::map<std::int64_t, std::uint64_t> histogram(const std::string& attributeName) const;

private:
    std::vector<AttributeArray> attributes_;
};

} // namespace s4
