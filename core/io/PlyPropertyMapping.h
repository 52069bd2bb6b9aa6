#pragma once
// Which scene attribute each property of a PLY vertex element feeds: x y z → positions,
// red/green/blue (r/g/b, diffuse_*) → "rgb", nx/ny/nz → "normal", intensity/scalar_intensity/remission
// → "intensity", label/class/semantic/scalar_label → "label", instance/instance_id/objectId →
// "instance", superpoint/segment → "superpoint"; any other scalar property → a float32 field of its own
// name, where name_0, name_1, ... name_{k-1} together form one k-component field "name" (what the
// writer emits for multi-component attributes). List properties are skipped.

#include "core/io/PlyHeader.h"

#include <string>
#include <vector>

namespace s4 {

enum class PlyRole {
    Skip,
    X,
    Y,
    Z,
    Red,
    Green,
    Blue,
    NX,
    NY,
    NZ,
    Intensity,
    Label,
    Instance,
    Superpoint,
    Generic
};

struct PlyPropertyTarget {
    PlyRole role = PlyRole::Skip;
    std::string attribute;  ///< Generic only: the scene attribute's name
    int component = 0;      ///< Generic only: component within the attribute
    int components = 1;     ///< Generic only: the attribute's component count
};

struct PlyVertexMapping {
    std::vector<PlyPropertyTarget> targets;  ///< one per property of the element, in order
    bool hasColour = false;
    bool hasNormal = false;
    std::vector<std::string> notes;  ///< skipped list properties, renamed fields
};

/// Maps the properties of a vertex element. The first property that claims a role wins; a later
/// one with the same role (e.g. both "red" and "r") becomes a generic field. Colour and normal need
/// all three components, otherwise their parts stay generic fields. Generic names that would clash
/// with a standard attribute name ("rgb", "label", ...) get a "ply_" prefix.
PlyVertexMapping mapVertexProperties(const PlyElement& vertex);

}  // namespace s4
