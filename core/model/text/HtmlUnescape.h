#pragma once
// Python's html.unescape() for the CLIP tokenizer's text cleanup (basic_clean applies it twice).

#include <string>
#include <string_view>

namespace s4 {

/// Replaces character references as Python's html.unescape does: numeric ones (&#38; &#x26;, ';'
/// optional, invalid values mapped like Python: 0 and surrogates → U+FFFD, 0x80–0x9F through
/// Windows-1252, non-characters and C0/C1 controls dropped) and named ones, including HTML5's
/// legacy forms without ';' and its longest-prefix rule ("&ampx" → "&x").
/// Scope of names: amp lt gt quot apos, every HTML 4 entity (Latin-1, Greek, typographic and
/// arrow/maths ones such as &rsquo; &mdash; &hellip; &euro; &trade; &larr; &le;); HTML5's other
/// ~2000 names are left as they are.
std::u32string htmlUnescape(std::u32string_view text);

/// Windows-1252 reading of a byte 0x80–0x9F (Python's table: undefined bytes map to themselves).
char32_t windows1252C1(char32_t c);

}  // namespace s4
