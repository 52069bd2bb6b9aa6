#pragma once
// The little Unicode the CLIP tokenizer needs, without ICU or locales: UTF-8 decoding/encoding,
// the letter / number / whitespace classes of its pre-tokenisation pattern, and Python's
// str.lower(). Tables are generated from Python 3.11's unicodedata (Unicode 14), so results do
// not depend on the machine's locale.

#include <cstdint>
#include <string>
#include <string_view>

namespace s4 {

/// The classes CLIP's pattern distinguishes: \p{L}, \p{N}, \s (Python's str.isspace), the rest.
enum class UnicodeClass : std::uint8_t { Other = 0, Letter = 1, Number = 2, Space = 3 };

/// General-category class of a code point (whole Unicode range; unassigned code points are Other).
UnicodeClass unicodeClass(char32_t c);

/// Decodes UTF-8; every invalid or truncated sequence, overlong form or surrogate becomes U+FFFD.
std::u32string decodeUtf8(std::string_view text);
/// Encodes code points as UTF-8 (surrogates and values above U+10FFFF are written as U+FFFD).
std::string encodeUtf8(std::u32string_view text);
/// Appends one code point as UTF-8.
void appendUtf8(std::string& out, char32_t c);

/// Python's str.lower(): full Unicode simple mappings, U+0130 → "i̇" and CPython's final-sigma rule
/// (Σ after a cased letter and not before one, skipping case-ignorable characters, becomes ς).
std::u32string toLowerPython(std::u32string_view text);

}  // namespace s4
