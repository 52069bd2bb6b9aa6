#pragma once
// The raw ScanNet v2 release layout: a scene's mesh `<scene>_vh_clean_2.ply` comes with
// `<scene>_vh_clean_2.labels.ply` (same vertices, NYU40 id in property `label`) and
// `<scene>_vh_clean_2.0.010000.segs.json` (over-segmentation, {"segIndices": [one id per vertex]}).

#include "core/io/SceneReader.h"

#include <filesystem>

namespace s4 {

/// True if the file name ends in "_vh_clean_2.ply" (the raw ScanNet mesh).
bool isScanNetCleanMesh(const std::filesystem::path& path);

/// For a raw ScanNet mesh already read into `scene` (before any point was dropped): takes "label"
/// from the sibling .labels.ply if it exists, and "superpoint" from the sibling segs.json if it exists
/// and options.datasetSuperpoints is set. Does nothing for other file names. Throws s4::IoError naming
/// the sibling file when its vertex count differs or it is malformed.
void attachScanNetSiblings(const std::filesystem::path& meshPath, const ReadOptions& options, Scene& scene);

}  // namespace s4
