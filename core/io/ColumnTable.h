#pragma once
// Turning a numeric table (one row per point, columns named by a ColumnLayout) into a Scene. Shared
// by the binary column readers (NumPy .npy, mmdetection3d points/*.bin), so "x,y,z,r,g,b,label"
// means the same there as in the text reader.

#include "core/common/Error.h"
#include "core/common/Progress.h"
#include "core/io/ColumnSpec.h"
#include "core/scene/Scene.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace s4 {

/// How colour columns are scaled: 0..255, 0..1, or Auto (0..255 if any value exceeds 1).
enum class ColourRange { Auto, Byte, Unit };

/// Fills the scene's positions and attributes from `rows` rows; valueAt(row, column) returns the value
/// as double. Label/instance columns must hold whole numbers in int32 range: anything else throws
/// s4::IoError naming `file` and the row.
template <class ValueAt>
void fillSceneFromTable(Scene& scene, const ColumnLayout& layout, std::size_t rows, const ValueAt& valueAt,
                        ColourRange range, const std::string& file, const Progress& progress) {
    auto column = [&](ColumnKind kind) {
        for (std::size_t c = 0; c < layout.size(); ++c)
            if (layout[c].kind == kind) return static_cast<int>(c);
        return -1;
    };
    const int x = column(ColumnKind::X), y = column(ColumnKind::Y), z = column(ColumnKind::Z);
    const int red = column(ColumnKind::Red), green = column(ColumnKind::Green),
              blue = column(ColumnKind::Blue);
    const int nx = column(ColumnKind::NormalX), ny = column(ColumnKind::NormalY),
              nz = column(ColumnKind::NormalZ);
    const int intensityColumn = column(ColumnKind::Intensity);
    const int labelColumn = column(ColumnKind::Label), instanceColumn = column(ColumnKind::Instance);

    scene.resize(rows);
    for (std::size_t i = 0; i < rows; ++i)
        scene.positions[i] = {float(valueAt(i, x)), float(valueAt(i, y)), float(valueAt(i, z))};

    if (red >= 0 && green >= 0 && blue >= 0) {
        if (range == ColourRange::Auto) {
            range = ColourRange::Unit;
            for (std::size_t i = 0; i < rows && range == ColourRange::Unit; ++i)
                for (int c : {red, green, blue})
                    if (valueAt(i, c) > 1.0) range = ColourRange::Byte;
        }
        const double factor = range == ColourRange::Unit ? 255.0 : 1.0;
        auto* rgb = scene.add(attr::kColor, ScalarType::UInt8, 3).template data<std::uint8_t>();
        for (std::size_t i = 0; i < rows; ++i) {
            int k = 0;
            for (int c : {red, green, blue}) {
                const double v = valueAt(i, c) * factor;
                rgb[3 * i + k++] =
                    std::isfinite(v) ? std::uint8_t(std::lround(std::clamp(v, 0.0, 255.0))) : 0;
            }
        }
    }
    progress.check();
    if (nx >= 0 && ny >= 0 && nz >= 0) {
        auto* normal = scene.add(attr::kNormal, ScalarType::Float32, 3).template data<float>();
        for (std::size_t i = 0; i < rows; ++i) {
            normal[3 * i] = float(valueAt(i, nx));
            normal[3 * i + 1] = float(valueAt(i, ny));
            normal[3 * i + 2] = float(valueAt(i, nz));
        }
    }
    auto floatColumn = [&](const std::string& name, int c) {
        auto* values = scene.add(name, ScalarType::Float32, 1).template data<float>();
        for (std::size_t i = 0; i < rows; ++i) values[i] = float(valueAt(i, c));
    };
    auto idColumn = [&](const std::string& name, int c) {
        auto* values = scene.add(name, ScalarType::Int32, 1).template data<std::int32_t>();
        for (std::size_t i = 0; i < rows; ++i) {
            const double v = valueAt(i, c);
            if (!(v == std::floor(v) && v >= std::numeric_limits<std::int32_t>::min() &&
                  v <= std::numeric_limits<std::int32_t>::max()))
                throw IoError(file, "row " + std::to_string(i + 1),
                              "column " + std::to_string(c + 1) + " ('" + name + "') holds " +
                                  std::to_string(v) + ", not a whole number in int32 range");
            values[i] = static_cast<std::int32_t>(v);
        }
    };
    if (intensityColumn >= 0) floatColumn(attr::kIntensity, intensityColumn);
    if (labelColumn >= 0) idColumn(attr::kLabel, labelColumn);
    if (instanceColumn >= 0) idColumn(attr::kInstance, instanceColumn);
    for (std::size_t c = 0; c < layout.size(); ++c)
        if (layout[c].kind == ColumnKind::Scalar) floatColumn(layout[c].name, static_cast<int>(c));
    progress.check();
}

/// The value profile guessColumnLayout() needs, over every row of the table (as the text reader builds it).
template <class ValueAt>
TableProfile profileTable(std::size_t rows, std::size_t columns, const ValueAt& valueAt) {
    TableProfile t;
    t.columns = columns;
    t.column.resize(columns);
    t.unitTripleAt.assign(columns, columns >= 3 && rows > 0);
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t c = 0; c < columns; ++c) {
            const double v = valueAt(i, c);
            if (!std::isfinite(v)) continue;
            ColumnProfile& p = t.column[c];
            p.integral = p.integral && v == std::floor(v);
            p.min = p.anyFinite ? std::min(p.min, v) : v;
            p.max = p.anyFinite ? std::max(p.max, v) : v;
            p.anyFinite = true;
        }
        for (std::size_t c = 0; c + 3 <= columns; ++c) {
            if (!t.unitTripleAt[c]) continue;
            const double a = valueAt(i, c), b = valueAt(i, c + 1), d = valueAt(i, c + 2);
            const double length = std::sqrt(a * a + b * b + d * d);
            t.unitTripleAt[c] = length == 0.0 || std::fabs(length - 1.0) <= 0.02;
        }
    }
    for (std::size_t c = columns >= 2 ? columns - 2 : 0; c < columns; ++c) t.unitTripleAt[c] = false;
    return t;
}

}  // namespace s4
