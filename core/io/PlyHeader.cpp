#include "core/io/PlyHeader.h"

#include "core/common/Error.h"

#include <algorithm>
#include <charconv>

namespace s4 {
namespace {

// Splits a header line at runs of spaces and tabs.
std::vector<std::string_view> tokens(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

// A header token quoted for a message (bounded, printable).
std::string quote(std::string_view s) {
    std::string out = "'";
    for (std::size_t i = 0; i < s.size() && i < 40; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
        } else {
            static const char* hex = "0123456789ABCDEF";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    if (s.size() > 40) out += "...";
    return out + "'";
}

// The rest of a line after its first token (comment text keeps its inner spacing).
std::string_view restAfterKeyword(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    return line.substr(i);
}

}  // namespace

std::size_t plySize(PlyType type) {
    switch (type) {
        case PlyType::Int8:
        case PlyType::UInt8:
            return 1;
        case PlyType::Int16:
        case PlyType::UInt16:
            return 2;
        case PlyType::Int32:
        case PlyType::UInt32:
        case PlyType::Float32:
            return 4;
        case PlyType::Float64:
            return 8;
    }
    return 0;
}

const char* plyTypeName(PlyType type) {
    switch (type) {
        case PlyType::Int8:
            return "char";
        case PlyType::UInt8:
            return "uchar";
        case PlyType::Int16:
            return "short";
        case PlyType::UInt16:
            return "ushort";
        case PlyType::Int32:
            return "int";
        case PlyType::UInt32:
            return "uint";
        case PlyType::Float32:
            return "float";
        case PlyType::Float64:
            return "double";
    }
    return "?";
}

bool parsePlyType(std::string_view name, PlyType& type) {
    struct Entry {
        std::string_view name;
        PlyType type;
    };
    static constexpr Entry kTypes[] = {
        {"char", PlyType::Int8},       {"int8", PlyType::Int8},       {"uchar", PlyType::UInt8},
        {"uint8", PlyType::UInt8},     {"short", PlyType::Int16},     {"int16", PlyType::Int16},
        {"ushort", PlyType::UInt16},   {"uint16", PlyType::UInt16},   {"int", PlyType::Int32},
        {"int32", PlyType::Int32},     {"uint", PlyType::UInt32},     {"uint32", PlyType::UInt32},
        {"float", PlyType::Float32},   {"float32", PlyType::Float32}, {"double", PlyType::Float64},
        {"float64", PlyType::Float64},
    };
    for (const Entry& e : kTypes)
        if (e.name == name) {
            type = e.type;
            return true;
        }
    return false;
}

bool PlyElement::hasLists() const {
    for (const auto& p : properties)
        if (p.isList) return true;
    return false;
}

std::size_t PlyElement::minimumBinaryRecordSize() const {
    std::size_t size = 0;
    for (const auto& p : properties) size += plySize(p.isList ? p.countType : p.type);
    return size;
}

int PlyElement::find(std::string_view propertyName) const {
    for (std::size_t i = 0; i < properties.size(); ++i)
        if (properties[i].name == propertyName) return static_cast<int>(i);
    return -1;
}

int PlyHeader::find(std::string_view elementName) const {
    for (std::size_t i = 0; i < elements.size(); ++i)
        if (elements[i].name == elementName) return static_cast<int>(i);
    return -1;
}

PlyHeader parsePlyHeader(std::string_view bytes, const std::string& fileName) {
    PlyHeader header;
    if (bytes.empty()) throw IoError(fileName, "the file is empty (expected a PLY header)");
    if (!(bytes.starts_with("ply\n") || bytes.starts_with("ply\r\n")))
        throw IoError(fileName, IoError::atLine(1),
                      "not a PLY file (the first line must be 'ply', found " +
                          quote(bytes.substr(0, std::min<std::size_t>(bytes.find_first_of("\r\n"), 40))) +
                          ")");

    std::size_t pos = 0;
    std::uint64_t lineNumber = 0;
    bool sawFormat = false;
    bool sawEnd = false;
    while (pos < bytes.size()) {
        std::size_t end = bytes.find('\n', pos);
        if (end == std::string_view::npos) break;  // a header line must be terminated
        std::string_view line = bytes.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = end + 1;
        ++lineNumber;
        const std::string where = IoError::atLine(lineNumber);
        const auto tok = tokens(line);

        if (lineNumber == 1) {
            if (tok.size() != 1 || tok[0] != "ply")
                throw IoError(fileName, where,
                              "not a PLY file (the first line must be 'ply', found " + quote(line) + ")");
            continue;
        }
        if (tok.empty()) continue;  // blank header lines are harmless
        const std::string_view keyword = tok[0];
        if (keyword == "comment" || keyword == "obj_info") {
            header.comments.emplace_back(restAfterKeyword(line));
        } else if (keyword == "format") {
            if (tok.size() < 2) throw IoError(fileName, where, "the format line names no format");
            if (tok[1] == "ascii")
                header.format = PlyFormat::Ascii;
            else if (tok[1] == "binary_little_endian")
                header.format = PlyFormat::BinaryLittleEndian;
            else if (tok[1] == "binary_big_endian")
                header.format = PlyFormat::BinaryBigEndian;
            else
                throw IoError(fileName, where,
                              "unknown PLY format " + quote(tok[1]) +
                                  " (expected ascii, binary_little_endian or binary_big_endian)");
            if (tok.size() >= 3 && tok[2] != "1.0")
                throw IoError(fileName, where,
                              "unsupported PLY version " + quote(tok[2]) + " (expected 1.0)");
            sawFormat = true;
        } else if (keyword == "element") {
            if (tok.size() != 3) throw IoError(fileName, where, "an element line needs a name and a count");
            PlyElement element;
            element.name = std::string(tok[1]);
            element.headerLine = lineNumber;
            if (!tok[2].empty() && tok[2][0] == '-')
                throw IoError(fileName, where,
                              "element '" + element.name + "' has a negative count " + quote(tok[2]));
            const auto [ptr, ec] =
                std::from_chars(tok[2].data(), tok[2].data() + tok[2].size(), element.count);
            if (ec != std::errc() || ptr != tok[2].data() + tok[2].size())
                throw IoError(fileName, where,
                              "element '" + element.name + "' has an unreadable count " + quote(tok[2]));
            if (header.find(element.name) >= 0)
                throw IoError(fileName, where, "element '" + element.name + "' is declared twice");
            header.elements.push_back(std::move(element));
        } else if (keyword == "property") {
            if (header.elements.empty())
                throw IoError(fileName, where, "a property appears before any element");
            PlyElement& element = header.elements.back();
            PlyProperty property;
            if (tok.size() >= 2 && tok[1] == "list") {
                if (tok.size() != 5)
                    throw IoError(fileName, where,
                                  "a list property needs a count type, an item type and a name");
                if (!parsePlyType(tok[2], property.countType))
                    throw IoError(fileName, where, "unknown list count type " + quote(tok[2]));
                if (property.countType == PlyType::Float32 || property.countType == PlyType::Float64)
                    throw IoError(fileName, where,
                                  "a list count type must be an integer type, not " + quote(tok[2]));
                if (!parsePlyType(tok[3], property.type))
                    throw IoError(fileName, where, "unknown property type " + quote(tok[3]));
                property.isList = true;
                property.name = std::string(tok[4]);
            } else {
                if (tok.size() != 3)
                    throw IoError(fileName, where, "a property line needs a type and a name");
                if (!parsePlyType(tok[1], property.type))
                    throw IoError(fileName, where,
                                  "unknown property type " + quote(tok[1]) +
                                      " (expected char, uchar, short, ushort, int, uint, float, double or "
                                      "int8 ... float64)");
                property.name = std::string(tok[2]);
            }
            if (element.find(property.name) >= 0)
                throw IoError(
                    fileName, where,
                    "property '" + property.name + "' appears twice in element '" + element.name + "'");
            element.properties.push_back(std::move(property));
        } else if (keyword == "end_header") {
            sawEnd = true;
            break;
        } else {
            throw IoError(fileName, where, "unknown header keyword " + quote(keyword));
        }
    }
    if (!sawEnd)
        throw IoError(fileName, IoError::atLine(lineNumber + 1),
                      "the header ends without an 'end_header' line (truncated file?)");
    if (!sawFormat) throw IoError(fileName, "the header has no 'format' line");
    header.bodyOffset = pos;
    header.headerLines = lineNumber;
    return header;
}

}  // namespace s4
