// S3DIS rooms: Area_N/<room>/Annotations/<class>_<k>.txt, one file per object, each line
// "x y z r g b". Every annotation file is read (sorted by name, so the result is deterministic) and
// concatenated; "label" is the class index in the 13-class order below and "instance" the running index
// of the annotation file.
//
// Known quirk of the original release: a few lines hold a stray control character (Area_5/hallway_6
// has a "\x10" inside a number). Such lines are skipped, counted and named in scene.source.notes, because
// the byte cannot be repaired with certainty and the rest of the room is fine. Any other malformed line
// (a letter, a missing value, a different column count) is an IoError naming the file and line.
#include "core/common/Error.h"
#include "core/common/Log.h"
#include "core/io/CoordinateOffset.h"
#include "core/io/FormatReaders.h"
#include "core/io/MappedFile.h"
#include "core/io/TextScanner.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace s4 {
namespace fs = std::filesystem;
namespace {

constexpr std::array<const char*, 13> kClasses = {"ceiling",  "floor", "wall",   "beam",  "column",
                                                  "window",   "door",  "table",  "chair", "sofa",
                                                  "bookcase", "board", "clutter"};
constexpr int kClutter = 12;

struct AnnotationFile {
    fs::path path;
    int label = 0;
};

bool hasControlByte(std::string_view line) {
    return std::any_of(line.begin(), line.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\t') || u == 0x7F;
    });
}

std::vector<AnnotationFile> listAnnotations(const fs::path& annotations, Scene& scene) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(annotations, ec)) {
        std::error_code typeEc;
        if (entry.is_regular_file(typeEc) && entry.path().extension() == ".txt")
            files.push_back(entry.path());
    }
    if (ec) throw IoError(annotations.string(), "cannot list the folder: " + ec.message());
    std::sort(files.begin(), files.end());
    if (files.empty()) throw IoError(annotations.string(), "holds no <class>_<k>.txt annotation files");

    std::vector<AnnotationFile> out;
    bool stairs = false;
    for (const auto& f : files) {
        const std::string stem = f.stem().string();
        const std::size_t underscore = stem.rfind('_');
        const std::string prefix = underscore == std::string::npos ? stem : stem.substr(0, underscore);
        int label = -1;
        for (std::size_t c = 0; c < kClasses.size(); ++c)
            if (prefix == kClasses[c]) label = static_cast<int>(c);
        if (prefix == "stairs") {
            // Common practice (PointNet, mmdetection3d) folds the few "stairs" objects into clutter.
            label = kClutter;
            stairs = true;
        }
        if (label < 0)
            throw IoError(f.string(),
                          "unknown S3DIS class '" + prefix +
                              "' (expected ceiling, floor, wall, beam, column, window, door, table, "
                              "chair, sofa, bookcase, board, clutter or stairs)");
        out.push_back({f, label});
    }
    if (stairs)
        scene.source.notes.emplace_back(
            "'stairs' annotations labelled as clutter (12), as is common practice");
    return out;
}

struct RoomTable {
    std::vector<double> x, y, z;
    std::vector<std::uint8_t> rgb;
    std::vector<std::int32_t> label, instance;
    std::size_t skippedLines = 0;
};

// More stray-control-character lines than this means the file is not the known quirk but binary junk.
constexpr std::size_t kMaxSkippedLines = 16;

void readAnnotation(const AnnotationFile& a, std::int32_t instance, RoomTable& room, Scene& scene,
                    const Progress& progress) {
    const MappedFile file(a.path);
    const std::size_t reserve = std::min(text::estimateLineCount(file.text()), file.size() / 12 + 1);
    room.x.reserve(room.x.size() + reserve);
    room.y.reserve(room.y.size() + reserve);
    room.z.reserve(room.z.size() + reserve);
    room.rgb.reserve(room.rgb.size() + 3 * reserve);
    text::LineScanner scanner(file.text());
    std::vector<std::string_view> fields;
    std::size_t points = 0;
    while (scanner.next()) {
        const std::uint64_t ln = scanner.lineNumber();
        if ((ln & 0xFFFF) == 0) progress.check();
        const std::string_view line = scanner.line();
        if (text::isBlank(line)) continue;
        if (hasControlByte(line)) {
            if (++room.skippedLines > kMaxSkippedLines)
                throw IoError(file.name(), IoError::atLine(ln),
                              "holds a control character " + text::quoted(text::trim(line)) +
                                  ", and too many lines like it were skipped already; is this a text file?");
            scene.source.notes.push_back("skipped " + a.path.filename().string() + " line " +
                                         std::to_string(ln) + ": stray control character " +
                                         text::quoted(text::trim(line)));
            logger("io")->warn("{}: line {}: skipped a line with a stray control character", file.name(), ln);
            continue;
        }
        text::splitFields(line, fields);
        if (fields.size() != 6)
            throw IoError(
                file.name(), IoError::atLine(ln),
                "holds " + std::to_string(fields.size()) + " values, but an S3DIS line is x y z r g b");
        double v[6];
        for (int k = 0; k < 6; ++k)
            if (!text::parseDouble(fields[k], v[k]))
                throw IoError(
                    file.name(), IoError::atLine(ln),
                    "value " + std::to_string(k + 1) + " " + text::quoted(fields[k]) + " is not a number");
        for (int k = 3; k < 6; ++k)
            if (!(v[k] >= 0.0 && v[k] <= 255.0 && v[k] == std::floor(v[k])))
                throw IoError(file.name(), IoError::atLine(ln),
                              "colour value " + text::quoted(fields[k]) + " is not a whole number in 0..255");
        room.x.push_back(v[0]);
        room.y.push_back(v[1]);
        room.z.push_back(v[2]);
        for (int k = 3; k < 6; ++k) room.rgb.push_back(static_cast<std::uint8_t>(v[k]));
        ++points;
    }
    room.label.insert(room.label.end(), points, a.label);
    room.instance.insert(room.instance.end(), points, instance);
}

}  // namespace

Scene readS3disRoom(const fs::path& path, const ReadOptions&, const Progress& progress) {
    // "room/Annotations/" (trailing slash) has an empty filename(); look at the folder itself.
    const fs::path folder = path.has_filename() ? path : path.parent_path();
    const fs::path annotations = folder.filename() == "Annotations" ? folder : folder / "Annotations";
    std::error_code ec;
    if (!fs::is_directory(annotations, ec))
        throw IoError(path.string(), "is not an S3DIS room: it has no Annotations/ folder");

    Scene scene;
    scene.source.path = path.string();
    scene.source.format = "s3dis";
    const std::vector<AnnotationFile> files = listAnnotations(annotations, scene);
    RoomTable room;
    for (std::size_t i = 0; i < files.size(); ++i) {
        progress.check();
        progress.report(0.9 * static_cast<double>(i) / static_cast<double>(files.size()));
        const double begin = 0.9 * static_cast<double>(i) / static_cast<double>(files.size());
        const double end = 0.9 * static_cast<double>(i + 1) / static_cast<double>(files.size());
        readAnnotation(files[i], static_cast<std::int32_t>(i), room, scene, progress.sub(begin, end));
    }
    if (room.x.empty()) throw IoError(annotations.string(), "the annotation files hold no points");

    storePositions(room.x.data(), room.y.data(), room.z.data(), room.x.size(), scene);
    std::copy(room.rgb.begin(), room.rgb.end(),
              scene.add(attr::kColor, ScalarType::UInt8, 3).data<std::uint8_t>());
    std::copy(room.label.begin(), room.label.end(),
              scene.add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>());
    std::copy(room.instance.begin(), room.instance.end(),
              scene.add(attr::kInstance, ScalarType::Int32, 1).data<std::int32_t>());
    scene.source.notes.push_back(std::to_string(files.size()) +
                                 " annotation files; label = S3DIS 13-class index, instance = file index");
    scene.dropNonFinite();
    return scene;
}

}  // namespace s4
