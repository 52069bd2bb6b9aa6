#include "core/model/text/HtmlUnescape.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace s4 {

namespace {

struct Entity {
    const char* name;
    char32_t value;
};

// HTML 4's Latin-1 entities, U+00A0..U+00FF in order. HTML5 also accepts each without ';'.
constexpr const char* kLatin1Names[96] = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",   "uml",    "copy",
    "ordf",   "laquo",  "not",    "shy",    "reg",    "macr",   "deg",    "plusmn", "sup2",   "sup3",
    "acute",  "micro",  "para",   "middot", "cedil",  "sup1",   "ordm",   "raquo",  "frac14", "frac12",
    "frac34", "iquest", "Agrave", "Aacute", "Acirc",  "Atilde", "Auml",   "Aring",  "AElig",  "Ccedil",
    "Egrave", "Eacute", "Ecirc",  "Euml",   "Igrave", "Iacute", "Icirc",  "Iuml",   "ETH",    "Ntilde",
    "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",   "times",  "Oslash", "Ugrave", "Uacute", "Ucirc",
    "Uuml",   "Yacute", "THORN",  "szlig",  "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",
    "aelig",  "ccedil", "egrave", "eacute", "ecirc",  "euml",   "igrave", "iacute", "icirc",  "iuml",
    "eth",    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide", "oslash", "ugrave",
    "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml"};

// Names HTML5 accepts without ';' besides the Latin-1 ones.
constexpr Entity kLegacyAscii[] = {{"amp", '&'}, {"AMP", '&'},  {"lt", '<'},   {"LT", '<'},    {"gt", '>'},
                                   {"GT", '>'},  {"quot", '"'}, {"QUOT", '"'}, {"COPY", 0xA9}, {"REG", 0xAE}};

// The rest of HTML 4 (only with ';'), plus &apos;.
constexpr Entity kOthers[] = {
    {"apos", '\''},      {"OElig", 0x152},   {"oelig", 0x153},   {"Scaron", 0x160},  {"scaron", 0x161},
    {"Yuml", 0x178},     {"fnof", 0x192},    {"circ", 0x2C6},    {"tilde", 0x2DC},   {"ensp", 0x2002},
    {"emsp", 0x2003},    {"thinsp", 0x2009}, {"zwnj", 0x200C},   {"zwj", 0x200D},    {"lrm", 0x200E},
    {"rlm", 0x200F},     {"ndash", 0x2013},  {"mdash", 0x2014},  {"lsquo", 0x2018},  {"rsquo", 0x2019},
    {"sbquo", 0x201A},   {"ldquo", 0x201C},  {"rdquo", 0x201D},  {"bdquo", 0x201E},  {"dagger", 0x2020},
    {"Dagger", 0x2021},  {"bull", 0x2022},   {"hellip", 0x2026}, {"permil", 0x2030}, {"prime", 0x2032},
    {"Prime", 0x2033},   {"lsaquo", 0x2039}, {"rsaquo", 0x203A}, {"oline", 0x203E},  {"frasl", 0x2044},
    {"euro", 0x20AC},    {"image", 0x2111},  {"weierp", 0x2118}, {"real", 0x211C},   {"trade", 0x2122},
    {"alefsym", 0x2135}, {"larr", 0x2190},   {"uarr", 0x2191},   {"rarr", 0x2192},   {"darr", 0x2193},
    {"harr", 0x2194},    {"crarr", 0x21B5},  {"lArr", 0x21D0},   {"uArr", 0x21D1},   {"rArr", 0x21D2},
    {"dArr", 0x21D3},    {"hArr", 0x21D4},   {"forall", 0x2200}, {"part", 0x2202},   {"exist", 0x2203},
    {"empty", 0x2205},   {"nabla", 0x2207},  {"isin", 0x2208},   {"notin", 0x2209},  {"ni", 0x220B},
    {"prod", 0x220F},    {"sum", 0x2211},    {"minus", 0x2212},  {"lowast", 0x2217}, {"radic", 0x221A},
    {"prop", 0x221D},    {"infin", 0x221E},  {"ang", 0x2220},    {"and", 0x2227},    {"or", 0x2228},
    {"cap", 0x2229},     {"cup", 0x222A},    {"int", 0x222B},    {"there4", 0x2234}, {"sim", 0x223C},
    {"cong", 0x2245},    {"asymp", 0x2248},  {"ne", 0x2260},     {"equiv", 0x2261},  {"le", 0x2264},
    {"ge", 0x2265},      {"sub", 0x2282},    {"sup", 0x2283},    {"nsub", 0x2284},   {"sube", 0x2286},
    {"supe", 0x2287},    {"oplus", 0x2295},  {"otimes", 0x2297}, {"perp", 0x22A5},   {"sdot", 0x22C5},
    {"lceil", 0x2308},   {"rceil", 0x2309},  {"lfloor", 0x230A}, {"rfloor", 0x230B}, {"lang", 0x27E8},
    {"rang", 0x27E9},    {"loz", 0x25CA},    {"spades", 0x2660}, {"clubs", 0x2663},  {"hearts", 0x2665},
    {"diams", 0x2666}};

// Greek letters Α..Ω (U+0391..U+03A9, no U+03A2) and α..ω (U+03B1..U+03C9, ς = sigmaf).
constexpr const char* kGreekNames[] = {"Alpha",   "Beta", "Gamma", "Delta",  "Epsilon", "Zeta", "Eta",
                                       "Theta",   "Iota", "Kappa", "Lambda", "Mu",      "Nu",   "Xi",
                                       "Omicron", "Pi",   "Rho",   nullptr,  "Sigma",   "Tau",  "Upsilon",
                                       "Phi",     "Chi",  "Psi",   "Omega"};

struct EntityTables {
    std::unordered_map<std::string, char32_t> withSemicolon;  // every name, looked up as "name;"
    std::unordered_map<std::string, char32_t> legacy;         // names also valid without ';'

    EntityTables() {
        for (int i = 0; i < 96; ++i) add(kLatin1Names[i], char32_t(0xA0 + i), true);
        for (const Entity& e : kLegacyAscii) add(e.name, e.value, true);
        for (const Entity& e : kOthers) add(e.name, e.value, false);
        for (int i = 0; i < 25; ++i) {
            if (!kGreekNames[i]) continue;
            std::string upper = kGreekNames[i];
            std::string lower = upper;
            lower[0] = char(lower[0] - 'A' + 'a');
            add(upper, char32_t(0x391 + i), false);
            add(lower, char32_t(0x3B1 + i), false);
        }
        add("sigmaf", 0x3C2, false);
        add("thetasym", 0x3D1, false);
        add("upsih", 0x3D2, false);
        add("piv", 0x3D6, false);
    }
    void add(const std::string& name, char32_t value, bool isLegacy) {
        withSemicolon[name + ";"] = value;
        if (isLegacy) legacy[name] = value;
    }
};

const EntityTables& tables() {
    static const EntityTables t;
    return t;
}

// Python's html._invalid_charrefs for 0x80..0x9F.
constexpr char32_t kWindows1252[32] = {0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                       0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,   0x017D, 0x8F,
                                       0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                       0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};

bool isDigit(char32_t c) {
    return c >= '0' && c <= '9';
}
bool isHexDigit(char32_t c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Python's html._invalid_codepoints: references to these produce nothing.
bool isDroppedCodePoint(std::uint64_t v) {
    return (v >= 0x1 && v <= 0x8) || v == 0xB || (v >= 0xE && v <= 0x1F) || (v >= 0x7F && v <= 0x9F) ||
           (v >= 0xFDD0 && v <= 0xFDEF) || (v <= 0x10FFFF && (v & 0xFFFE) == 0xFFFE);
}

// Appends what a numeric reference with value v becomes (v saturates, so huge numbers stay huge).
void appendNumeric(std::u32string& out, std::uint64_t v) {
    if (v == 0) return out.push_back(0xFFFD);
    if (v == 0x0D) return out.push_back('\r');
    if (v >= 0x80 && v <= 0x9F) return out.push_back(kWindows1252[v - 0x80]);
    if ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) return out.push_back(0xFFFD);
    if (isDroppedCodePoint(v)) return;
    out.push_back(char32_t(v));
}

// Characters that end a named reference in Python's pattern [^\t\n\f <&#;]{1,32}.
bool endsName(char32_t c) {
    return c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' || c == ';';
}

}  // namespace

char32_t windows1252C1(char32_t c) {
    return (c >= 0x80 && c <= 0x9F) ? kWindows1252[c - 0x80] : c;
}

std::u32string htmlUnescape(std::u32string_view text) {
    if (text.find(U'&') == std::u32string_view::npos) return std::u32string(text);
    std::u32string out;
    out.reserve(text.size());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        if (text[i] != '&') {
            out.push_back(text[i++]);
            continue;
        }
        std::size_t j = i + 1;
        if (j < n && text[j] == '#') {
            // Numeric: #[0-9]+;? or #[xX][0-9a-fA-F]+;?  Anything else is left as it is.
            std::size_t k = j + 1;
            const bool hex = k < n && (text[k] == 'x' || text[k] == 'X');
            if (hex) ++k;
            const std::size_t digitsBegin = k;
            std::uint64_t v = 0;
            while (k < n && (hex ? isHexDigit(text[k]) : isDigit(text[k]))) {
                const char32_t c = text[k];
                const unsigned d = isDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
                v = v > 0xFFFFFFFFull ? v : v * (hex ? 16 : 10) + d;  // saturate: only "> 0x10FFFF" matters
                ++k;
            }
            if (k == digitsBegin) {
                out.push_back(text[i++]);
                continue;
            }
            if (k < n && text[k] == ';') ++k;
            appendNumeric(out, v);
            i = k;
            continue;
        }
        // Named: up to 32 name characters and an optional ';'.
        std::size_t k = j;
        while (k < n && k - j < 32 && !endsName(text[k])) ++k;
        if (k == j) {
            out.push_back(text[i++]);
            continue;
        }
        if (k < n && text[k] == ';') ++k;
        const std::string name = [&] {
            std::string s;
            for (std::size_t p = j; p < k; ++p) s.push_back(text[p] < 0x80 ? char(text[p]) : '\x01');
            return s;  // non-ASCII never belongs to a name; '\x01' keeps the positions
        }();
        const auto& t = tables();
        if (auto it = (name.back() == ';' ? t.withSemicolon : t.legacy).find(name);
            it != (name.back() == ';' ? t.withSemicolon : t.legacy).end()) {
            out.push_back(it->second);
            i = k;
            continue;
        }
        // HTML5's rule: the longest legacy name that is a proper prefix (at least 2 characters).
        bool replaced = false;
        for (std::size_t len = name.size() - 1; len >= 2 && !replaced; --len) {
            if (auto it = t.legacy.find(name.substr(0, len)); it != t.legacy.end()) {
                out.push_back(it->second);
                i = j + len;  // the rest of the name is copied as ordinary text
                replaced = true;
            }
        }
        if (!replaced) {
            out.append(text.substr(i, k - i));
            i = k;
        }
    }
    return out;
}

}  // namespace s4
