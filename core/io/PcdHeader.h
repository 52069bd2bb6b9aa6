#pragma once
// The text header of a PCL .pcd file (v0.6/v0.7): fields with their byte size, type and count, the
// cloud's width × height, and where and how the point data is stored. Parsing validates everything
// that can be checked without touching the data.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace s4 {

enum class PcdDataKind { Ascii, Binary, BinaryCompressed };

struct PcdField {
    std::string name;
    int size = 0;            ///< bytes per element: 1, 2, 4 or 8
    char type = 'F';         ///< 'I' signed, 'U' unsigned, 'F' floating point
    int count = 1;           ///< elements per point
    std::size_t offset = 0;  ///< byte offset inside one binary (array-of-structures) record

    std::size_t bytes() const { return static_cast<std::size_t>(size) * static_cast<std::size_t>(count); }
};

struct PcdHeader {
    std::string version;
    std::vector<PcdField> fields;
    std::uint64_t width = 0;
    std::uint64_t height = 1;
    std::uint64_t points = 0;
    double viewpoint[7] = {0, 0, 0, 1, 0, 0, 0};
    PcdDataKind data = PcdDataKind::Ascii;
    std::size_t dataOffset = 0;  ///< first byte after the DATA line
    std::uint64_t dataLine = 0;  ///< 1-based line number of the first data line (ascii)
    std::size_t recordSize = 0;  ///< sum of field bytes: one binary point

    /// Index of the field with this name, or -1.
    int find(std::string_view name) const;
};

/// Parses and validates the header at the start of text (the whole file). Throws s4::IoError naming
/// fileName and the header line for unknown keywords, bad numbers, SIZE/TYPE/COUNT lists that do not
/// match FIELDS, impossible type/size pairs, POINTS != WIDTH × HEIGHT, or a missing DATA line.
PcdHeader parsePcdHeader(std::string_view text, const std::string& fileName);

/// "pcd-ascii", "pcd-binary" or "pcd-binary_compressed".
std::string pcdFormatName(PcdDataKind kind);

}  // namespace s4
