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
