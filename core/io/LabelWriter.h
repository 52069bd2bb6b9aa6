#pragma once
// Writing a scene's per-point labels in the formats benchmarks and other tools expect, and reading
// the label-only formats back (round trips, evaluation).
//
//  - SemanticKitti: one little-endian uint32 per point, instance << 16 | semantic (both 0..65535;
//    instance from the "instance" attribute, 0 where there is none).
//  - Text:          one integer label per line.
//  - ScanNetIds:    the ScanNet v2 semantic benchmark submission format: one NYU40 class id (0..40) per
//    line, one line per mesh vertex. With LabelWriteOptions::scanNet20ToNyu40 the scene's labels are
//    ScanNet-20 training indices 0..19 and are mapped to NYU40 ids (see kScanNet20ToNyu40); negative
//    labels (the ignore label, -1) become 0, "unannotated".
//  - PlyField:      binary PLY with float x y z and int label (writePly of positions + "label").

#include "core/scene/Scene.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace s4 {

enum class LabelFormat { SemanticKitti, Text, ScanNetIds, PlyField };

/// NYU40 id of each ScanNet-20 benchmark class index 0..19: wall 1, floor 2, cabinet 3, bed 4, chair 5,
/// sofa 6, table 7, door 8, window 9, bookshelf 10, picture 11, counter 12, desk 14, curtain 16,
/// refrigerator 24, shower curtain 28, toilet 33, sink 34, bathtub 36, otherfurniture 39
/// (VALID_CLASS_IDS of the ScanNet benchmark scripts).
inline constexpr std::array<std::int32_t, 20> kScanNet20ToNyu40 = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                                                   11, 12, 14, 16, 24, 28, 33, 34, 36, 39};

struct LabelWriteOptions {
    /// ScanNetIds only: treat labels as ScanNet-20 indices and map them through kScanNet20ToNyu40.
    bool scanNet20ToNyu40 = false;
};

/// Writes the scene's "label" attribute (and "instance" for SemanticKitti) atomically. Throws
/// s4::InvalidArgument if the scene has no label or a value does not fit the format (the message names
/// the first offending point), s4::IoError if the file cannot be written.
void writeLabels(const std::filesystem::path& out, const Scene& scene, LabelFormat format,
                 const LabelWriteOptions& options = {});

/// One integer per line (blank lines ignored). Throws s4::IoError with the line for anything else.
std::vector<std::int32_t> readTextLabels(const std::filesystem::path& path);

struct SemanticKittiLabels {
    std::vector<std::int32_t> semantic;  ///< low 16 bits
    std::vector<std::int32_t> instance;  ///< high 16 bits
};

/// A SemanticKITTI .label file. Throws s4::IoError if its size is not a multiple of 4 bytes.
SemanticKittiLabels readSemanticKittiLabels(const std::filesystem::path& path);

}  // namespace s4
