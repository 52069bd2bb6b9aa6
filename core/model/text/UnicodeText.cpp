#include "core/model/text/UnicodeText.h"

#include <algorithm>
#include <iterator>

namespace s4 {

namespace {

struct LowerRange {
    std::uint32_t first;
    std::uint32_t last;
    std::int32_t delta;
    std::uint32_t stride;
};

// UnicodeTables.inc is generated; the generator (run with the Python whose Unicode version the
// reference tokenizer uses) is, in short:
//   cls(c) = 3 if chr(c).isspace() else 1 if category[0]=='L' else 2 if category[0]=='N' else 0
//   kClassStarts: (c << 2) | cls(c) for every c where cls changes, c in 0..0x10FFFF
//   kLowerRanges: c -> ord(chr(c).lower()) where that is a single, different code point, merged
//                 into runs of equal delta and constant stride 1 or 2
//   kCaseStarts: (c << 2) | cased | case-ignorable << 1, as described in the table's comment
#include "core/model/text/UnicodeTables.inc"

constexpr char32_t kReplacement = 0xFFFD;

char32_t simpleLower(char32_t c) {
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    // Last range starting at or before c.
    auto it = std::upper_bound(std::begin(kLowerRanges), std::end(kLowerRanges), std::uint32_t(c),
                               [](std::uint32_t v, const LowerRange& r) { return v < r.first; });
    if (it == std::begin(kLowerRanges)) return c;
    const LowerRange& r = *std::prev(it);
    if (c > r.last || (c - r.first) % r.stride != 0) return c;
    return char32_t(std::int64_t(c) + r.delta);
}

std::uint32_t caseFlags(char32_t c) {
    if (c > 0x10FFFF) return 0;
    auto it = std::upper_bound(std::begin(kCaseStarts), std::end(kCaseStarts), (std::uint32_t(c) << 2) | 3u);
    return *std::prev(it) & 3u;
}
bool isCased(char32_t c) {
    return caseFlags(c) & 1u;
}
bool isCaseIgnorable(char32_t c) {
    return caseFlags(c) & 2u;
}

}  // namespace

UnicodeClass unicodeClass(char32_t c) {
    if (c > 0x10FFFF) return UnicodeClass::Other;
    const std::uint32_t key = (std::uint32_t(c) << 2) | 3u;
    auto it = std::upper_bound(std::begin(kClassStarts), std::end(kClassStarts), key);
    return UnicodeClass(*std::prev(it) & 3u);  // kClassStarts[0] starts at 0, so prev is valid
}

std::u32string decodeUtf8(std::string_view text) {
    std::u32string out;
    out.reserve(text.size());
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char b = s[i];
        if (b < 0x80) {
            out.push_back(b);
            ++i;
            continue;
        }
        int extra = 0;
        char32_t c = 0, min = 0;
        if ((b & 0xE0) == 0xC0)
            extra = 1, c = b & 0x1F, min = 0x80;
        else if ((b & 0xF0) == 0xE0)
            extra = 2, c = b & 0x0F, min = 0x800;
        else if ((b & 0xF8) == 0xF0)
            extra = 3, c = b & 0x07, min = 0x10000;
        else {
            out.push_back(kReplacement);  // stray continuation byte or 0xF8..0xFF
            ++i;
            continue;
        }
        std::size_t j = i + 1;
        for (; j < n && j <= i + std::size_t(extra) && (s[j] & 0xC0) == 0x80; ++j)
            c = (c << 6) | (s[j] & 0x3F);
        if (j != i + 1 + std::size_t(extra) || c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
            out.push_back(kReplacement);
            i = std::max(j, i + 1);  // skip the lead byte and the continuation bytes it consumed
            continue;
        }
        out.push_back(c);
        i = j;
    }
    return out;
}

void appendUtf8(std::string& out, char32_t c) {
    if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = kReplacement;
    if (c < 0x80) {
        out.push_back(char(c));
    } else if (c < 0x800) {
        out.push_back(char(0xC0 | (c >> 6)));
        out.push_back(char(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(char(0xE0 | (c >> 12)));
        out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(char(0x80 | (c & 0x3F)));
    } else {
        out.push_back(char(0xF0 | (c >> 18)));
        out.push_back(char(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(char(0x80 | (c & 0x3F)));
    }
}

std::string encodeUtf8(std::u32string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char32_t c : text) appendUtf8(out, c);
    return out;
}

std::u32string toLowerPython(std::u32string_view text) {
    std::u32string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char32_t c = text[i];
        if (c == 0x130) {  // the one unconditional multi-character lower-case mapping
            out.push_back(U'i');
            out.push_back(0x307);
        } else if (c == 0x3A3) {
            // CPython's Final_Sigma: a cased letter before, none after (skipping case-ignorables).
            std::size_t j = i;
            while (j > 0 && isCaseIgnorable(text[j - 1])) --j;
            bool finalSigma = j > 0 && isCased(text[j - 1]);
            if (finalSigma) {
                std::size_t k = i + 1;
                while (k < text.size() && isCaseIgnorable(text[k])) ++k;
                finalSigma = k == text.size() || !isCased(text[k]);
            }
            out.push_back(finalSigma ? 0x3C2 : 0x3C3);
        } else {
            out.push_back(simpleLower(c));
        }
    }
    return out;
}

}  // namespace s4
