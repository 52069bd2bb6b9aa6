#pragma once
// The header of a PLY file: format, elements with their declared counts, properties with their
// scalar types, comments, and where the body starts. Parsing validates everything the body readers
// rely on (known types, sane counts, unique property names) and reports problems with line numbers.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace s4 {

enum class PlyFormat { Ascii, BinaryLittleEndian, BinaryBigEndian };

/// The eight PLY scalar types (both the classic names and the int8/float32 aliases map here).
enum class PlyType : std::uint8_t { Int8, UInt8, Int16, UInt16, Int32, UInt32, Float32, Float64 };

/// Bytes of one value of the type in a binary body.
std::size_t plySize(PlyType type);
/// The classic PLY name ("char", "uchar", ..., "double"), as the writer emits it.
const char* plyTypeName(PlyType type);
/// Parses a type name ("uchar", "uint8", "float32", ...); false for anything else.
bool parsePlyType(std::string_view name, PlyType& type);

struct PlyProperty {
    std::string name;
    PlyType type = PlyType::Float32;  ///< the value type (the item type for lists)
    bool isList = false;
    PlyType countType = PlyType::UInt8;  ///< lists only: the type of the leading item count
};

struct PlyElement {
    std::string name;
    std::uint64_t count = 0;
    std::vector<PlyProperty> properties;
    std::uint64_t headerLine = 0;  ///< 1-based line of the "element" statement, for messages

    bool hasLists() const;
    /// Bytes of one record when it has no list property; for lists, the smallest possible record
    /// (every list empty), which bounds the count against the file size.
    std::size_t minimumBinaryRecordSize() const;
    /// Index of the property with this name, or -1.
    int find(std::string_view propertyName) const;
};

struct PlyHeader {
    PlyFormat format = PlyFormat::Ascii;
    std::vector<PlyElement> elements;
    std::vector<std::string> comments;  ///< text after "comment " (obj_info lines included)
    std::size_t bodyOffset = 0;         ///< first byte after the end_header line
    std::uint64_t headerLines = 0;      ///< number of header lines (ascii bodies continue after it)

    /// Index of the element with this name, or -1.
    int find(std::string_view elementName) const;
};

/// Parses the header at the start of `bytes`. LF and CRLF line endings are both accepted. Throws
/// s4::IoError naming `fileName` and the header line for a wrong magic, an unknown format or type,
/// a negative or unparsable count, a duplicate property, or a missing end_header.
PlyHeader parsePlyHeader(std::string_view bytes, const std::string& fileName);

}  // namespace s4
