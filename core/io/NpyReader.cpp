// NumPy .npy reader (format versions 1.0, 2.0, 3.0): a float32/float64 N×C array, C ≥ 3, whose
// columns are named by ReadOptions::columns or guessed like a text file's (x y z first).
#include "core/io/FormatReaders.h"

#include "core/common/Error.h"
#include "core/io/ByteOrder.h"
#include "core/io/ColumnTable.h"
#include "core/io/MappedFile.h"

#include <cstring>
#include <map>

namespace s4 {
namespace {

struct NpyHeader {
    bool bigEndian = false;
    int itemSize = 4;
    bool fortranOrder = false;
    std::vector<std::uint64_t> shape;
    std::size_t dataOffset = 0;
};

/// A strict parser for the header dictionary: the Python literal numpy.lib.format writes, e.g.
/// {'descr': '<f4', 'fortran_order': False, 'shape': (100, 6), }
class DictParser {
public:
    DictParser(std::string_view text, const std::string& file, std::size_t at)
        : s_(text), file_(file), at_(at) {}

    struct Value {
        enum Kind { String, Bool, Tuple } kind = String;
        std::string text;
        bool flag = false;
        std::vector<std::uint64_t> tuple;
    };

    std::map<std::string, Value> parse() {
        std::map<std::string, Value> dict;
        skipSpace();
        expect('{');
        while (true) {
            skipSpace();
            if (peek() == '}') {
                ++i_;
                break;
            }
            const std::string key = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (!dict.emplace(key, value()).second) fail("the key '" + key + "' appears twice");
            skipSpace();
            if (peek() == ',')
                ++i_;
            else if (peek() != '}')
                fail("expected ',' or '}'");
        }
        skipSpace();
        if (i_ != s_.size()) fail("unexpected text after the dictionary");
        return dict;
    }

private:
    [[noreturn]] void fail(const std::string& problem) const {
        throw IoError(file_, IoError::atByte(at_ + i_),
                      "the .npy header dictionary is malformed: " + problem);
    }
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    void skipSpace() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
    }
    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++i_;
    }
    std::string string() {
        const char quote = peek();
        if (quote != '\'' && quote != '"') fail("expected a quoted string");
        const std::size_t end = s_.find(quote, i_ + 1);
        if (end == std::string_view::npos) fail("a string is not closed");
        std::string out(s_.substr(i_ + 1, end - i_ - 1));
        i_ = end + 1;
        return out;
    }
    std::uint64_t integer() {
        std::uint64_t v = 0;
        const std::size_t start = i_;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
            if (v > (UINT64_MAX - 9) / 10) fail("a dimension is too large");
            v = v * 10 + std::uint64_t(s_[i_++] - '0');
        }
        if (i_ == start) fail("expected a non-negative whole number");
        if (peek() == 'L') ++i_;  // Python 2 long literal
        return v;
    }
    Value value() {
        Value v;
        if (peek() == '\'' || peek() == '"') {
            v.text = string();
        } else if (s_.substr(i_, 4) == "True") {
            v.kind = Value::Bool;
            v.flag = true;
            i_ += 4;
        } else if (s_.substr(i_, 5) == "False") {
            v.kind = Value::Bool;
            i_ += 5;
        } else if (peek() == '(') {
            ++i_;
            v.kind = Value::Tuple;
            skipSpace();
            while (peek() != ')') {
                v.tuple.push_back(integer());
                skipSpace();
                if (peek() == ',') {
                    ++i_;
                    skipSpace();
                } else if (peek() != ')') {
                    fail("expected ',' or ')' in the shape");
                }
            }
            ++i_;
        } else {
            fail("expected a string, True, False or a tuple");
        }
        return v;
    }

    std::string_view s_;
    const std::string& file_;
    std::size_t at_;
    std::size_t i_ = 0;
};

NpyHeader parseHeader(const MappedFile& file) {
    const std::string& name = file.name();
    const std::uint8_t* d = file.data();
    if (file.size() < 10 || std::memcmp(d, "\x93NUMPY", 6) != 0)
        throw IoError(name, IoError::atByte(0), "does not start with the NumPy magic '\\x93NUMPY'");
    const int major = d[6];
    if (major < 1 || major > 3)
        throw IoError(name, IoError::atByte(6),
                      "NumPy format version " + std::to_string(major) + "." + std::to_string(d[7]) +
                          " is not supported (1, 2 and 3 are)");
    const std::size_t prefix = major == 1 ? 10 : 12;
    if (file.size() < prefix)
        throw IoError(name, IoError::atByte(file.size()), "the file ends inside the .npy preamble");
    const std::uint64_t headerLength =
        major == 1 ? loadLE<std::uint16_t>(d + 8) : loadLE<std::uint32_t>(d + 8);
    if (headerLength > file.size() - prefix)
        throw IoError(name, IoError::atByte(8),
                      "the header length " + std::to_string(headerLength) +
                          " runs past the end of the file (" + formatBytes(file.size()) + ")");
    NpyHeader h;
    h.dataOffset = prefix + headerLength;
    const std::string_view text(reinterpret_cast<const char*>(d + prefix), headerLength);
    for (std::size_t i = 0; i < text.size(); ++i)
        if (major < 3 && static_cast<unsigned char>(text[i]) >= 0x80)
            throw IoError(name, IoError::atByte(prefix + i), "the .npy header holds a non-ASCII byte");
    const auto dict = DictParser(text, name, prefix).parse();
    for (const auto& [key, _] : dict)
        if (key != "descr" && key != "fortran_order" && key != "shape")
            throw IoError(name, IoError::atByte(prefix),
                          "the .npy header has an unexpected key '" + key + "'");
    auto get = [&](const char* key, DictParser::Value::Kind kind) -> const DictParser::Value& {
        auto it = dict.find(key);
        if (it == dict.end() || it->second.kind != kind)
            throw IoError(name, IoError::atByte(prefix),
                          std::string("the .npy header lacks a valid '") + key + "'");
        return it->second;
    };
    const std::string& descr = get("descr", DictParser::Value::String).text;
    if (descr.size() != 3 || (descr[0] != '<' && descr[0] != '>' && descr[0] != '=') || descr[1] != 'f' ||
        (descr[2] != '4' && descr[2] != '8'))
        throw IoError(
            name, IoError::atByte(prefix),
            "dtype '" + descr + "' is not supported (float32 '<f4' or float64 '<f8' are, either byte order)");
    h.bigEndian = descr[0] == '>';
    h.itemSize = descr[2] - '0';
    h.fortranOrder = get("fortran_order", DictParser::Value::Bool).flag;
    h.shape = get("shape", DictParser::Value::Tuple).tuple;
    if (h.shape.size() != 2 || h.shape[1] < 3)
        throw IoError(name, IoError::atByte(prefix),
                      "the array must be N×C with C ≥ 3 (x y z first), but its shape has " +
                          (h.shape.size() == 2 ? std::to_string(h.shape[1]) + " columns"
                                               : std::to_string(h.shape.size()) + " dimensions"));
    const unsigned __int128 bytes =
        static_cast<unsigned __int128>(h.shape[0]) * h.shape[1] * unsigned(h.itemSize);
    const std::uint64_t available = file.size() - h.dataOffset;
    if (bytes > available)
        throw IoError(name, IoError::atByte(h.dataOffset),
                      "the shape (" + std::to_string(h.shape[0]) + ", " + std::to_string(h.shape[1]) +
                          ") needs " +
                          (bytes > UINT64_MAX ? std::string("more than 2^64 bytes")
                                              : formatBytes(std::uint64_t(bytes))) +
                          ", but only " + formatBytes(available) + " of data follow the header");
    return h;
}

}  // namespace

Scene readNpy(const std::filesystem::path& path, const ReadOptions& options, const Progress& progress) {
    const MappedFile file(path);
    const NpyHeader h = parseHeader(file);
    const std::size_t rows = h.shape[0], columns = h.shape[1];
    const std::uint8_t* data = file.data() + h.dataOffset;
    auto valueAt = [&](std::size_t row, std::size_t column) -> double {
        const std::size_t k = h.fortranOrder ? column * rows + row : row * columns + column;
        const std::uint8_t* p = data + k * std::size_t(h.itemSize);
        if (h.itemSize == 4) return h.bigEndian ? loadBE<float>(p) : loadLE<float>(p);
        return h.bigEndian ? loadBE<double>(p) : loadLE<double>(p);
    };

    Scene scene;
    scene.source.path = path.string();
    scene.source.format = std::string("npy-") + (h.bigEndian ? ">" : "<") + "f" + std::to_string(h.itemSize);
    ColumnLayout layout;
    if (!options.columns.empty()) {
        layout = parseColumnSpec(options.columns);
        if (layout.size() != columns)
            throw IoError(file.name(), "the column spec '" + options.columns + "' names " +
                                           std::to_string(layout.size()) + " columns, but the array has " +
                                           std::to_string(columns));
    } else {
        layout = guessColumnLayout(profileTable(rows, columns, valueAt));
        scene.source.notes.push_back("columns guessed as '" + describeLayout(layout) +
                                     "'; give explicit columns to override");
    }
    if (h.fortranOrder) scene.source.notes.push_back("the array is stored in Fortran (column-major) order");
    if (const std::uint64_t extra = file.size() - h.dataOffset - rows * columns * std::size_t(h.itemSize))
        scene.source.notes.push_back(std::to_string(extra) + " bytes after the array were ignored");
    fillSceneFromTable(scene, layout, rows, valueAt, ColourRange::Auto, file.name(), progress);
    scene.dropNonFinite();
    return scene;
}

}  // namespace s4
