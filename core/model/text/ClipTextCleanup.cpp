#include "core/model/text/ClipTextCleanup.h"

#include "core/model/text/HtmlUnescape.h"
#include "core/model/text/UnicodeText.h"

namespace s4 {

namespace {

bool isSpace(char32_t c) {
    return unicodeClass(c) == UnicodeClass::Space;
}

// ftfy's remove_control_chars set (tab, newlines and form feed survive; they are whitespace).
bool isRemovedControl(char32_t c) {
    return c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || (c >= 0x206A && c <= 0x206F) ||
           c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
}

// ftfy's fix_latin_ligatures table.
const char32_t* ligature(char32_t c) {
    switch (c) {
        case 0x132:
            return U"IJ";
        case 0x133:
            return U"ij";
        case 0x149:
            return U"\u02BCn";
        case 0x1C4:
            return U"D\u017D";
        case 0x1C5:
            return U"D\u017E";
        case 0x1C6:
            return U"d\u017E";
        case 0x1C7:
            return U"LJ";
        case 0x1C8:
            return U"Lj";
        case 0x1C9:
            return U"lj";
        case 0x1CA:
            return U"NJ";
        case 0x1CB:
            return U"Nj";
        case 0x1CC:
            return U"nj";
        case 0xFB00:
            return U"ff";
        case 0xFB01:
            return U"fi";
        case 0xFB02:
            return U"fl";
        case 0xFB03:
            return U"ffi";
        case 0xFB04:
            return U"ffl";
        case 0xFB05:
            return U"\u017Ft";
        case 0xFB06:
            return U"st";
        default:
            return nullptr;
    }
}

// The subset of ftfy.fix_text described in the header, in ftfy's order of fixes.
std::u32string ftfySubset(std::u32string_view text) {
    std::u32string out;
    out.reserve(text.size());
    for (char32_t c : text) {
        c = windows1252C1(c);
        if (const char32_t* expansion = ligature(c)) {
            for (const char32_t* p = expansion; *p; ++p) out.push_back(*p == 0x2BC ? U'\'' : *p);
            continue;
        }
        if (c >= 0xFF01 && c <= 0xFF5E)
            c -= 0xFEE0;
        else if (c == 0x3000)
            c = ' ';
        if (c == 0x2BC || (c >= 0x2018 && c <= 0x201B))
            c = '\'';
        else if (c >= 0x201C && c <= 0x201F)
            c = '"';
        if (isRemovedControl(c)) continue;
        out.push_back(c);
    }
    return out;
}

std::u32string strip(std::u32string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && isSpace(s[b])) ++b;
    while (e > b && isSpace(s[e - 1])) --e;
    return std::u32string(s.substr(b, e - b));
}

std::u32string collapseWhitespace(std::u32string_view s) {
    std::u32string out;
    out.reserve(s.size());
    bool inSpace = false;
    for (char32_t c : s) {
        if (isSpace(c)) {
            if (!inSpace) out.push_back(' ');
            inSpace = true;
        } else {
            out.push_back(c);
            inSpace = false;
        }
    }
    return strip(out);
}

bool startsWith(std::u32string_view s, std::size_t pos, std::u32string_view prefix) {
    return s.size() - pos >= prefix.size() && s.compare(pos, prefix.size(), prefix) == 0;
}

// Length of the contraction starting at pos ("'s" ... "'d"), 0 if none. The pattern is
// case-insensitive; after lower() the only other match is the long s 'ſ' folding to 's'.
std::size_t contractionLength(std::u32string_view s, std::size_t pos) {
    if (s[pos] != '\'' || pos + 1 >= s.size()) return 0;
    const char32_t a = s[pos + 1];
    const char32_t b = pos + 2 < s.size() ? s[pos + 2] : 0;
    if (a == 's' || a == 0x17F || a == 't') return 2;
    if ((a == 'r' || a == 'v') && b == 'e') return 3;
    if (a == 'm') return 2;
    if (a == 'l' && b == 'l') return 3;
    if (a == 'd') return 2;
    return 0;
}

}  // namespace

std::u32string cleanClipText(std::string_view utf8) {
    std::u32string text = ftfySubset(decodeUtf8(utf8));
    text = strip(htmlUnescape(htmlUnescape(text)));
    return toLowerPython(collapseWhitespace(text));
}

std::vector<std::u32string> splitClipPreTokens(std::u32string_view s) {
    static constexpr std::u32string_view kSpecials[] = {U"<|startoftext|>", U"<|endoftext|>"};
    std::vector<std::u32string> tokens;
    std::size_t pos = 0;
    while (pos < s.size()) {
        std::size_t len = 0;
        for (std::u32string_view special : kSpecials)
            if (len == 0 && startsWith(s, pos, special)) len = special.size();
        if (len == 0) len = contractionLength(s, pos);
        if (len == 0) {
            const UnicodeClass cls = unicodeClass(s[pos]);
            if (cls == UnicodeClass::Space) {
                ++pos;  // findall skips positions where nothing matches
                continue;
            }
            if (cls == UnicodeClass::Number) {
                len = 1;
            } else {
                // A maximal run of letters, or of characters that are neither letter, number nor space.
                len = 1;
                while (pos + len < s.size() &&
                       (cls == UnicodeClass::Letter ? unicodeClass(s[pos + len]) == UnicodeClass::Letter
                                                    : unicodeClass(s[pos + len]) == UnicodeClass::Other))
                    ++len;
            }
        }
        tokens.emplace_back(s.substr(pos, len));
        pos += len;
    }
    return tokens;
}

}  // namespace s4
