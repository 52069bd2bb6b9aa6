#include "gui/PointDescription.h"

#include <cmath>
#include <cstdio>

namespace s4::gui {
namespace {

std::string number(double v, bool integer) {
    char buf[64];
    if (integer && std::isfinite(v))
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else
        std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

}  // namespace

std::string describePoint(const Scene& scene, std::size_t index) {
    if (index >= scene.pointCount()) return {};
    const Eigen::Vector3d p = scene.offset + scene.positions[index].cast<double>();
    std::string text = "Point " + std::to_string(index) + ": x " + number(p.x(), false) + ", y " +
                       number(p.y(), false) + ", z " + number(p.z(), false);
    for (const AttributeArray& a : scene.attributes()) {
        const bool integer = a.type() != ScalarType::Float32 && a.type() != ScalarType::Float64;
        text += " | " + a.name();
        for (int c = 0; c < a.components(); ++c) text += " " + number(a.valueAsDouble(index, c), integer);
    }
    return text;
}

std::string describeTokenMembership(const std::vector<std::int32_t>& superpointOfPoint,
                                    const std::vector<std::int32_t>& patchOfPoint, std::size_t index) {
    if (index >= superpointOfPoint.size() && index >= patchOfPoint.size()) return {};
    std::string text = " | token: superpoint ";
    text += index < superpointOfPoint.size() ? std::to_string(superpointOfPoint[index]) : "–";
    text += ", patch ";
    const bool inPatch = index < patchOfPoint.size() && patchOfPoint[index] >= 0;
    text += inPatch ? std::to_string(patchOfPoint[index]) : "none";
    return text;
}

}  // namespace s4::gui
