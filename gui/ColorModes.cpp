#include "gui/ColorModes.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace s4::gui {
namespace {

// Viridis (matplotlib, CC0) sampled at t = 0, 1/8, ..., 1; linear interpolation between samples keeps
// it perceptually monotone to within a few ΔE, which is plenty for a height or scalar display.
constexpr std::array<Rgb8, 9> kViridis{{{68, 1, 84},
                                        {71, 45, 123},
                                        {59, 82, 139},
                                        {44, 114, 142},
                                        {33, 145, 140},
                                        {40, 174, 128},
                                        {94, 201, 98},
                                        {173, 220, 48},
                                        {253, 231, 37}}};

// "20 simple distinct colours" (Sasha Trubetskoy), minus grey, white and black which would clash
// with the neutral grey of unlabelled points and with the dark background.
constexpr std::array<Rgb8, 19> kLabelPalette{{{230, 25, 75},
                                              {60, 180, 75},
                                              {255, 225, 25},
                                              {0, 130, 200},
                                              {245, 130, 48},
                                              {145, 30, 180},
                                              {70, 240, 240},
                                              {240, 50, 230},
                                              {210, 245, 60},
                                              {250, 190, 212},
                                              {0, 128, 128},
                                              {220, 190, 255},
                                              {170, 110, 40},
                                              {255, 250, 200},
                                              {128, 0, 0},
                                              {170, 255, 195},
                                              {128, 128, 0},
                                              {255, 215, 180},
                                              {0, 0, 128}}};

std::uint64_t mix64(std::uint64_t x) {
    // splitmix64 finaliser: consecutive ids land far apart.
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

Rgb8 hsvToRgb(double h, double s, double v) {
    const double c = v * s;
    const double hp = std::fmod(h, 360.0) / 60.0;
    const double x = c * (1.0 - std::fabs(std::fmod(hp, 2.0) - 1.0));
    double r = 0, g = 0, b = 0;
    if (hp < 1)
        r = c, g = x;
    else if (hp < 2)
        r = x, g = c;
    else if (hp < 3)
        g = c, b = x;
    else if (hp < 4)
        g = x, b = c;
    else if (hp < 5)
        r = x, b = c;
    else
        r = c, b = x;
    const double m = v - c;
    auto to8 = [m](double u) {
        return static_cast<std::uint8_t>(std::lround(std::clamp(u + m, 0.0, 1.0) * 255.0));
    };
    return {to8(r), to8(g), to8(b)};
}

void put(std::vector<std::uint8_t>& out, std::size_t i, const Rgb8& c) {
    out[3 * i] = c[0];
    out[3 * i + 1] = c[1];
    out[3 * i + 2] = c[2];
}

bool isIdAttribute(const AttributeArray* a) {
    return a && a->components() == 1 && a->type() != ScalarType::Float32 && a->type() != ScalarType::Float64;
}

bool isWellKnown(const std::string& name) {
    return name == attr::kColor || name == attr::kNormal || name == attr::kLabel || name == attr::kInstance ||
           name == attr::kSuperpoint;
}

const char* idAttributeOf(ColorMode mode) {
    switch (mode) {
        case ColorMode::Labels:
            return attr::kLabel;
        case ColorMode::Superpoints:
            return attr::kSuperpoint;
        case ColorMode::Instances:
            return attr::kInstance;
        default:
            return nullptr;
    }
}

}  // namespace

std::vector<std::uint8_t> scalarColors(const std::vector<double>& values, double* lowest, double* highest) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    const double range = hi - lo;
    std::vector<std::uint8_t> out(3 * values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double v = values[i];
        if (!std::isfinite(v))
            put(out, i, kNeutralGrey);
        else
            put(out, i, viridis(range > 0 ? (v - lo) / range : 0.5));
    }
    if (lowest) *lowest = lo;
    if (highest) *highest = hi;
    return out;
}

Rgb8 viridis(double t) {
    if (std::isnan(t)) return kNeutralGrey;
    t = std::clamp(t, 0.0, 1.0) * (kViridis.size() - 1);
    const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(t), kViridis.size() - 2);
    const double f = t - static_cast<double>(k);
    Rgb8 c;
    for (int j = 0; j < 3; ++j)
        c[j] = static_cast<std::uint8_t>(std::lround(kViridis[k][j] * (1.0 - f) + kViridis[k + 1][j] * f));
    return c;
}

int labelPaletteSize() {
    return static_cast<int>(kLabelPalette.size());
}

Rgb8 labelColor(std::int64_t id) {
    if (id <= 0) return kNeutralGrey;
    if (id <= labelPaletteSize()) return kLabelPalette[static_cast<std::size_t>(id - 1)];
    return hashedColor(id);
}

Rgb8 hashedColor(std::int64_t id) {
    const std::uint64_t h = mix64(static_cast<std::uint64_t>(id));
    // Saturation >= 0.55 and value >= 0.65 keep every colour clearly away from the neutral grey.
    const double hue = static_cast<double>(h & 0xffffu) / 65536.0 * 360.0;
    const double sat = 0.55 + 0.45 * static_cast<double>((h >> 16) & 0xffu) / 255.0;
    const double val = 0.65 + 0.35 * static_cast<double>((h >> 24) & 0xffu) / 255.0;
    return hsvToRgb(hue, sat, val);
}

bool colorModeAvailable(const Scene& scene, const ColorSpec& spec) {
    switch (spec.mode) {
        case ColorMode::Rgb:
        case ColorMode::Height:
            return true;
        case ColorMode::Normals: {
            const AttributeArray* n = scene.find(attr::kNormal);
            return n && n->components() == 3;
        }
        case ColorMode::Labels:
        case ColorMode::Superpoints:
        case ColorMode::Instances:
            return isIdAttribute(scene.find(idAttributeOf(spec.mode)));
        case ColorMode::Scalar: {
            const AttributeArray* a = scene.find(spec.field);
            return a && a->components() == 1;
        }
    }
    return false;
}

std::vector<ColorSpec> availableColorSpecs(const Scene& scene) {
    std::vector<ColorSpec> specs;
    for (ColorMode m : {ColorMode::Rgb, ColorMode::Height, ColorMode::Normals, ColorMode::Labels,
                        ColorMode::Superpoints, ColorMode::Instances})
        if (colorModeAvailable(scene, {m, {}})) specs.push_back({m, {}});
    for (const auto& a : scene.attributes())
        if (a.components() == 1 && !isWellKnown(a.name())) specs.push_back({ColorMode::Scalar, a.name()});
    return specs;
}

std::vector<std::uint8_t> computeColors(const Scene& scene, const ColorSpec& spec) {
    const std::size_t n = scene.pointCount();
    std::vector<std::uint8_t> out(3 * n);
    if (!colorModeAvailable(scene, spec)) {
        for (std::size_t i = 0; i < n; ++i) put(out, i, kNeutralGrey);
        return out;
    }
    switch (spec.mode) {
        case ColorMode::Rgb: {
            const AttributeArray* rgb = scene.find(attr::kColor);
            if (rgb && rgb->type() == ScalarType::UInt8 && rgb->components() == 3 && rgb->size() == n) {
                std::copy_n(rgb->data<std::uint8_t>(), 3 * n, out.begin());
            } else {
                for (std::size_t i = 0; i < n; ++i) put(out, i, kNeutralGrey);
            }
            break;
        }
        case ColorMode::Height: {
            std::vector<double> z(n);
            for (std::size_t i = 0; i < n; ++i) z[i] = scene.positions[i].z();
            out = scalarColors(z);
            break;
        }
        case ColorMode::Normals: {
            const AttributeArray& normal = *scene.find(attr::kNormal);
            for (std::size_t i = 0; i < n; ++i) {
                Rgb8 c;
                bool finite = true;
                for (int j = 0; j < 3; ++j) {
                    const double v = normal.valueAsDouble(i, j);
                    finite = finite && std::isfinite(v);
                    c[j] = static_cast<std::uint8_t>(std::lround(std::min(std::fabs(v), 1.0) * 255.0));
                }
                put(out, i, finite ? c : kNeutralGrey);
            }
            break;
        }
        case ColorMode::Labels:
        case ColorMode::Superpoints:
        case ColorMode::Instances: {
            const AttributeArray& ids = *scene.find(idAttributeOf(spec.mode));
            for (std::size_t i = 0; i < n; ++i) {
                const auto id = static_cast<std::int64_t>(ids.valueAsDouble(i));
                Rgb8 c;
                if (spec.mode == ColorMode::Labels)
                    c = labelColor(id);
                else if (spec.mode == ColorMode::Superpoints)
                    c = id < 0 ? kNeutralGrey : hashedColor(id);
                else
                    c = id <= 0 ? kNeutralGrey : hashedColor(id);
                put(out, i, c);
            }
            break;
        }
        case ColorMode::Scalar: {
            const AttributeArray& a = *scene.find(spec.field);
            std::vector<double> values(n);
            for (std::size_t i = 0; i < n; ++i) values[i] = a.valueAsDouble(i);
            out = scalarColors(values);
            break;
        }
    }
    return out;
}

std::string colorSpecName(const ColorSpec& spec) {
    switch (spec.mode) {
        case ColorMode::Rgb:
            return "rgb";
        case ColorMode::Height:
            return "height";
        case ColorMode::Normals:
            return "normals";
        case ColorMode::Labels:
            return "labels";
        case ColorMode::Superpoints:
            return "superpoints";
        case ColorMode::Instances:
            return "instances";
        case ColorMode::Scalar:
            return "field:" + spec.field;
    }
    return {};
}

std::string colorSpecTitle(const ColorSpec& spec) {
    switch (spec.mode) {
        case ColorMode::Rgb:
            return "RGB";
        case ColorMode::Height:
            return "Height";
        case ColorMode::Normals:
            return "Normals";
        case ColorMode::Labels:
            return "Labels";
        case ColorMode::Superpoints:
            return "Superpoints";
        case ColorMode::Instances:
            return "Instances";
        case ColorMode::Scalar:
            return "Field: " + spec.field;
    }
    return {};
}

std::optional<ColorSpec> parseColorSpec(const std::string& name) {
    for (ColorMode m : {ColorMode::Rgb, ColorMode::Height, ColorMode::Normals, ColorMode::Labels,
                        ColorMode::Superpoints, ColorMode::Instances})
        if (colorSpecName({m, {}}) == name) return ColorSpec{m, {}};
    const std::string prefix = "field:";
    if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0)
        return ColorSpec{ColorMode::Scalar, name.substr(prefix.size())};
    return std::nullopt;
}

std::vector<std::string> colorModeNames() {
    return {"rgb", "height", "normals", "labels", "superpoints", "instances", "field:<name>"};
}

}  // namespace s4::gui
