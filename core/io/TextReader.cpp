// XYZ / TXT / CSV / PTS text point clouds. The file is parsed once into a column-major table of
// doubles (memory ~ file size: every value costs at least two bytes of text), then the column layout
// is chosen (explicit spec > header line > guess, see ColumnSpec.h for the guessing rules) and the
// table becomes a Scene. Large coordinates are shifted into scene.offset (CoordinateOffset.h).
#include "core/common/Error.h"
#include "core/common/Log.h"
#include "core/io/ColumnSpec.h"
#include "core/io/CoordinateOffset.h"
#include "core/io/FormatReaders.h"
#include "core/io/MappedFile.h"
#include "core/io/TextScanner.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace s4 {
namespace {

struct Table {
    std::size_t columns = 0;
    std::vector<std::vector<double>> values;  // values[column][row]
    std::uint64_t firstDataLine = 0;
    // Open3D / Leica .pts: a first line holding only the point count.
    std::uint64_t countLine = 0;
    std::int64_t declaredCount = 0;
    // An uncommented header line of names ("x y z red green blue").
    std::uint64_t headerLine = 0;
    std::vector<std::string> headerNames;
    // The last comment before the data ("//X,Y,Z,R,G,B"): a header if it fits.
    std::uint64_t commentLine = 0;
    std::vector<std::string> commentNames;

    std::size_t rows() const { return values.empty() ? 0 : values.front().size(); }
};

bool noFieldIsNumeric(const std::vector<std::string_view>& fields) {
    double v;
    return std::none_of(fields.begin(), fields.end(),
                        [&](std::string_view f) { return text::parseDouble(f, v); });
}

Table parseTable(const MappedFile& file, const Progress& progress) {
    Table t;
    const std::string_view all = file.text();
    const std::string& name = file.name();
    text::LineScanner scanner(all);
    std::vector<std::string_view> fields;
    std::string_view lastComment;
    std::uint64_t lastCommentLine = 0;
    while (scanner.next()) {
        const std::string_view line = scanner.line();
        const std::uint64_t ln = scanner.lineNumber();
        if ((ln & 0xFFFF) == 0) {
            progress.check();
            progress.report(static_cast<double>(scanner.offset()) / static_cast<double>(all.size()));
        }
        if (text::isBlank(line)) continue;
        if (text::isComment(line)) {
            if (t.columns == 0) {
                lastComment = text::commentBody(line);
                lastCommentLine = ln;
            }
            continue;
        }
        text::splitFields(line, fields);
        if (t.columns == 0) {
            if (t.headerLine == 0 && t.countLine == 0 && noFieldIsNumeric(fields)) {
                t.headerLine = ln;
                t.headerNames = splitColumnNames(text::trim(line));
                continue;
            }
            std::int64_t declared = 0;
            if (t.headerLine == 0 && t.countLine == 0 && fields.size() == 1 &&
                text::parseInt64(fields[0], declared) && declared >= 0) {
                t.countLine = ln;
                t.declaredCount = declared;
                continue;
            }
            if (fields.size() < 3)
                throw IoError(name, IoError::atLine(ln),
                              "holds " + std::to_string(fields.size()) +
                                  " value(s), but a point needs at least three (x y z)");
            t.columns = fields.size();
            t.firstDataLine = ln;
            if (lastCommentLine != 0) {
                t.commentLine = lastCommentLine;
                t.commentNames = splitColumnNames(lastComment);
            }
            // Reserve from the line count of the file itself, never from a declared count: each row
            // needs at least two bytes per value, which caps the estimate by the file size too.
            const std::size_t byLines = text::estimateLineCount(all.substr(scanner.offset()));
            const std::size_t bySize = all.size() / (2 * t.columns) + 1;
            t.values.resize(t.columns);
            for (auto& column : t.values) column.reserve(std::min(byLines, bySize) + 1);
        }
        if (fields.size() != t.columns)
            throw IoError(name, IoError::atLine(ln),
                          "holds " + std::to_string(fields.size()) + " values, but line " +
                              std::to_string(t.firstDataLine) + " holds " + std::to_string(t.columns) +
                              " (every line must have the same columns)");
        for (std::size_t k = 0; k < t.columns; ++k) {
            double v;
            if (!text::parseDouble(fields[k], v))
                throw IoError(
                    name, IoError::atLine(ln),
                    "value " + std::to_string(k + 1) + " " + text::quoted(fields[k]) + " is not a number");
            t.values[k].push_back(v);
        }
    }
    return t;
}

// The line a data row came from: only needed for error messages, so the file is scanned again.
std::uint64_t lineOfRow(const MappedFile& file, const Table& t, std::size_t row) {
    text::LineScanner scanner(file.text());
    while (scanner.next()) {
        const std::uint64_t ln = scanner.lineNumber();
        if (ln < t.firstDataLine || text::isBlank(scanner.line()) || text::isComment(scanner.line()))
            continue;
        if (row-- == 0) return ln;
    }
    return 0;
}

ColumnProfile profileOf(const std::vector<double>& values) {
    ColumnProfile p;
    p.min = std::numeric_limits<double>::infinity();
    p.max = -std::numeric_limits<double>::infinity();
    for (double v : values) {
        if (!std::isfinite(v)) continue;
        p.anyFinite = true;
        p.integral = p.integral && v == std::floor(v);
        p.min = std::min(p.min, v);
        p.max = std::max(p.max, v);
    }
    return p;
}

bool unitTriple(const Table& t, std::size_t k) {
    bool anyNonZero = false;
    for (std::size_t r = 0; r < t.rows(); ++r) {
        const double a = t.values[k][r], b = t.values[k + 1][r], c = t.values[k + 2][r];
        if (!(std::isfinite(a) && std::isfinite(b) && std::isfinite(c))) continue;
        const double n = std::sqrt(a * a + b * b + c * c);
        if (n == 0.0) continue;  // "no normal" rows are common in exported clouds
        if (std::abs(n - 1.0) > 0.02) return false;
        anyNonZero = true;
    }
    return anyNonZero;
}

TableProfile profileOf(const Table& t) {
    TableProfile p;
    p.columns = t.columns;
    p.hasCountLine = t.countLine != 0;
    for (const auto& column : t.values) p.column.push_back(profileOf(column));
    p.unitTripleAt.assign(t.columns, false);
    for (std::size_t k : {std::size_t(3), std::size_t(6)})
        if (k + 3 <= t.columns) p.unitTripleAt[k] = unitTriple(t, k);
    return p;
}

std::size_t indexOf(const ColumnLayout& layout, ColumnKind kind) {
    for (std::size_t k = 0; k < layout.size(); ++k)
        if (layout[k].kind == kind) return k;
    return layout.size();
}

ColumnLayout chooseLayout(const MappedFile& file, const Table& t, const ReadOptions& options, Scene& scene) {
    const std::string& name = file.name();
    if (!options.columns.empty()) {
        ColumnLayout layout = parseColumnSpec(options.columns);
        if (layout.size() != t.columns)
            throw IoError(name, IoError::atLine(t.firstDataLine),
                          "holds " + std::to_string(t.columns) + " values per line, but the column spec '" +
                              options.columns + "' names " + std::to_string(layout.size()));
        scene.source.notes.push_back("columns as given: " + describeLayout(layout));
        if (t.headerLine != 0)
            scene.source.notes.push_back("header line " + std::to_string(t.headerLine) +
                                         " ignored (columns given)");
        return layout;
    }
    if (t.headerLine != 0) {
        ColumnLayout layout;
        for (const auto& n : t.headerNames) layout.push_back(columnFromName(n));
        if (layout.size() != t.columns)
            throw IoError(name, IoError::atLine(t.headerLine),
                          "the header names " + std::to_string(layout.size()) + " columns, but line " +
                              std::to_string(t.firstDataLine) + " holds " + std::to_string(t.columns) +
                              " values");
        const std::string problem = layoutProblem(layout);
        if (!problem.empty())
            throw IoError(name, IoError::atLine(t.headerLine), "the header line " + problem);
        scene.source.notes.push_back("columns from the header on line " + std::to_string(t.headerLine) +
                                     ": " + describeLayout(layout));
        return layout;
    }
    if (t.commentLine != 0 && t.commentNames.size() == t.columns) {
        ColumnLayout layout;
        for (const auto& n : t.commentNames) layout.push_back(columnFromName(n));
        // A comment is only a header if it reads like one; "# exported by foo" is just a comment.
        if (layoutProblem(layout).empty()) {
            scene.source.notes.push_back("columns from the header comment on line " +
                                         std::to_string(t.commentLine) + ": " + describeLayout(layout));
            return layout;
        }
    }
    ColumnLayout layout = guessColumnLayout(profileOf(t));
    scene.source.notes.push_back("columns guessed as " + describeLayout(layout));
    return layout;
}

void storeColours(const MappedFile& file, const Table& t, const ColumnLayout& layout, Scene& scene) {
    const std::size_t cols[3] = {indexOf(layout, ColumnKind::Red), indexOf(layout, ColumnKind::Green),
                                 indexOf(layout, ColumnKind::Blue)};
    bool bytes = true, unit = true, sixteenBit = true;
    for (std::size_t c : cols) {
        const ColumnProfile p = profileOf(t.values[c]);
        bytes = bytes && p.integral && p.min >= 0.0 && p.max <= 255.0;
        unit = unit && p.min >= 0.0 && p.max <= 1.0;
        sixteenBit = sixteenBit && p.integral && p.min >= 0.0 && p.max <= 65535.0;
    }
    // Integers 0..255 are taken as they are; otherwise 0..1 floats or 16-bit integers are scaled.
    double scale = 1.0;
    if (!bytes && unit) {
        scale = 255.0;
        scene.source.notes.emplace_back("colours given as 0..1 values, scaled to 0..255");
    } else if (!bytes && sixteenBit) {
        scale = 1.0 / 257.0;
        scene.source.notes.emplace_back("16-bit colours scaled to 0..255");
    }
    auto* rgb = scene.add(attr::kColor, ScalarType::UInt8, 3).data<std::uint8_t>();
    for (std::size_t r = 0; r < t.rows(); ++r) {
        for (int c = 0; c < 3; ++c) {
            const double v = std::round(t.values[cols[c]][r] * scale);
            if (!(v >= 0.0 && v <= 255.0)) {
                char value[64];
                std::snprintf(value, sizeof value, "%g", t.values[cols[c]][r]);
                throw IoError(file.name(), IoError::atLine(lineOfRow(file, t, r)),
                              std::string("colour value ") + value +
                                  " is outside 0..255 (and the colours are not 0..1 or 16-bit values)");
            }
            rgb[3 * r + c] = static_cast<std::uint8_t>(v);
        }
    }
}

void storeIntegers(const MappedFile& file, const Table& t, std::size_t column, const std::string& attribute,
                   Scene& scene) {
    auto* out = scene.add(attribute, ScalarType::Int32, 1).data<std::int32_t>();
    constexpr double lo = std::numeric_limits<std::int32_t>::min();
    constexpr double hi = std::numeric_limits<std::int32_t>::max();
    for (std::size_t r = 0; r < t.rows(); ++r) {
        const double v = t.values[column][r];
        if (!(std::isfinite(v) && v == std::floor(v) && v >= lo && v <= hi)) {
            char value[64];
            std::snprintf(value, sizeof value, "%g", v);
            throw IoError(file.name(), IoError::atLine(lineOfRow(file, t, r)),
                          attribute + " value " + value + " is not a whole number in the 32-bit range");
        }
        out[r] = static_cast<std::int32_t>(v);
    }
}

void storeFloats(const Table& t, std::size_t column, const std::string& attribute, int components,
                 int component, Scene& scene) {
    AttributeArray* a = scene.find(attribute);
    if (!a) a = &scene.add(attribute, ScalarType::Float32, components);
    float* out = a->data<float>();
    for (std::size_t r = 0; r < t.rows(); ++r)
        out[components * r + component] = static_cast<float>(t.values[column][r]);
}

}  // namespace

Scene readText(const std::filesystem::path& path, const ReadOptions& options, const Progress& progress) {
    const MappedFile file(path);
    // A NUL byte never occurs in text: say "binary" rather than report some odd token on some line.
    if (const void* nul = std::memchr(file.data(), 0, file.size()))
        throw IoError(file.name(), IoError::atByte(static_cast<const std::uint8_t*>(nul) - file.data()),
                      "holds a NUL byte, so this is a binary file and not a text point cloud");
    const Table t = parseTable(file, progress.sub(0.0, 0.8));
    if (t.rows() == 0)
        throw IoError(file.name(), "holds no points (only blank lines, comments, a header or a count line)");
    if (t.countLine != 0 && static_cast<std::uint64_t>(t.declaredCount) != t.rows())
        throw IoError(file.name(), IoError::atLine(t.countLine),
                      "says the file holds " + std::to_string(t.declaredCount) + " points, but " +
                          std::to_string(t.rows()) + " point lines follow");

    Scene scene;
    scene.source.path = path.string();
    scene.source.format = "text";
    const ColumnLayout layout = chooseLayout(file, t, options, scene);
    if (t.countLine != 0)
        scene.source.notes.push_back("point count line " + std::to_string(t.countLine) + " matches the " +
                                     std::to_string(t.rows()) + " points");

    storePositions(t.values[indexOf(layout, ColumnKind::X)].data(),
                   t.values[indexOf(layout, ColumnKind::Y)].data(),
                   t.values[indexOf(layout, ColumnKind::Z)].data(), t.rows(), scene);
    if (indexOf(layout, ColumnKind::Red) < layout.size()) storeColours(file, t, layout, scene);
    for (std::size_t k = 0; k < layout.size(); ++k) {
        switch (layout[k].kind) {
            case ColumnKind::NormalX:
                storeFloats(t, k, attr::kNormal, 3, 0, scene);
                break;
            case ColumnKind::NormalY:
                storeFloats(t, k, attr::kNormal, 3, 1, scene);
                break;
            case ColumnKind::NormalZ:
                storeFloats(t, k, attr::kNormal, 3, 2, scene);
                break;
            case ColumnKind::Intensity:
                storeFloats(t, k, attr::kIntensity, 1, 0, scene);
                break;
            case ColumnKind::Scalar:
                storeFloats(t, k, layout[k].name, 1, 0, scene);
                break;
            case ColumnKind::Label:
                storeIntegers(file, t, k, attr::kLabel, scene);
                break;
            case ColumnKind::Instance:
                storeIntegers(file, t, k, attr::kInstance, scene);
                break;
            default:
                break;
        }
    }
    progress.report(0.95);
    scene.dropNonFinite();
    logger("io")->debug("{}: {} points, {}", file.name(), scene.pointCount(), scene.source.notes.front());
    return scene;
}

}  // namespace s4
