#include "core/io/ColumnSpec.h"

#include "core/common/Error.h"
#include "core/io/TextScanner.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>

namespace s4 {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

struct Alias {
    const char* name;
    ColumnKind kind;
};

constexpr std::array<Alias, 33> kAliases{{
    {"x", ColumnKind::X},
    {"y", ColumnKind::Y},
    {"z", ColumnKind::Z},
    {"r", ColumnKind::Red},
    {"g", ColumnKind::Green},
    {"b", ColumnKind::Blue},
    {"red", ColumnKind::Red},
    {"green", ColumnKind::Green},
    {"blue", ColumnKind::Blue},
    {"nx", ColumnKind::NormalX},
    {"ny", ColumnKind::NormalY},
    {"nz", ColumnKind::NormalZ},
    {"normal_x", ColumnKind::NormalX},
    {"normal_y", ColumnKind::NormalY},
    {"normal_z", ColumnKind::NormalZ},
    {"normalx", ColumnKind::NormalX},
    {"normaly", ColumnKind::NormalY},
    {"normalz", ColumnKind::NormalZ},
    {"n_x", ColumnKind::NormalX},
    {"n_y", ColumnKind::NormalY},
    {"n_z", ColumnKind::NormalZ},
    {"intensity", ColumnKind::Intensity},
    {"i", ColumnKind::Intensity},
    {"reflectance", ColumnKind::Intensity},
    {"remission", ColumnKind::Intensity},
    {"label", ColumnKind::Label},
    {"class", ColumnKind::Label},
    {"classification", ColumnKind::Label},
    {"semantic", ColumnKind::Label},
    {"instance", ColumnKind::Instance},
    {"instance_id", ColumnKind::Instance},
    {"object", ColumnKind::Instance},
    {"skip", ColumnKind::Skip},
}};

const char* canonicalName(ColumnKind kind) {
    switch (kind) {
        case ColumnKind::X:
            return "x";
        case ColumnKind::Y:
            return "y";
        case ColumnKind::Z:
            return "z";
        case ColumnKind::Red:
            return "r";
        case ColumnKind::Green:
            return "g";
        case ColumnKind::Blue:
            return "b";
        case ColumnKind::NormalX:
            return "nx";
        case ColumnKind::NormalY:
            return "ny";
        case ColumnKind::NormalZ:
            return "nz";
        case ColumnKind::Intensity:
            return "intensity";
        case ColumnKind::Label:
            return "label";
        case ColumnKind::Instance:
            return "instance";
        case ColumnKind::Scalar:
            return "scalar";
        case ColumnKind::Skip:
            return "skip";
    }
    return "?";
}

Column known(ColumnKind kind) {
    return {kind, canonicalName(kind)};
}

int count(const ColumnLayout& layout, ColumnKind kind) {
    return static_cast<int>(
        std::count_if(layout.begin(), layout.end(), [&](const Column& c) { return c.kind == kind; }));
}

bool isLabelLike(const ColumnProfile& p) {
    constexpr double lo = std::numeric_limits<std::int32_t>::min();
    constexpr double hi = std::numeric_limits<std::int32_t>::max();
    return p.anyFinite && p.integral && p.min >= lo && p.max <= hi;
}

enum class Triple { Normals, Colours };

Triple classifyTriple(const TableProfile& t, std::size_t first) {
    if (first < t.unitTripleAt.size() && t.unitTripleAt[first]) return Triple::Normals;
    if (looksLikeColour(t.column[first], t.column[first + 1], t.column[first + 2])) return Triple::Colours;
    return Triple::Normals;
}

void appendTriple(ColumnLayout& layout, Triple kind) {
    if (kind == Triple::Colours) {
        for (auto k : {ColumnKind::Red, ColumnKind::Green, ColumnKind::Blue}) layout.push_back(known(k));
    } else {
        for (auto k : {ColumnKind::NormalX, ColumnKind::NormalY, ColumnKind::NormalZ})
            layout.push_back(known(k));
    }
}

void appendLabelOrIntensity(ColumnLayout& layout, const ColumnProfile& p) {
    layout.push_back(known(isLabelLike(p) ? ColumnKind::Label : ColumnKind::Intensity));
}

}  // namespace

Column columnFromName(std::string_view rawName) {
    const std::string_view name = text::trim(rawName);
    const std::string key = lower(name);
    if (key == "_") return known(ColumnKind::Skip);
    for (const auto& a : kAliases)
        if (key == a.name) return known(a.kind);
    std::string field(name);
    std::replace(field.begin(), field.end(), ' ', '_');
    return {ColumnKind::Scalar, field};
}

std::vector<std::string> splitColumnNames(std::string_view textLine) {
    const bool hard = textLine.find_first_of(",;\t") != std::string_view::npos;
    std::vector<std::string> names;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= textLine.size(); ++i) {
        const bool end = i == textLine.size();
        const char c = end ? '\0' : textLine[i];
        const bool separator = end || (hard ? (c == ',' || c == ';' || c == '\t') : (c == ' '));
        if (!separator) continue;
        const std::string_view piece = text::trim(textLine.substr(start, i - start));
        // Empty pieces come from doubled spaces (soft mode) or a trailing comma: not names.
        if (!piece.empty()) names.emplace_back(piece);
        start = i + 1;
    }
    return names;
}

ColumnLayout parseColumnSpec(std::string_view spec) {
    ColumnLayout layout;
    for (const auto& name : splitColumnNames(spec)) layout.push_back(columnFromName(name));
    const std::string problem = layoutProblem(layout);
    if (!problem.empty())
        throw InvalidArgument(
            "column spec '" + std::string(spec) + "' " + problem +
            " (names: x y z r g b nx ny nz intensity label instance skip, or any scalar field name)");
    return layout;
}

std::string layoutProblem(const ColumnLayout& layout) {
    if (layout.empty()) return "names no columns";
    for (auto k : {ColumnKind::X, ColumnKind::Y, ColumnKind::Z})
        if (count(layout, k) == 0) return std::string("has no ") + canonicalName(k) + " column";
    for (const auto& c : layout) {
        if (c.kind == ColumnKind::Skip) continue;
        const bool dup = std::count_if(layout.begin(), layout.end(), [&](const Column& o) {
                             return o.kind == c.kind && (c.kind != ColumnKind::Scalar || o.name == c.name);
                         }) > 1;
        if (dup) return "names '" + c.name + "' twice";
    }
    const int colours =
        count(layout, ColumnKind::Red) + count(layout, ColumnKind::Green) + count(layout, ColumnKind::Blue);
    if (colours != 0 && colours != 3) return "has only some of r, g, b (give all three or none)";
    const int normals = count(layout, ColumnKind::NormalX) + count(layout, ColumnKind::NormalY) +
                        count(layout, ColumnKind::NormalZ);
    if (normals != 0 && normals != 3) return "has only some of nx, ny, nz (give all three or none)";
    for (const auto& c : layout)
        if (c.kind == ColumnKind::Scalar &&
            (c.name == "rgb" || c.name == "normal" || c.name == "superpoint" || c.name.empty()))
            return "uses the reserved name '" + c.name + "' for a scalar field";
    return {};
}

std::string describeLayout(const ColumnLayout& layout) {
    std::string out;
    for (const auto& c : layout) {
        if (!out.empty()) out += ' ';
        out += c.name;
    }
    return out;
}

bool looksLikeColour(const ColumnProfile& a, const ColumnProfile& b, const ColumnProfile& c) {
    bool bytes = true, unit = true;
    for (const ColumnProfile* p : {&a, &b, &c}) {
        if (!p->anyFinite) return false;
        bytes = bytes && p->integral && p->min >= 0.0 && p->max <= 255.0;
        unit = unit && p->min >= 0.0 && p->max <= 1.0;
    }
    return bytes || unit;
}

ColumnLayout guessColumnLayout(const TableProfile& t) {
    ColumnLayout layout{known(ColumnKind::X), known(ColumnKind::Y), known(ColumnKind::Z)};
    const std::size_t n = t.columns;
    if (n == 3) return layout;
    if (n == 4) {
        layout.push_back(known(ColumnKind::Intensity));
        return layout;
    }
    if (n == 6) {
        appendTriple(layout, classifyTriple(t, 3));
        return layout;
    }
    if (n == 7) {
        if (t.hasCountLine && looksLikeColour(t.column[4], t.column[5], t.column[6])) {
            layout.push_back(known(ColumnKind::Intensity));
            appendTriple(layout, Triple::Colours);
            return layout;
        }
        appendTriple(layout, classifyTriple(t, 3));
        appendLabelOrIntensity(layout, t.column[6]);
        return layout;
    }
    if (n == 9 || n == 10) {
        const Triple first =
            t.unitTripleAt.size() > 3 && t.unitTripleAt[3] ? Triple::Normals : Triple::Colours;
        appendTriple(layout, first);
        appendTriple(layout, first == Triple::Colours ? Triple::Normals : Triple::Colours);
        if (n == 10) appendLabelOrIntensity(layout, t.column[9]);
        return layout;
    }
    for (std::size_t k = 3; k < n; ++k)
        layout.push_back({ColumnKind::Scalar, "column_" + std::to_string(k + 1)});
    return layout;
}

}  // namespace s4
