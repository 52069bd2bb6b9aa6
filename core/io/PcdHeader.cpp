#include "core/io/PcdHeader.h"

#include "core/common/Error.h"
#include "core/io/TextScanner.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <map>

namespace s4 {
namespace {

// A header is a few hundred bytes; anything longer without a DATA line is not a PCD file.
constexpr std::size_t kMaxHeaderBytes = 1 << 20;
// A point with more values than this is not a point cloud (PCL's widest descriptors have ~1000).
constexpr std::uint64_t kMaxValuesPerPoint = 1 << 16;

bool parseU64(std::string_view token, std::uint64_t& value) {
    const char* end = token.data() + token.size();
    auto [p, ec] = std::from_chars(token.data(), end, value);
    return ec == std::errc() && p == end;
}

bool parseF64(std::string_view token, double& value) {
    if (!token.empty() && token.front() == '+') token.remove_prefix(1);
    const char* end = token.data() + token.size();
    auto [p, ec] = std::from_chars(token.data(), end, value);
    return ec == std::errc() && p == end;
}

std::string quoted(std::string_view token) {
    std::string out = "'";
    for (char c : token.substr(0, 40)) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", u);
            out += buf;
        } else {
            out += c;
        }
    }
    if (token.size() > 40) out += "...";
    return out + "'";
}

class HeaderParser {
public:
    HeaderParser(std::string_view text, const std::string& fileName) : text_(text), file_(fileName) {}

    PcdHeader parse() {
        std::size_t pos = 0;
        std::uint64_t lineNo = 0;
        while (true) {
            if (pos >= text_.size())
                throw IoError(file_, IoError::atLine(lineNo + 1),
                              lineNo == 0 ? "the file is empty, not a PCD file"
                                          : "the header ends without a DATA line");
            if (pos > kMaxHeaderBytes)
                throw IoError(
                    file_, "no DATA line in the first " + formatBytes(kMaxHeaderBytes) + ": not a PCD file");
            std::size_t eol = text_.find('\n', pos);
            const std::size_t next = eol == std::string_view::npos ? text_.size() : eol + 1;
            if (eol == std::string_view::npos) eol = text_.size();
            std::string_view line = text_.substr(pos, eol - pos);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            ++lineNo;
            line_ = lineNo;
            pos = next;
            if (handleLine(line)) {
                header_.dataOffset = pos;
                header_.dataLine = lineNo + 1;
                break;
            }
        }
        finish();
        return std::move(header_);
    }

private:
    [[noreturn]] void fail(const std::string& problem) const {
        throw IoError(file_, IoError::atLine(line_), problem);
    }
    [[noreturn]] void failAt(const std::string& key, const std::string& problem) const {
        auto it = keyLines_.find(key);
        throw IoError(file_, IoError::atLine(it == keyLines_.end() ? line_ : it->second), problem);
    }

    // Returns true on the DATA line, which ends the header.
    bool handleLine(std::string_view line) {
        const auto tokens = text::splitWhitespace(line);
        if (tokens.empty() || tokens.front().front() == '#') return false;
        const std::string_view key = tokens.front();
        keyLines_[std::string(key)] = line_;
        const std::vector<std::string_view> values(tokens.begin() + 1, tokens.end());
        if (key == "VERSION") {
            header_.version = values.empty() ? "" : std::string(values.front());
        } else if (key == "FIELDS" || key == "COLUMNS") {
            setFields(values);
        } else if (key == "SIZE") {
            setPerField(key, values, [&](PcdField& f, std::uint64_t v) { f.size = static_cast<int>(v); });
        } else if (key == "TYPE") {
            requireFieldsFirst(key, values);
            for (std::size_t i = 0; i < values.size(); ++i) {
                if (values[i].size() != 1 ||
                    std::string_view("IUF").find(values[i][0]) == std::string_view::npos)
                    fail("TYPE " + quoted(values[i]) + " of field '" + header_.fields[i].name +
                         "' is unknown (expected I, U or F)");
                header_.fields[i].type = values[i][0];
            }
            haveType_ = true;
        } else if (key == "COUNT") {
            setPerField(key, values, [&](PcdField& f, std::uint64_t v) { f.count = static_cast<int>(v); });
        } else if (key == "WIDTH") {
            header_.width = single(key, values);
            haveWidth_ = true;
        } else if (key == "HEIGHT") {
            header_.height = single(key, values);
        } else if (key == "POINTS") {
            header_.points = single(key, values);
            havePoints_ = true;
        } else if (key == "VIEWPOINT") {
            if (values.size() != 7) fail("VIEWPOINT needs 7 numbers (tx ty tz qw qx qy qz)");
            for (int i = 0; i < 7; ++i)
                if (!parseF64(values[i], header_.viewpoint[i]))
                    fail("VIEWPOINT value " + quoted(values[i]) + " is not a number");
        } else if (key == "DATA") {
            if (values.size() != 1) fail("DATA needs one word: ascii, binary or binary_compressed");
            std::string kind(values.front());
            std::transform(kind.begin(), kind.end(), kind.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            if (kind == "ascii")
                header_.data = PcdDataKind::Ascii;
            else if (kind == "binary")
                header_.data = PcdDataKind::Binary;
            else if (kind == "binary_compressed")
                header_.data = PcdDataKind::BinaryCompressed;
            else
                fail("DATA " + quoted(values.front()) +
                     " is unknown (expected ascii, binary or binary_compressed)");
            return true;
        } else {
            fail(line_ == 1 ? "does not start like a PCD file (no '# .PCD' comment or VERSION/FIELDS line)"
                            : "unknown header keyword " + quoted(key));
        }
        return false;
    }

    void setFields(const std::vector<std::string_view>& names) {
        if (!header_.fields.empty()) fail("FIELDS appears twice");
        if (names.empty()) fail("FIELDS lists no fields");
        if (names.size() > kMaxValuesPerPoint)
            fail("FIELDS lists " + std::to_string(names.size()) + " fields");
        for (const auto& n : names) {
            if (n != "_" && header_.find(n) >= 0)
                fail("field '" + std::string(n) + "' appears twice in FIELDS");
            header_.fields.push_back({std::string(n)});
        }
    }

    void requireFieldsFirst(std::string_view key, const std::vector<std::string_view>& values) {
        if (header_.fields.empty()) fail(std::string(key) + " comes before FIELDS");
        if (values.size() != header_.fields.size())
            fail(std::string(key) + " has " + std::to_string(values.size()) + " entries but FIELDS has " +
                 std::to_string(header_.fields.size()));
    }

    template <class Set>
    void setPerField(std::string_view key, const std::vector<std::string_view>& values, Set set) {
        requireFieldsFirst(key, values);
        for (std::size_t i = 0; i < values.size(); ++i) {
            std::uint64_t v = 0;
            if (!parseU64(values[i], v) || v == 0 || v > kMaxValuesPerPoint)
                fail(std::string(key) + " " + quoted(values[i]) + " of field '" + header_.fields[i].name +
                     "' is not a positive whole number");
            set(header_.fields[i], v);
        }
        (key == "SIZE" ? haveSize_ : haveCount_) = true;
    }

    std::uint64_t single(std::string_view key, const std::vector<std::string_view>& values) {
        std::uint64_t v = 0;
        if (values.size() != 1 || !parseU64(values.front(), v))
            fail(std::string(key) + " needs one whole number, not " +
                 (values.empty() ? std::string("nothing") : quoted(values.front())));
        return v;
    }

    void finish() {
        if (header_.fields.empty()) fail("the header has no FIELDS line");
        if (!haveSize_) fail("the header has no SIZE line");
        if (!haveType_) fail("the header has no TYPE line");
        std::uint64_t values = 0;
        std::size_t offset = 0;
        for (auto& f : header_.fields) {
            const bool floatOk = f.type == 'F' && (f.size == 4 || f.size == 8);
            const bool intOk = f.type != 'F' && (f.size == 1 || f.size == 2 || f.size == 4 || f.size == 8);
            if (!floatOk && !intOk)
                failAt(
                    "SIZE",
                    "field '" + f.name + "' has TYPE " + f.type + " with SIZE " + std::to_string(f.size) +
                        (f.type == 'F' ? ": floats are 4 or 8 bytes" : ": integers are 1, 2, 4 or 8 bytes"));
            values += static_cast<std::uint64_t>(f.count);
            f.offset = offset;
            offset += f.bytes();
        }
        if (values > kMaxValuesPerPoint) fail("a point has " + std::to_string(values) + " values, too many");
        header_.recordSize = offset;
        if (!haveWidth_ && !havePoints_) fail("the header has neither WIDTH nor POINTS");
        if (!haveWidth_) {
            header_.width = header_.points;
            header_.height = 1;
        }
        if (header_.height == 0 && header_.width != 0) fail("HEIGHT is 0");
        // Overflow-safe WIDTH × HEIGHT: a lying header may hold numbers near 2^64.
        const unsigned __int128 product = static_cast<unsigned __int128>(header_.width) * header_.height;
        if (!havePoints_) {
            if (product > UINT64_MAX) fail("WIDTH × HEIGHT overflows");
            header_.points = static_cast<std::uint64_t>(product);
        } else if (product != header_.points) {
            failAt("POINTS", "POINTS is " + std::to_string(header_.points) + " but WIDTH × HEIGHT is " +
                                 std::to_string(header_.width) + " × " + std::to_string(header_.height));
        }
    }

    std::string_view text_;
    const std::string& file_;
    PcdHeader header_;
    std::uint64_t line_ = 0;
    std::map<std::string, std::uint64_t> keyLines_;  // where each keyword was, for checks made after DATA
    bool haveSize_ = false, haveType_ = false, haveCount_ = false, haveWidth_ = false, havePoints_ = false;
};

}  // namespace

int PcdHeader::find(std::string_view name) const {
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (fields[i].name == name) return static_cast<int>(i);
    return -1;
}

PcdHeader parsePcdHeader(std::string_view text, const std::string& fileName) {
    return HeaderParser(text, fileName).parse();
}

std::string pcdFormatName(PcdDataKind kind) {
    switch (kind) {
        case PcdDataKind::Ascii:
            return "pcd-ascii";
        case PcdDataKind::Binary:
            return "pcd-binary";
        case PcdDataKind::BinaryCompressed:
            return "pcd-binary_compressed";
    }
    return "pcd";
}

}  // namespace s4
