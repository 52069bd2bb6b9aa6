// CLIP's BPE tokenizer: text cleanup and pre-tokenisation against hand-worked examples, byte-pair
// merges against a separately written Python-literal merge loop, both vocabulary sources (OpenAI
// merges file, plain and gzip; Hugging Face vocab.json + merges.txt), context rows, and errors.
#include "core/common/Error.h"
#include "core/model/text/ClipTextCleanup.h"
#include "core/model/text/ClipTokenizer.h"
#include "tests/support/TestData.h"

#include <QTemporaryDir>
#include <QtTest>

#include <zlib.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <set>

using namespace s4;
namespace fs = std::filesystem;
using Ids = std::vector<std::int32_t>;

namespace {

// ---- An independent reference, written like simple_tokenizer.py, with strings and no cache ----

std::string utf8Of(char32_t c) {
    std::string s;
    if (c < 0x80) {
        s.push_back(char(c));
    } else {  // bytes_to_unicode only reaches U+0143
        s.push_back(char(0xC0 | (c >> 6)));
        s.push_back(char(0x80 | (c & 0x3F)));
    }
    return s;
}

// bytes_to_unicode(), transcribed: bs = printable ranges, cs = bs, then 2**8 + n for the rest.
std::vector<std::pair<int, std::string>> referenceBytesToUnicode() {
    std::vector<int> bs;
    for (int b = '!'; b <= '~'; ++b) bs.push_back(b);
    for (int b = 0xA1; b <= 0xAC; ++b) bs.push_back(b);
    for (int b = 0xAE; b <= 0xFF; ++b) bs.push_back(b);
    std::vector<int> cs = bs;
    int n = 0;
    for (int b = 0; b < 256; ++b) {
        if (std::find(bs.begin(), bs.end(), b) == bs.end()) {
            bs.push_back(b);
            cs.push_back(256 + n);
            ++n;
        }
    }
    std::vector<std::pair<int, std::string>> table;
    for (std::size_t i = 0; i < bs.size(); ++i) table.emplace_back(bs[i], utf8Of(char32_t(cs[i])));
    return table;
}

struct ReferenceBpe {
    std::map<std::pair<std::string, std::string>, int> ranks;
    std::map<std::string, int> encoder;
    std::map<int, std::string> byteEncoder;

    explicit ReferenceBpe(const std::vector<std::pair<std::string, std::string>>& merges) {
        std::vector<std::string> vocab;
        for (const auto& [b, c] : referenceBytesToUnicode()) {
            byteEncoder[b] = c;
            vocab.push_back(c);
        }
        const std::size_t base = vocab.size();
        for (std::size_t i = 0; i < base; ++i) vocab.push_back(vocab[i] + "</w>");
        for (std::size_t i = 0; i < merges.size(); ++i) {
            ranks[merges[i]] = int(i);
            vocab.push_back(merges[i].first + merges[i].second);
        }
        vocab.push_back("<|startoftext|>");
        vocab.push_back("<|endoftext|>");
        for (std::size_t i = 0; i < vocab.size(); ++i) encoder[vocab[i]] = int(i);
    }

    std::vector<std::string> bpe(const std::vector<std::string>& chars) const {
        std::vector<std::string> word = chars;
        word.back() += "</w>";
        while (word.size() > 1) {
            std::set<std::pair<std::string, std::string>> pairs;
            for (std::size_t i = 0; i + 1 < word.size(); ++i) pairs.insert({word[i], word[i + 1]});
            const std::pair<std::string, std::string>* bigram = nullptr;
            int bestRank = 1 << 30;
            for (const auto& p : pairs) {
                auto it = ranks.find(p);
                if (it != ranks.end() && it->second < bestRank) bestRank = it->second, bigram = &p;
            }
            if (!bigram) break;
            // new_word via word.index(first, i), exactly as the Python loop does.
            std::vector<std::string> newWord;
            std::size_t i = 0;
            while (i < word.size()) {
                auto j = std::find(word.begin() + std::ptrdiff_t(i), word.end(), bigram->first);
                if (j == word.end()) {
                    newWord.insert(newWord.end(), word.begin() + std::ptrdiff_t(i), word.end());
                    break;
                }
                newWord.insert(newWord.end(), word.begin() + std::ptrdiff_t(i), j);
                i = std::size_t(j - word.begin());
                if (i < word.size() - 1 && word[i + 1] == bigram->second) {
                    newWord.push_back(bigram->first + bigram->second);
                    i += 2;
                } else {
                    newWord.push_back(word[i]);
                    i += 1;
                }
            }
            word = newWord;
        }
        return word;
    }

    Ids encodePreTokens(const std::vector<std::u32string>& tokens) const {
        Ids ids;
        for (const std::u32string& t : tokens) {
            std::string bytes;
            for (char32_t c : t) {  // UTF-8 by hand
                const int extra = c < 0x80 ? 0 : c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;
                const unsigned lead[] = {0x00, 0xC0, 0xE0, 0xF0};
                bytes.push_back(char(lead[extra] | (c >> (6 * extra))));
                for (int k = extra - 1; k >= 0; --k) bytes.push_back(char(0x80 | ((c >> (6 * k)) & 0x3F)));
            }
            if (bytes == "<|startoftext|>" || bytes == "<|endoftext|>") {
                ids.push_back(encoder.at(bytes));
                continue;
            }
            std::vector<std::string> chars;
            for (unsigned char b : bytes) chars.push_back(byteEncoder.at(b));
            for (const std::string& piece : bpe(chars)) ids.push_back(encoder.at(piece));
        }
        return ids;
    }
};

// ---- The tiny vocabulary of these tests ----

// "Ã ©</w>" is é (C3 A9) at a word end; "' s</w>" makes the contraction one token.
const std::vector<std::pair<std::string, std::string>> kMerges = {
    {"l", "o"},      {"lo", "w</w>"}, {"e", "r</w>"}, {"t", "h"},       {"th", "e</w>"},   {"w", "e"},
    {"we", "r</w>"}, {"s", "t"},      {"st", "a"},    {"sta", "r</w>"}, {"a", "a"},        {"o", "w"},
    {"'", "s</w>"},  {"c", "a"},      {"ca", "f"},    {"Ã", "©</w>"},   {"caf", "Ã©</w>"}, {"o", "w</w>"}};

std::string mergesText() {
    std::string text = "#version: 0.2\n";
    for (const auto& [a, b] : kMerges) text += a + " " + b + "\n";
    return text;
}

// Ids of the OpenAI-built vocabulary, worked out by hand: byte b < 0x7F printable sits at b - 0x21,
// "+</w>" adds 256, merge k (0-based) is 512 + k, then SOT and EOT.
constexpr int kW = 'w' - 0x21;
constexpr int kLo = 512, kLowEnd = 513, kErEnd = 514, kTheEnd = 516, kAa = 522, kApostropheS = 524,
              kCafeEnd = 528;
constexpr int kSot = 512 + 18, kEot = 513 + 18;
int endOf(char c) {
    return 256 + (c - 0x21);
}

std::string gzip(const std::string& data) {
    z_stream zs{};
    deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&zs, uLong(data.size())) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = uInt(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = uInt(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

std::vector<std::u32string> split(const char* utf8) {
    return splitClipPreTokens(cleanClipText(utf8));
}

template <class F>
QString ioErrorOf(F&& f) {
    try {
        f();
    } catch (const IoError& e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception& e) {
        return "wrong exception type: " + QString::fromStdString(e.what());
    }
    return "no exception";
}

}  // namespace

class TestClipTokenizer : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    fs::path root() const { return fs::path(dir_.path().toStdString()); }
    fs::path openAiFile() const { return root() / "bpe_tiny.txt"; }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        test::writeFile(openAiFile(), mergesText());
    }

    void byteToUnicodeMatchesTheReferenceTable() {
        for (const auto& [b, c] : referenceBytesToUnicode()) {
            const char32_t u = clipByteToUnicode(std::uint8_t(b));
            QCOMPARE(utf8Of(u), c);
        }
        QCOMPARE(clipByteToUnicode(' '), char32_t(0x120));  // 'Ġ', familiar from GPT-2
        QCOMPARE(clipByteToUnicode(0), char32_t(0x100));
        QCOMPARE(clipByteToUnicode(0xAD), char32_t(0x143));  // the last non-printable byte
    }

    void cleanupCollapsesWhitespaceAndLowercases() {
        QCOMPARE(cleanClipText("  Hello,\t\n  WORLD!  "), std::u32string(U"hello, world!"));
        QCOMPARE(cleanClipText("a\u00A0\u2003b"), std::u32string(U"a b"));  // Unicode spaces too
        QCOMPARE(cleanClipText("ÀÉÎ Ñandú ΣΟΦΙΑ ПРИВЕТ"), std::u32string(U"àéî ñandú σοφια привет"));
        QCOMPARE(cleanClipText("ΟΔΟΣ"),
                 std::u32string(U"\u03BF\u03B4\u03BF\u03C2"));  // final sigma, like str.lower()
        QCOMPARE(cleanClipText("İ"), std::u32string(U"i\u0307"));
        QCOMPARE(cleanClipText("\xFF"
                               "a"),
                 std::u32string(U"\uFFFDa"));  // invalid UTF-8
    }

    void cleanupUnescapesHtmlTwice() {
        QCOMPARE(cleanClipText("a &amp; b"), std::u32string(U"a & b"));
        QCOMPARE(cleanClipText("&amp;amp;"), std::u32string(U"&"));  // html.unescape applied twice
        QCOMPARE(cleanClipText("&lt;b&gt; &quot;q&quot; &#39;s &#x27;t"), std::u32string(U"<b> \"q\" 's 't"));
        QCOMPARE(cleanClipText("caf&eacute; caf&#233; caf&#xE9"), std::u32string(U"café café café"));
        QCOMPARE(cleanClipText("&ampx &eacutex"), std::u32string(U"&x éx"));  // HTML5 legacy prefixes
        QCOMPARE(cleanClipText("&noSuchName; &# &#x;"), std::u32string(U"&nosuchname; &# &#x;"));
        QCOMPARE(cleanClipText("&#128;&#0;&#1;"), std::u32string(U"\u20AC\uFFFD"));  // Python's fix-ups
        QCOMPARE(cleanClipText("&rsquo;&Omega;"), std::u32string(U"\u2019\u03C9"));
    }

    void cleanupAppliesTheFtfySubset() {
        QCOMPARE(cleanClipText("it\u2019s \u201Cok\u201D"), std::u32string(U"it's \"ok\""));
        QCOMPARE(cleanClipText("\uFF21\uFF22\uFF23\u3000x"), std::u32string(U"abc x"));
        QCOMPARE(cleanClipText("\uFB01sh"), std::u32string(U"fish"));
        // The other width forms, one character at a time as ftfy maps them (NFKC of each character):
        // half-width katakana become full-width, a half-width voiced mark stays a combining mark, the
        // full-width yen and macron become ¥ and space + U+0304, half-width Hangul becomes conjoining jamo.
        QCOMPARE(cleanClipText("\uFF76\uFF92\uFF97"), std::u32string(U"\u30AB\u30E1\u30E9"));  // ｶﾒﾗ → カメラ
        QCOMPARE(cleanClipText("\uFF76\uFF9E"), std::u32string(U"\u30AB\u3099"));              // ｶﾞ
        QCOMPARE(cleanClipText("\uFFE5\uFFE3"), std::u32string(U"\u00A5 \u0304"));
        QCOMPARE(cleanClipText("\uFFA1\uFFEE"), std::u32string(U"\u1100\u25CB"));
        QCOMPARE(cleanClipText("\u01F1\u01F2\u01F3"), std::u32string(U"dzdzdz"));  // ligatures, then lower()
        QCOMPARE(cleanClipText("a\x01"
                               "b\x7F"),
                 std::u32string(U"ab"));
    }

    void preTokensFollowClipsPattern() {
        using V = std::vector<std::u32string>;
        QCOMPARE(split("it's we're they'll I'm"),
                 (V{U"it", U"'s", U"we", U"'re", U"they", U"'ll", U"i", U"'m"}));
        QCOMPARE(split("''s 'x"), (V{U"''", U"s", U"'", U"x"}));
        QCOMPARE(split("hello, world!!"), (V{U"hello", U",", U"world", U"!!"}));
        QCOMPARE(split("abc123"), (V{U"abc", U"1", U"2", U"3"}));
        QCOMPARE(split("m² ½"), (V{U"m", U"²", U"½"}));  // \p{N} beyond ASCII, one at a time
        QCOMPARE(split("naïve café 日本語"), (V{U"naïve", U"café", U"日本語"}));
        QCOMPARE(split("e\u0301"), (V{U"e", U"\u0301"}));  // a combining mark is not \p{L}
        QCOMPARE(split("<|startoftext|>hi <|ENDOFTEXT|>"), (V{U"<|startoftext|>", U"hi", U"<|endoftext|>"}));
        QCOMPARE(split("!<|endoftext|>"), (V{U"!<|", U"endoftext", U"|>"}));  // regex order, not special
        QCOMPARE(split("   "), V{});
    }

    void handWorkedMerges() {
        const auto t = ClipTokenizer::fromOpenAiMerges(openAiFile());
        QCOMPARE(t.vocabularySize(), std::size_t(512 + kMerges.size() + 2));
        QCOMPARE(t.startOfTextId(), kSot);
        QCOMPARE(t.endOfTextId(), kEot);
        QCOMPARE(t.encode("low"), (Ids{kLowEnd}));            // l o → lo; lo w</w> → low</w>
        QCOMPARE(t.encode("lower"), (Ids{kLo, kW, kErEnd}));  // "lo w" is no merge; e r</w> is
        QCOMPARE(t.encode("LOW  Lower"), (Ids{kLowEnd, kLo, kW, kErEnd}));
        QCOMPARE(t.encode("the"), (Ids{kTheEnd}));
        QCOMPARE(t.encode("aaa"), (Ids{kAa, endOf('a')}));  // left to right, no overlap
        QCOMPARE(t.encode("aaaa"), (Ids{kAa, 'a' - 0x21, endOf('a')}));
        QCOMPARE(t.encode("low's"), (Ids{kLowEnd, kApostropheS}));
        QCOMPARE(t.encode("low, low!"), (Ids{kLowEnd, endOf(','), kLowEnd, endOf('!')}));
        QCOMPARE(t.encode("low&amp;low"), (Ids{kLowEnd, endOf('&'), kLowEnd}));
        QCOMPARE(t.encode("café"), (Ids{kCafeEnd}));
        QCOMPARE(t.encode("l"), (Ids{endOf('l')}));
        QCOMPARE(t.encode("<|startoftext|>low<|endoftext|>"), (Ids{kSot, kLowEnd, kEot}));
        QCOMPARE(t.encode(""), Ids{});
        QCOMPARE(t.encode("a"), (Ids{320}));  // the same id as in the real CLIP vocabulary
        QCOMPARE(t.decode(t.encode("lower café, low")), std::string("lower café , low "));
        QCOMPARE(t.tokenText(kLowEnd), std::string("low</w>"));
        QCOMPARE(t.tokenId("er</w>"), std::optional<std::int32_t>(kErEnd));
    }

    void mergesMatchTheReferenceLoop() {
        const auto t = ClipTokenizer::fromOpenAiMerges(openAiFile());
        const ReferenceBpe reference(kMerges);
        const std::vector<std::string> pool = {"l", "o", "w", "e", "r", "t", "h", "s", "a", "c",     "f", "é",
                                               "'", " ", " ", ",", "!", "1", "σ", "ж", "Ł", "&amp;", "L"};
        std::mt19937 rng(1234);
        for (int trial = 0; trial < 2000; ++trial) {
            std::string text;
            const int length = 1 + int(rng() % 14);
            for (int k = 0; k < length; ++k) text += pool[rng() % pool.size()];
            const Ids expected = reference.encodePreTokens(splitClipPreTokens(cleanClipText(text)));
            if (t.encode(text) != expected) QFAIL(("mismatch for \"" + text + "\"").c_str());
            QCOMPARE(t.encode(text), expected);  // second call goes through the cache
        }
    }

    void rowsArePaddedAndTruncatedKeepingEot() {
        const auto t = ClipTokenizer::fromOpenAiMerges(openAiFile());
        const auto rows = t.tokenize({"low", "", "lower"});
        QCOMPARE(rows.size(), std::size_t(3));
        Ids first(77, 0);
        first[0] = kSot, first[1] = kLowEnd, first[2] = kEot;
        QCOMPARE(rows[0], first);
        QCOMPARE((Ids{rows[1][0], rows[1][1], rows[1][2]}), (Ids{kSot, kEot, 0}));
        QCOMPARE(rows[2][4], kEot);

        std::string exact, longer;
        for (int i = 0; i < 75; ++i) exact += "low ";
        for (int i = 0; i < 200; ++i) longer += "low ";
        for (const std::string& text : {exact, longer}) {
            const Ids row = t.tokenize({text}).at(0);
            QCOMPARE(row.size(), std::size_t(77));
            QCOMPARE(row.front(), kSot);
            QCOMPARE(row[76], kEot);
            QVERIFY(std::all_of(row.begin() + 1, row.begin() + 76, [](int id) { return id == kLowEnd; }));
        }
        const Ids shortRow = t.tokenize({"low low low"}, 4).at(0);
        QCOMPARE(shortRow, (Ids{kSot, kLowEnd, kLowEnd, kEot}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, t.tokenize({"x"}, 1));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, t.decode({-1}));
    }

    void gzipMergesGiveTheSameTokenizer() {
        const fs::path gz = root() / "bpe_tiny.txt.gz";
        test::writeFile(gz, gzip(mergesText()));
        const auto plain = ClipTokenizer::fromOpenAiMerges(openAiFile());
        const auto zipped = ClipTokenizer::load(gz);
        QCOMPARE(zipped.vocabularySize(), plain.vocabularySize());
        for (const char* text : {"lower café", "the star's low!", "aaaa we wer"})
            QCOMPARE(zipped.encode(text), plain.encode(text));

        const fs::path broken = root() / "broken.txt.gz";
        const std::string bytes = gzip(mergesText() + std::string(5000, 'x'));
        test::writeFile(broken, bytes.substr(0, bytes.size() / 2));
        QVERIFY(ioErrorOf([&] { ClipTokenizer::load(broken); }).contains("broken.txt.gz"));
    }

    void openAiKeepsAtMost48894Merges() {
        std::string text = "#version: 0.2\n";
        for (int i = 0; i < 48900; ++i) text += "x" + std::to_string(i) + " y\n";
        const fs::path file = root() / "big.txt";
        test::writeFile(file, text);
        const auto t = ClipTokenizer::fromOpenAiMerges(file);
        QCOMPARE(t.mergeCount(), std::size_t(48894));
        QCOMPARE(t.vocabularySize(), std::size_t(49408));
        QCOMPARE(t.startOfTextId(), 49406);
        QCOMPARE(t.endOfTextId(), 49407);
    }

    void huggingFaceFolderUsesItsOwnIds() {
        // Same tokens as the OpenAI-built vocabulary, ids reversed, so no id can match by accident.
        const auto openAi = ClipTokenizer::fromOpenAiMerges(openAiFile());
        const int n = int(openAi.vocabularySize());
        nlohmann::json vocab = nlohmann::json::object();
        for (int id = 0; id < n; ++id) vocab[openAi.tokenText(id)] = n - 1 - id;
        const fs::path folder = root() / "hf";
        test::writeFile(folder / "vocab.json", vocab.dump());
        test::writeFile(folder / "merges.txt", mergesText());
        const auto hf = ClipTokenizer::load(folder);
        QCOMPARE(hf.startOfTextId(), n - 1 - kSot);
        QCOMPARE(hf.endOfTextId(), n - 1 - kEot);
        QCOMPARE(hf.encode("lower"), (Ids{n - 1 - kLo, n - 1 - kW, n - 1 - kErEnd}));
        for (const char* text : {"the star's low!", "café aaaa", "<|startoftext|>we wer"}) {
            Ids mapped = openAi.encode(text);
            for (auto& id : mapped) id = n - 1 - id;
            QCOMPARE(hf.encode(text), mapped);
        }
    }

    void malformedFilesNameFileAndLine() {
        const fs::path missing = root() / "nowhere" / "bpe.txt";
        QVERIFY(ioErrorOf([&] { ClipTokenizer::load(missing); }).contains("nowhere/bpe.txt"));
        QVERIFY(ioErrorOf([&] { ClipTokenizer::load(root() / "nowhere"); }).contains("nowhere"));

        const fs::path threeParts = root() / "three.txt";
        test::writeFile(threeParts, "#version: 0.2\nl o\na b c\n");
        const QString e1 = ioErrorOf([&] { ClipTokenizer::load(threeParts); });
        QVERIFY2(e1.contains("three.txt: line 3:"), qPrintable(e1));

        const fs::path onlyHeader = root() / "header.txt";
        test::writeFile(onlyHeader, "#version: 0.2\n");
        QVERIFY(ioErrorOf([&] { ClipTokenizer::load(onlyHeader); }).contains("no merges"));

        const fs::path repeated = root() / "repeat.txt";
        test::writeFile(repeated, "#version: 0.2\nl o\nt h\nl o\n");
        const QString e2 = ioErrorOf([&] { ClipTokenizer::load(repeated); });
        QVERIFY2(e2.contains("repeat.txt: line 4:") && e2.contains("line 2"), qPrintable(e2));

        const fs::path badJson = root() / "badjson";
        test::writeFile(badJson / "vocab.json", "{\n\"a\": 1,\n\"b\": }\n");
        test::writeFile(badJson / "merges.txt", mergesText());
        const QString e3 = ioErrorOf([&] { ClipTokenizer::load(badJson); });
        QVERIFY2(e3.contains("vocab.json: line 3:"), qPrintable(e3));

        const fs::path noBytes = root() / "nobytes";
        test::writeFile(noBytes / "vocab.json", R"({"a": 0, "<|startoftext|>": 1, "<|endoftext|>": 2})");
        test::writeFile(noBytes / "merges.txt", mergesText());
        const QString e4 = ioErrorOf([&] { ClipTokenizer::load(noBytes); });
        QVERIFY2(e4.contains("vocab.json") && e4.contains("lacks the token"), qPrintable(e4));

        // Every token of the reference vocabulary but "low</w>", ids kept dense.
        const auto openAi = ClipTokenizer::fromOpenAiMerges(openAiFile());
        nlohmann::json vocab = nlohmann::json::object();
        int next = 0;
        for (int id = 0; id < int(openAi.vocabularySize()); ++id)
            if (openAi.tokenText(id) != "low</w>") vocab[openAi.tokenText(id)] = next++;
        const fs::path lacksMerge = root() / "lacksmerge";
        test::writeFile(lacksMerge / "vocab.json", vocab.dump());
        test::writeFile(lacksMerge / "merges.txt", mergesText());
        const QString e5 = ioErrorOf([&] { ClipTokenizer::load(lacksMerge); });
        QVERIFY2(e5.contains("merges.txt: line 3:") && e5.contains("low</w>"), qPrintable(e5));

        vocab["low</w>"] = 0;  // shares id 0 with another token
        test::writeFile(lacksMerge / "vocab.json", vocab.dump());
        const QString e6 = ioErrorOf([&] { ClipTokenizer::load(lacksMerge); });
        QVERIFY2(e6.contains("vocab.json") && e6.contains("id"), qPrintable(e6));
    }

    void realClipVocabularyGivesPublishedIds() {
        std::vector<fs::path> candidates;
        if (const char* env = std::getenv("S4_CLIP_BPE")) candidates.emplace_back(env);
        candidates.push_back(test::sharedData("clip/bpe_simple_vocab_16e6.txt.gz"));
        candidates.push_back("/usr/share/clip/bpe_simple_vocab_16e6.txt.gz");
        auto found = std::find_if(candidates.begin(), candidates.end(),
                                  [](const fs::path& p) { return fs::exists(p); });
        if (found == candidates.end())
            QSKIP("CLIP's bpe_simple_vocab_16e6.txt.gz is not on this machine (set S4_CLIP_BPE to its path)");
        const auto t = ClipTokenizer::load(*found);
        QCOMPARE(t.vocabularySize(), std::size_t(49408));
        QCOMPARE(t.tokenize({"a diagram"}).at(0)[3], 49407);
        const Ids diagram = t.tokenize({"a diagram"}).at(0);
        QCOMPARE((Ids(diagram.begin(), diagram.begin() + 4)), (Ids{49406, 320, 22697, 49407}));
        QCOMPARE(t.encode("a photo of a cat"), (Ids{320, 1125, 539, 320, 2368}));
        QCOMPARE(t.encode("a dog"), (Ids{320, 1929}));
    }
};

QTEST_GUILESS_MAIN(TestClipTokenizer)
#include "tst_clip_tokenizer.moc"
