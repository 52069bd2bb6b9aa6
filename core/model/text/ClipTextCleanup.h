#pragma once
// CLIP's text cleanup and pre-tokenisation (OpenAI simple_tokenizer.py): everything that happens
// to a prompt before byte-pair encoding.

#include <string>
#include <string_view>
#include <vector>

namespace s4 {

/// basic_clean + whitespace_clean + lower(), as OpenAI's encode() does:
///  1. a small part of ftfy.fix_text (ftfy itself is not reproduced): C1 controls read as
///     Windows-1252, Latin ligatures (ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ Ĳ ĳ Ǆ..ǌ Ǳ..ǳ) expanded, full-width ASCII and U+3000
///     made half-width and the other half-/full-width forms (U+FF5F..U+FFEF: half-width katakana and
///     Hangul, full-width signs) replaced by their NFKC forms, one character at a time, curly quotes straightened (U+2018..201B, U+02BC → ', U+201C..201F → "),
///     control characters removed. Not done: ftfy's mojibake repair, its own HTML pass, NFC
///     normalisation — give NFC text (Qt's QString input normally is);
///  2. html.unescape twice, strip;
///  3. every run of whitespace (Python's str.isspace) becomes one space, strip;
///  4. Python's str.lower().
/// Invalid UTF-8 becomes U+FFFD first.
std::u32string cleanClipText(std::string_view utf8);

/// re.findall of CLIP's pattern on cleaned text:
///   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
/// (case-insensitive, which after lower() only matters for 'ſ' in "'ſ"). Hand-written over code
/// points with the generated Unicode classes of UnicodeText.h, in the pattern's order of
/// alternatives, so a special token glued to punctuation ("!<|endoftext|>") is not special.
std::vector<std::u32string> splitClipPreTokens(std::u32string_view cleaned);

}  // namespace s4
