#include "gui/ColorLegend.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace s4::gui {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

}  // namespace

std::vector<LegendClass> labelLegend(const std::map<std::int64_t, std::uint64_t>& histogram,
                                     const ClassSet* classes) {
    std::vector<LegendClass> rows;
    rows.reserve(histogram.size());
    for (const auto& [id, count] : histogram) {
        LegendClass row;
        row.id = id;
        row.count = count;
        row.color = labelColor(id);
        const ClassInfo* info = nullptr;
        if (classes && id >= std::numeric_limits<int>::min() && id <= std::numeric_limits<int>::max())
            info = classes->byId(static_cast<int>(id));
        if (info)
            row.name = info->name;
        else if (id <= 0)
            row.name = "unlabelled";
        else
            row.name = "class " + std::to_string(id);
        rows.push_back(std::move(row));
    }
    return rows;
}

namespace {

bool inRange(std::int64_t id, const AssignedLabelClasses& classes) {
    return id >= 0 && id < static_cast<std::int64_t>(std::min(classes.names.size(), classes.colors.size()));
}

}  // namespace

std::vector<std::uint8_t> assignedLabelColors(const Scene& scene, const AssignedLabelClasses& classes) {
    const std::size_t n = scene.pointCount();
    std::vector<std::uint8_t> out(3 * n);
    const AttributeArray* label = scene.find(attr::kLabel);
    const bool usable = colorModeAvailable(scene, {ColorMode::Labels, {}}) && label->size() == n;
    for (std::size_t i = 0; i < n; ++i) {
        const auto id = usable ? static_cast<std::int64_t>(label->valueAsDouble(i)) : -1;
        const Rgb8 c = inRange(id, classes) ? classes.colors[static_cast<std::size_t>(id)] : kNeutralGrey;
        std::copy(c.begin(), c.end(), out.begin() + static_cast<std::ptrdiff_t>(3 * i));
    }
    return out;
}

std::vector<LegendClass> assignedLabelLegend(const std::map<std::int64_t, std::uint64_t>& histogram,
                                             const AssignedLabelClasses& classes) {
    std::vector<LegendClass> rows;
    std::uint64_t unknown = 0;
    for (const auto& [id, count] : histogram) {
        if (!inRange(id, classes)) {
            unknown += count;
            continue;
        }
        const auto k = static_cast<std::size_t>(id);
        rows.push_back({id, classes.names[k], classes.colors[k], count});
    }
    if (unknown > 0) rows.insert(rows.begin(), LegendClass{-1, classes.unknownName, kNeutralGrey, unknown});
    return rows;
}

std::string guessClassSetName(const Scene& scene) {
    const std::string& format = scene.source.format;
    if (format == "s3dis") return "s3dis13";
    if (format == "kitti-bin") return "semantickitti";
    if (format == "shapenetpart-pts") return "shapenetpart";
    // ScanNet label files (*_vh_clean_2.labels.ply, mmdetection3d's *_vert_nyu40.ply) store NYU40 ids;
    // the 20 benchmark classes are a subset of them, so NYU40 names every id such a file can hold.
    const std::string path = lower(scene.source.path);
    if (path.find("nyu40") != std::string::npos || path.find("scannet") != std::string::npos ||
        path.find("_vh_clean") != std::string::npos)
        return "nyu40";
    return {};
}

std::optional<ScalarLegend> scalarLegend(const Scene& scene, const ColorSpec& spec) {
    if (!colorModeAvailable(scene, spec)) return std::nullopt;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    ScalarLegend legend;
    if (spec.mode == ColorMode::Height) {
        // The same z values computeColors maps (float positions), shown in world units.
        for (const Eigen::Vector3f& p : scene.positions)
            if (std::isfinite(p.z())) lo = std::min(lo, double(p.z())), hi = std::max(hi, double(p.z()));
        lo += scene.offset.z();
        hi += scene.offset.z();
        legend.title = "Height (z)";
    } else if (spec.mode == ColorMode::Scalar) {
        const AttributeArray& a = *scene.find(spec.field);
        for (std::size_t i = 0; i < a.size(); ++i) {
            const double v = a.valueAsDouble(i);
            if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
        }
        legend.title = spec.field;
    } else {
        return std::nullopt;
    }
    if (!(lo <= hi)) return std::nullopt;
    legend.min = lo;
    legend.max = hi;
    return legend;
}

}  // namespace s4::gui
