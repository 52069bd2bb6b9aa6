#include "core/io/TextScanner.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace s4::text {
namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}
bool isHardSeparator(char c) {
    return c == ',' || c == ';';
}

// from_chars rejects a leading '+', which some exporters write; accept exactly one.
std::string_view withoutPlus(std::string_view s) {
    if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
    return s;
}

}  // namespace

bool LineScanner::next() {
    if (pos_ >= text_.size()) return false;
    const std::size_t start = pos_;
    std::size_t end = start;
    while (end < text_.size() && text_[end] != '\n' && text_[end] != '\r') ++end;
    line_ = text_.substr(start, end - start);
    pos_ = end;
    if (pos_ < text_.size()) {
        if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
        ++pos_;
    }
    ++lineNumber_;
    return true;
}

std::size_t estimateLineCount(std::string_view text) {
    std::size_t n = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++n;
        } else if (text[i] == '\r') {
            ++n;
            if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        }
    }
    return n;
}

bool isBlank(std::string_view line) {
    return std::all_of(line.begin(), line.end(), [](char c) { return isSpace(c); });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
    return s;
}

bool isComment(std::string_view line) {
    const std::string_view t = trim(line);
    return (!t.empty() && t[0] == '#') || (t.size() >= 2 && t[0] == '/' && t[1] == '/');
}

std::string_view commentBody(std::string_view line) {
    std::string_view t = trim(line);
    if (!t.empty() && t[0] == '#')
        t.remove_prefix(1);
    else if (t.size() >= 2 && t[0] == '/' && t[1] == '/')
        t.remove_prefix(2);
    return trim(t);
}

std::vector<std::string_view> splitWhitespace(std::string_view line) {
    std::vector<std::string_view> tokens;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) tokens.push_back(line.substr(start, i - start));
    }
    return tokens;
}

void splitFields(std::string_view line, std::vector<std::string_view>& fields) {
    fields.clear();
    const std::size_t n = line.size();
    std::size_t i = 0;
    auto skipSpaces = [&] {
        while (i < n && isSpace(line[i])) ++i;
    };
    skipSpaces();
    if (i == n) return;
    for (;;) {
        const std::size_t start = i;
        while (i < n && !isSpace(line[i]) && !isHardSeparator(line[i])) ++i;
        fields.push_back(line.substr(start, i - start));
        skipSpaces();
        if (i == n) break;
        if (isHardSeparator(line[i])) {
            ++i;
            skipSpaces();
            if (i == n) break;  // a trailing separator ends the line
        }
    }
}

bool parseDouble(std::string_view field, double& value) {
    field = withoutPlus(field);
    if (field.empty()) return false;
    const char* end = field.data() + field.size();
    const auto [ptr, ec] = std::from_chars(field.data(), end, value, std::chars_format::general);
    return ec == std::errc() && ptr == end;
}

bool parseInt64(std::string_view field, std::int64_t& value) {
    field = withoutPlus(field);
    if (field.empty()) return false;
    const char* end = field.data() + field.size();
    const auto [ptr, ec] = std::from_chars(field.data(), end, value, 10);
    return ec == std::errc() && ptr == end;
}

std::string quoted(std::string_view field) {
    constexpr std::size_t kMax = 40;
    std::string out = "'";
    for (std::size_t i = 0; i < field.size() && i < kMax; ++i) {
        const auto c = static_cast<unsigned char>(field[i]);
        if (c < 0x20 || c >= 0x7F || c == '\'') {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (field.size() > kMax) out += "...";
    return out + "'";
}

}  // namespace s4::text
