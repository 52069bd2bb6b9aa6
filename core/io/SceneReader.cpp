#include "core/io/SceneReader.h"

#include "core/common/Error.h"
#include "core/common/Log.h"
#include "core/io/FormatReaders.h"

#include <algorithm>
#include <cctype>

namespace s4 {
namespace fs = std::filesystem;
namespace {

std::string lowerExtension(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

bool isS3disRoomFolder(const fs::path& given) {
    std::error_code ec;
    const fs::path dir = given.has_filename() ? given : given.parent_path();  // "room/Annotations/"
    if (dir.filename() == "Annotations") return true;
    return fs::is_directory(dir / "Annotations", ec);
}

} // namespace

const char* formatName(SceneFormat format) {
    switch (format) {
    case SceneFormat::Auto: return "auto";
    case SceneFormat::Ply: return "ply";
    case SceneFormat::Pcd: return "pcd";
    case SceneFormat::Text: return "text";
    case SceneFormat::ShapeNetPartPts: return "shapenetpart-pts";
    case SceneFormat::S3disRoom: return "s3dis";
    case SceneFormat::Off: return "off";
    case SceneFormat::KittiBin: return "kitti";
    case SceneFormat::MmdetBin: return "mmdet-bin";
    case SceneFormat::Npy: return "npy";
    case SceneFormat::Las: return "las";
    }
    return "?";
}

namespace {
constexpr SceneFormat kAllFormats[] = {SceneFormat::Auto,     SceneFormat::Ply,      SceneFormat::Pcd,
                                       SceneFormat::Text,     SceneFormat::ShapeNetPartPts,
                                       SceneFormat::S3disRoom, SceneFormat::Off,     SceneFormat::KittiBin,
                                       SceneFormat::MmdetBin, SceneFormat::Npy,      SceneFormat::Las};
}  // namespace

std::vector<std::string> formatNames() {
    std::vector<std::string> names;
    for (SceneFormat f : kAllFormats) names.emplace_back(formatName(f));
    return names;
}

SceneFormat parseFormatName(const std::string& name) {
    for (SceneFormat f : kAllFormats)
        if (name == formatName(f)) return f;
    throw InvalidArgument("unknown format '" + name +
                          "' (use auto, ply, pcd, text, shapenetpart-pts, s3dis, off, kitti, mmdet-bin, npy or las)");
}

std::vector<std::string> supportedExtensions() {
    return {".ply", ".pcd", ".xyz", ".txt", ".csv", ".pts", ".off", ".bin", ".npy", ".las"};
}

SceneFormat detectFormat(const fs::path& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        if (isS3disRoomFolder(path)) return SceneFormat::S3disRoom;
        throw IoError(path.string(), "is a folder, and not an S3DIS room (no Annotations/ inside)");
    }
    const std::string ext = lowerExtension(path);
    if (ext == ".ply") return SceneFormat::Ply;
    if (ext == ".pcd") return SceneFormat::Pcd;
    if (ext == ".off") return SceneFormat::Off;
    if (ext == ".npy") return SceneFormat::Npy;
    if (ext == ".las") return SceneFormat::Las;
    if (ext == ".laz")
        throw IoError(path.string(), "LAZ (compressed LAS) is not supported; decompress it to .las first");
    if (ext == ".bin") {
        // mmdetection3d keeps points/<name>.bin beside semantic_mask/<name>.bin; KITTI keeps velodyne/.
        const fs::path parent = path.parent_path();
        if (parent.filename() == "points" &&
            (fs::exists(parent.parent_path() / "semantic_mask" / path.filename(), ec) ||
             fs::exists(parent.parent_path() / "instance_mask" / path.filename(), ec)))
            return SceneFormat::MmdetBin;
        return SceneFormat::KittiBin;
    }
    if (ext == ".pts") {
        // ShapeNetPart's .pts comes with a .seg; Open3D-style .pts (count line + xyz...) is plain text.
        fs::path seg = path;
        seg.replace_extension(".seg");
        if (fs::exists(seg, ec) ||
            fs::exists(path.parent_path().parent_path() / "points_label" / seg.filename(), ec))
            return SceneFormat::ShapeNetPartPts;
        return SceneFormat::Text;
    }
    if (ext == ".xyz" || ext == ".txt" || ext == ".csv" || ext == ".xyzrgb" || ext == ".xyzn")
        return SceneFormat::Text;
    throw IoError(path.string(), "unknown file type '" + ext + "' (supported: .ply .pcd .xyz .txt .csv "
                                 ".pts .off .bin .npy .las, or an S3DIS room folder)");
}

Scene readScene(const fs::path& path, const ReadOptions& options, const Progress& progress) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw IoError(path.string(), "no such file or folder");
    const SceneFormat format = options.format == SceneFormat::Auto ? detectFormat(path) : options.format;
    logger("io")->debug("reading {} as {}", path.string(), formatName(format));
    Scene scene;
    switch (format) {
    case SceneFormat::Auto: break;
    case SceneFormat::Ply: scene = readPly(path, options, progress); break;
    case SceneFormat::Pcd: scene = readPcd(path, options, progress); break;
    case SceneFormat::Text: scene = readText(path, options, progress); break;
    case SceneFormat::ShapeNetPartPts: scene = readShapeNetPartPts(path, options, progress); break;
    case SceneFormat::S3disRoom: scene = readS3disRoom(path, options, progress); break;
    case SceneFormat::Off: scene = readOff(path, options, progress); break;
    case SceneFormat::KittiBin: scene = readKittiBin(path, options, progress); break;
    case SceneFormat::MmdetBin: scene = readMmdetBin(path, options, progress); break;
    case SceneFormat::Npy: scene = readNpy(path, options, progress); break;
    case SceneFormat::Las: scene = readLas(path, options, progress); break;
    }
    if (scene.source.path.empty()) scene.source.path = path.string();
    if (scene.source.droppedNonFinite > 0)
        logger("io")->warn("{}: dropped {} points with NaN/Inf coordinates", path.string(),
                           scene.source.droppedNonFinite);
    progress.report(1.0);
    return scene;
}

} // namespace s4
