#pragma once
// Reading any supported point-cloud file (or dataset folder) into a Scene. The format is chosen
// by extension and folder layout, then confirmed by each reader from the file's magic/header.

#include "core/common/Progress.h"
#include "core/scene/Scene.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace s4 {

enum class SceneFormat {
    Auto,
    Ply,             ///< .ply ascii / binary LE / binary BE; also the ScanNet layouts
    Pcd,             ///< .pcd ascii / binary / binary_compressed
    Text,            ///< .xyz .txt .csv .pts (columns guessed or given); ShapeNetPart "x y z nx ny nz label"
    ShapeNetPartPts, ///< ShapeNetPart .pts with a sibling .seg (or ../points_label/<name>.seg)
    S3disRoom,       ///< S3DIS room folder (or its Annotations/ folder): <class>_<k>.txt files
    Off,             ///< OFF mesh, sampled uniformly on its surface
    KittiBin,        ///< SemanticKITTI velodyne .bin (float32 x y z remission) + labels/*.label
    MmdetBin,        ///< mmdetection3d points/*.bin (float32 N×6) + semantic_mask/ instance_mask/
    Npy,             ///< NumPy .npy, float32/float64 N×C
    Las,             ///< LAS 1.2–1.4 uncompressed, point formats 0–3 and 6–8
};

struct ReadOptions {
    SceneFormat format = SceneFormat::Auto;
    /// Text formats: explicit column spec such as "x,y,z,r,g,b,label" or "x y z skip intensity";
    /// empty = guess from the header line or the column count. Names: x y z r g b nx ny nz
    /// intensity label instance skip, anything else becomes a float scalar field of that name.
    std::string columns;
    /// Meshes (OFF): number of points sampled on the surface.
    std::size_t meshSamples = 10000;
    /// Seed for every random choice a reader makes (mesh sampling).
    std::uint64_t seed = 0;
    /// Read dataset-provided superpoints (ScanNet segs.json) into the "superpoint" attribute.
    bool datasetSuperpoints = true;
};

/// Reads a scene. Throws s4::IoError with the file name and a location for anything unreadable.
Scene readScene(const std::filesystem::path& path, const ReadOptions& options = {},
                const Progress& progress = {});

/// The format readScene would use for this path (never Auto). Throws IoError if none fits.
SceneFormat detectFormat(const std::filesystem::path& path);

/// "ply", "pcd", ... as used on the command line.
const char* formatName(SceneFormat format);
/// Every name formatName gives, "auto" first.
std::vector<std::string> formatNames();
/// Inverse of formatName; throws InvalidArgument for an unknown name.
SceneFormat parseFormatName(const std::string& name);

/// File extensions (lower case, with dot) readScene recognises, for open dialogs.
std::vector<std::string> supportedExtensions();

} // namespace s4
