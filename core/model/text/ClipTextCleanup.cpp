#include "core/model/text/ClipTextCleanup.h"

#include "core/model/text/HtmlUnescape.h"
#include "core/model/text/UnicodeText.h"

#include <algorithm>
#include <iterator>

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

// ftfy's fix_character_width beyond full-width ASCII: the NFKC form of each of U+FF5F..U+FFEF that has a
// one-character one (half-width katakana and Hangul, full-width signs; Python's unicodedata, Unicode 14).
// ftfy maps character by character, so a half-width voiced mark stays a combining mark (ｶﾞ → カ + U+3099).
// U+FFE3 (two characters, U+0020 U+0304) is handled where the table is used.
struct WidthForm {
    char32_t from, to;
};
constexpr WidthForm kWidthForms[] = {
    {0xFF5F, 0x2985}, {0xFF60, 0x2986}, {0xFF61, 0x3002}, {0xFF62, 0x300C}, {0xFF63, 0x300D}, {0xFF64, 0x3001},
    {0xFF65, 0x30FB}, {0xFF66, 0x30F2}, {0xFF67, 0x30A1}, {0xFF68, 0x30A3}, {0xFF69, 0x30A5}, {0xFF6A, 0x30A7},
    {0xFF6B, 0x30A9}, {0xFF6C, 0x30E3}, {0xFF6D, 0x30E5}, {0xFF6E, 0x30E7}, {0xFF6F, 0x30C3}, {0xFF70, 0x30FC},
    {0xFF71, 0x30A2}, {0xFF72, 0x30A4}, {0xFF73, 0x30A6}, {0xFF74, 0x30A8}, {0xFF75, 0x30AA}, {0xFF76, 0x30AB},
    {0xFF77, 0x30AD}, {0xFF78, 0x30AF}, {0xFF79, 0x30B1}, {0xFF7A, 0x30B3}, {0xFF7B, 0x30B5}, {0xFF7C, 0x30B7},
    {0xFF7D, 0x30B9}, {0xFF7E, 0x30BB}, {0xFF7F, 0x30BD}, {0xFF80, 0x30BF}, {0xFF81, 0x30C1}, {0xFF82, 0x30C4},
    {0xFF83, 0x30C6}, {0xFF84, 0x30C8}, {0xFF85, 0x30CA}, {0xFF86, 0x30CB}, {0xFF87, 0x30CC}, {0xFF88, 0x30CD},
    {0xFF89, 0x30CE}, {0xFF8A, 0x30CF}, {0xFF8B, 0x30D2}, {0xFF8C, 0x30D5}, {0xFF8D, 0x30D8}, {0xFF8E, 0x30DB},
    {0xFF8F, 0x30DE}, {0xFF90, 0x30DF}, {0xFF91, 0x30E0}, {0xFF92, 0x30E1}, {0xFF93, 0x30E2}, {0xFF94, 0x30E4},
    {0xFF95, 0x30E6}, {0xFF96, 0x30E8}, {0xFF97, 0x30E9}, {0xFF98, 0x30EA}, {0xFF99, 0x30EB}, {0xFF9A, 0x30EC},
    {0xFF9B, 0x30ED}, {0xFF9C, 0x30EF}, {0xFF9D, 0x30F3}, {0xFF9E, 0x3099}, {0xFF9F, 0x309A}, {0xFFA0, 0x1160},
    {0xFFA1, 0x1100}, {0xFFA2, 0x1101}, {0xFFA3, 0x11AA}, {0xFFA4, 0x1102}, {0xFFA5, 0x11AC}, {0xFFA6, 0x11AD},
    {0xFFA7, 0x1103}, {0xFFA8, 0x1104}, {0xFFA9, 0x1105}, {0xFFAA, 0x11B0}, {0xFFAB, 0x11B1}, {0xFFAC, 0x11B2},
    {0xFFAD, 0x11B3}, {0xFFAE, 0x11B4}, {0xFFAF, 0x11B5}, {0xFFB0, 0x111A}, {0xFFB1, 0x1106}, {0xFFB2, 0x1107},
    {0xFFB3, 0x1108}, {0xFFB4, 0x1121}, {0xFFB5, 0x1109}, {0xFFB6, 0x110A}, {0xFFB7, 0x110B}, {0xFFB8, 0x110C},
    {0xFFB9, 0x110D}, {0xFFBA, 0x110E}, {0xFFBB, 0x110F}, {0xFFBC, 0x1110}, {0xFFBD, 0x1111}, {0xFFBE, 0x1112},
    {0xFFC2, 0x1161}, {0xFFC3, 0x1162}, {0xFFC4, 0x1163}, {0xFFC5, 0x1164}, {0xFFC6, 0x1165}, {0xFFC7, 0x1166},
    {0xFFCA, 0x1167}, {0xFFCB, 0x1168}, {0xFFCC, 0x1169}, {0xFFCD, 0x116A}, {0xFFCE, 0x116B}, {0xFFCF, 0x116C},
    {0xFFD2, 0x116D}, {0xFFD3, 0x116E}, {0xFFD4, 0x116F}, {0xFFD5, 0x1170}, {0xFFD6, 0x1171}, {0xFFD7, 0x1172},
    {0xFFDA, 0x1173}, {0xFFDB, 0x1174}, {0xFFDC, 0x1175}, {0xFFE0, 0x00A2}, {0xFFE1, 0x00A3}, {0xFFE2, 0x00AC},
    {0xFFE4, 0x00A6}, {0xFFE5, 0x00A5}, {0xFFE6, 0x20A9}, {0xFFE8, 0x2502}, {0xFFE9, 0x2190}, {0xFFEA, 0x2191},
    {0xFFEB, 0x2192}, {0xFFEC, 0x2193}, {0xFFED, 0x25A0}, {0xFFEE, 0x25CB},
};

char32_t widthForm(char32_t c) {
    const auto* end = std::end(kWidthForms);
    const auto* it = std::lower_bound(std::begin(kWidthForms), end, c,
                                      [](const WidthForm& f, char32_t v) { return f.from < v; });
    return it != end && it->from == c ? it->to : c;
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
        case 0x1F1:
            return U"DZ";
        case 0x1F2:
            return U"Dz";
        case 0x1F3:
            return U"dz";
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
        if (c >= 0xFF01 && c <= 0xFF5E) {
            c -= 0xFEE0;
        } else if (c == 0x3000) {
            c = ' ';
        } else if (c == 0xFFE3) {  // FULLWIDTH MACRON: NFKC gives a space and a combining macron
            out.push_back(' ');
            c = 0x304;
        } else if (c >= 0xFF5F && c <= 0xFFEF) {
            c = widthForm(c);
        }
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
