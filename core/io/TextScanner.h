#pragma once
// Line and field scanning for the text readers (XYZ/CSV/PTS, S3DIS annotations, OFF, .seg): walks a
// memory-mapped buffer line by line without copying, splits lines into fields and parses numbers with
// std::from_chars. Every line ending is accepted: LF, CRLF and a lone CR, mixed within one file.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace s4::text {

/// Iterates over the lines of a buffer; the terminator is never part of line().
class LineScanner {
public:
    explicit LineScanner(std::string_view text) : text_(text) {}

    /// Moves to the next line; false once the buffer is exhausted.
    bool next();
    std::string_view line() const { return line_; }
    /// 1-based number of the current line.
    std::uint64_t lineNumber() const { return lineNumber_; }
    /// Byte offset of the first character not yet consumed (for progress and size checks).
    std::size_t offset() const { return pos_; }
    /// Bytes after the current line.
    std::size_t remaining() const { return text_.size() - pos_; }

private:
    std::string_view text_;
    std::string_view line_;
    std::size_t pos_ = 0;
    std::uint64_t lineNumber_ = 0;
};

/// Number of lines an upper-bound reservation may assume: one per '\n' or lone '\r', plus one.
std::size_t estimateLineCount(std::string_view text);

/// True if the line holds only spaces and tabs.
bool isBlank(std::string_view line);
/// True if the first non-blank characters are '#' or '//'.
bool isComment(std::string_view line);
/// The text after the leading '#' or '//' of a comment line, trimmed.
std::string_view commentBody(std::string_view line);
/// The line without leading and trailing spaces/tabs.
std::string_view trim(std::string_view s);

/// Splits a data line into fields. Runs of spaces and tabs separate fields; a comma or semicolon
/// (with optional spaces around it) separates exactly one pair of fields, so "1,,3" yields an empty
/// middle field (which then fails to parse) instead of silently shifting columns. A single trailing
/// comma/semicolon is ignored.
void splitFields(std::string_view line, std::vector<std::string_view>& fields);
/// Splits a line at runs of spaces and tabs only (header keywords, PCD/PLY-style value lists).
std::vector<std::string_view> splitWhitespace(std::string_view line);

/// Parses a whole field as a double ("1", "-2.5e3", "+4", "nan", "inf"). False if anything is left over.
bool parseDouble(std::string_view field, double& value);
/// Parses a whole field as a decimal integer ("42", "-7", "+3"). False on junk or overflow.
bool parseInt64(std::string_view field, std::int64_t& value);

/// A field quoted for an error message: at most 40 characters, control and non-ASCII bytes as \xNN.
std::string quoted(std::string_view field);

}  // namespace s4::text
