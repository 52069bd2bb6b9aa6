#pragma once
// What a colour mode means, as data for the legend (pure functions, no Qt): the classes present in an id
// attribute with their palette colour and display name, and the value range a scalar colour mode maps
// onto the colormap. The legend widget only draws these.

#include "core/scene/ClassSet.h"
#include "core/scene/Scene.h"
#include "gui/ColorModes.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace s4::gui {

/// One row of the label legend.
struct LegendClass {
    std::int64_t id = 0;
    std::string name;  ///< the class set's name for id, else "class <id>"; "unlabelled" for ids <= 0
    Rgb8 color{};      ///< labelColor(id): exactly what the viewport draws
    std::uint64_t count = 0;
};

/// Rows for the ids of histogram (id -> point count), ordered by id. Names come from classes when it
/// knows the id; otherwise "class <id>". Ids <= 0 (drawn grey) are named by the class set when it knows
/// them and "unlabelled" otherwise.
std::vector<LegendClass> labelLegend(const std::map<std::int64_t, std::uint64_t>& histogram,
                                     const ClassSet* classes);

/// Names and colours of "label" ids a tool assigned itself, overriding the palette and the class sets:
/// prompt segmentation stores prompt k as id k (0 ≤ k < names.size()) and unknown as -1.
struct AssignedLabelClasses {
    std::string title;                    ///< legend title, e.g. "Prompts"
    std::vector<std::string> names;       ///< name of id k
    std::vector<Rgb8> colors;             ///< colour of id k (same size as names)
    std::string unknownName = "unknown";  ///< ids outside [0, names.size()), drawn kNeutralGrey
};

/// 3 × pointCount() bytes: colors[id] for the "label" ids in range, kNeutralGrey for the rest (and
/// everywhere when the scene has no integer label attribute).
std::vector<std::uint8_t> assignedLabelColors(const Scene& scene, const AssignedLabelClasses& classes);
/// Legend rows for histogram (id -> point count): one "unknown" row (id -1) summing every id out of
/// range, first, then the classes present in id order.
std::vector<LegendClass> assignedLabelLegend(const std::map<std::int64_t, std::uint64_t>& histogram,
                                             const AssignedLabelClasses& classes);

/// The shipped class set a scene's "label" ids most likely follow, judged from its format and file name:
/// "s3dis13" for S3DIS rooms, "semantickitti" for KITTI scans, "shapenetpart" for ShapeNetPart, "nyu40"
/// for ScanNet files (their label files hold NYU40 ids). Empty when nothing says.
std::string guessClassSetName(const Scene& scene);

/// The range a scalar colour mode (Height or Scalar) maps onto viridis: min and max over the finite
/// values, in world units for Height (offset applied). title names the field ("Height (z)",
/// "intensity"). std::nullopt for other modes, an unavailable field or no finite value.
struct ScalarLegend {
    std::string title;
    double min = 0.0;
    double max = 0.0;
};
std::optional<ScalarLegend> scalarLegend(const Scene& scene, const ColorSpec& spec);

}  // namespace s4::gui
