#pragma once
// Saving a Scene as a binary little-endian PLY that keeps every attribute, so readScene() brings it
// back: positions as float x y z, or, for a scene with an offset (georeferenced data), as double x y z
// in world coordinates with a "comment global_shift X Y Z" line naming the offset, so that other
// readers see true coordinates and readScene() restores the same offset and the float positions (to
// double precision of the world coordinates); files
// of older versions (float positions relative to a "comment offset X Y Z") still read; "rgb" as uchar red green blue, "normal" as float nx ny nz, every other
// attribute under its own name and type (multi-component ones as name_0, name_1, ...), faces as
// "vertex_indices" lists. The reader maps generic fields back to float32 attributes, so a uint8, int32,
// uint32 or double generic field returns as float32 with the same values where float32 holds them.

#include "core/scene/Scene.h"

#include <filesystem>
#include <string>
#include <vector>

namespace s4 {

struct PlyWriteOptions {
    bool writeFaces = true;             ///< write scene.faces as a face element when there are any
    std::vector<std::string> comments;  ///< extra header comment lines (single lines, no newline)
};

/// Writes the scene atomically (AtomicFileWriter). Throws s4::IoError if the file cannot be written
/// and s4::InvalidArgument if a face refers to a missing point or a comment holds a newline.
void writePly(const Scene& scene, const std::filesystem::path& path, const PlyWriteOptions& options = {});

}  // namespace s4
