#pragma once
// Per-point colours of a scene for the viewport: pure functions Scene -> RGB bytes, no Qt and no
// display, so they are unit-tested on their own. The viewport only ever receives an RGB array, so
// later layers (tokenization anchors, patches, prompt scores) plug in by producing such an array.

#include "core/scene/Scene.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace s4::gui {

using Rgb8 = std::array<std::uint8_t, 3>;

/// How points are coloured.
enum class ColorMode {
    Rgb,          ///< the "rgb" attribute; uniform grey when the scene has none
    Height,       ///< z coordinate, min–max over the scene, perceptual colormap (viridis)
    Normals,      ///< |nx|, |ny|, |nz| of the "normal" attribute mapped to red, green, blue
    Labels,       ///< "label" ids through a fixed palette of distinct colours, id <= 0 grey
    Superpoints,  ///< "superpoint" ids, hashed to distinct colours, negative ids grey
    Instances,    ///< "instance" ids, hashed to distinct colours, id <= 0 grey (no instance)
    Scalar,       ///< any single-component attribute, min–max over its finite values, viridis
};

/// A colour mode plus, for ColorMode::Scalar, the attribute it reads.
struct ColorSpec {
    ColorMode mode = ColorMode::Rgb;
    std::string field;  ///< attribute name, only for ColorMode::Scalar
    bool operator==(const ColorSpec&) const = default;
};

/// Colour of points that carry no information in the chosen mode (unlabelled, missing field, NaN).
inline constexpr Rgb8 kNeutralGrey{128, 128, 128};

/// Viridis colormap at t in [0, 1] (clamped; NaN gives kNeutralGrey).
Rgb8 viridis(double t);
/// 3 bytes per value: viridis from the finite minimum to the maximum (its middle colour when they are
/// equal), kNeutralGrey where a value is not finite. lo and hi receive that range (lo > hi when no value
/// is finite).
std::vector<std::uint8_t> scalarColors(const std::vector<double>& values, double* lo = nullptr, double* hi = nullptr);
/// Fixed palette colour of a semantic label id; ids <= 0 are kNeutralGrey. Ids beyond the palette
/// fall back to hashedColor so every id gets a colour.
Rgb8 labelColor(std::int64_t id);
/// Number of hand-picked entries in the label palette (ids 1..labelPaletteSize()).
int labelPaletteSize();
/// A deterministic, well-saturated colour for an arbitrary id (superpoints, instances).
Rgb8 hashedColor(std::int64_t id);

/// True when the scene has what the mode needs (Rgb is always available: grey fallback).
bool colorModeAvailable(const Scene& scene, const ColorSpec& spec);
/// Every spec the scene supports, in menu order: rgb, height, normals, labels, superpoints,
/// instances, then one Scalar spec per other single-component numeric attribute.
std::vector<ColorSpec> availableColorSpecs(const Scene& scene);
/// 3 × pointCount() bytes (r, g, b per point). An unavailable spec colours everything kNeutralGrey.
std::vector<std::uint8_t> computeColors(const Scene& scene, const ColorSpec& spec);

/// Menu / command-line name: "rgb", "height", "normals", "labels", "superpoints", "instances",
/// "field:<name>" for a scalar field.
std::string colorSpecName(const ColorSpec& spec);
/// Human title for menus: "RGB", "Height", ..., "Field: intensity".
std::string colorSpecTitle(const ColorSpec& spec);
/// Inverse of colorSpecName; std::nullopt for an unknown name.
std::optional<ColorSpec> parseColorSpec(const std::string& name);
/// The names parseColorSpec accepts besides "field:<name>", for error messages.
std::vector<std::string> colorModeNames();

}  // namespace s4::gui
