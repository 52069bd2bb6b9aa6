// ShapeNetPart v0 (non-normal layout): points/<id>.pts holds "x y z" per line, and
// points_label/<id>.seg (or <id>.seg beside the .pts) one part label per line, in the same order.
// The labels are the category's own part ids as the .seg file gives them (1-based in the release).
// The "normal" layout (.txt "x y z nx ny nz label") is plain text and goes through readText.
#include "core/common/Error.h"
#include "core/io/CoordinateOffset.h"
#include "core/io/FormatReaders.h"
#include "core/io/MappedFile.h"
#include "core/io/TextScanner.h"

#include <algorithm>
#include <limits>

namespace s4 {
namespace fs = std::filesystem;
namespace {

fs::path findSegFile(const fs::path& pts) {
    fs::path beside = pts;
    beside.replace_extension(".seg");
    std::error_code ec;
    if (fs::is_regular_file(beside, ec)) return beside;
    const fs::path official = pts.parent_path().parent_path() / "points_label" / beside.filename();
    if (fs::is_regular_file(official, ec)) return official;
    throw IoError(pts.string(), "no part labels found: expected " + beside.filename().string() +
                                    " beside it or in ../points_label/");
}

struct Points {
    std::vector<double> x, y, z;
};

Points readPts(const MappedFile& file, const Progress& progress) {
    Points p;
    const std::size_t reserve = std::min(text::estimateLineCount(file.text()), file.size() / 6 + 1);
    p.x.reserve(reserve);
    p.y.reserve(reserve);
    p.z.reserve(reserve);
    text::LineScanner scanner(file.text());
    std::vector<std::string_view> fields;
    while (scanner.next()) {
        if ((scanner.lineNumber() & 0xFFFF) == 0) progress.check();
        if (text::isBlank(scanner.line())) continue;
        text::splitFields(scanner.line(), fields);
        if (fields.size() != 3)
            throw IoError(
                file.name(), IoError::atLine(scanner.lineNumber()),
                "holds " + std::to_string(fields.size()) + " values, but a ShapeNetPart .pts line is x y z");
        double v[3];
        for (int k = 0; k < 3; ++k)
            if (!text::parseDouble(fields[k], v[k]))
                throw IoError(
                    file.name(), IoError::atLine(scanner.lineNumber()),
                    "value " + std::to_string(k + 1) + " " + text::quoted(fields[k]) + " is not a number");
        p.x.push_back(v[0]);
        p.y.push_back(v[1]);
        p.z.push_back(v[2]);
    }
    return p;
}

std::vector<std::int32_t> readSeg(const MappedFile& file, std::size_t expected) {
    std::vector<std::int32_t> labels;
    labels.reserve(std::min(expected, file.size() / 2 + 1));
    text::LineScanner scanner(file.text());
    std::vector<std::string_view> fields;
    while (scanner.next()) {
        if (text::isBlank(scanner.line())) continue;
        text::splitFields(scanner.line(), fields);
        std::int64_t v = 0;
        if (fields.size() != 1 || !text::parseInt64(fields[0], v) ||
            v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max())
            throw IoError(
                file.name(), IoError::atLine(scanner.lineNumber()),
                text::quoted(text::trim(scanner.line())) + " is not a single whole-number part label");
        if (labels.size() == expected)
            throw IoError(
                file.name(), IoError::atLine(scanner.lineNumber()),
                "holds more labels than the " + std::to_string(expected) + " points of the .pts file");
        labels.push_back(static_cast<std::int32_t>(v));
    }
    if (labels.size() != expected)
        throw IoError(file.name(), "holds " + std::to_string(labels.size()) +
                                       " labels, but the .pts file holds " + std::to_string(expected) +
                                       " points");
    return labels;
}

}  // namespace

Scene readShapeNetPartPts(const fs::path& path, const ReadOptions&, const Progress& progress) {
    const MappedFile ptsFile(path);
    const Points points = readPts(ptsFile, progress.sub(0.0, 0.8));
    if (points.x.empty()) throw IoError(ptsFile.name(), "holds no points");
    const fs::path segPath = findSegFile(path);
    const MappedFile segFile(segPath);
    const std::vector<std::int32_t> labels = readSeg(segFile, points.x.size());

    Scene scene;
    scene.source.path = path.string();
    scene.source.format = "shapenetpart-pts";
    storePositions(points.x.data(), points.y.data(), points.z.data(), points.x.size(), scene);
    std::copy(labels.begin(), labels.end(),
              scene.add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>());
    scene.source.notes.push_back("part labels from " + segPath.filename().string() +
                                 " (the category's own part ids, as in the .seg file)");
    scene.dropNonFinite();
    return scene;
}

}  // namespace s4
