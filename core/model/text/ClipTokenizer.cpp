#include "core/model/text/ClipTokenizer.h"

#include "core/common/Error.h"
#include "core/common/JsonInput.h"
#include "core/common/Log.h"
#include "core/io/MappedFile.h"
#include "core/model/text/ClipTextCleanup.h"
#include "core/model/text/UnicodeText.h"

#include <zlib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <climits>
#include <mutex>

namespace s4 {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kStartOfText = "<|startoftext|>";
constexpr std::string_view kEndOfText = "<|endoftext|>";
constexpr std::string_view kWordEnd = "</w>";
// Real CLIP files are about 1–2 MB; the cap keeps a hostile file from inflating the JSON DOM or
// a gzip bomb from filling memory.
constexpr std::size_t kMaxTextFileBytes = std::size_t(64) << 20;

bool isPrintableByte(unsigned b) {
    return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
}

// The order of list(bytes_to_unicode().values()): printable bytes first, then the rest.
std::array<std::uint8_t, 256> bytesInVocabularyOrder() {
    std::array<std::uint8_t, 256> order{};
    std::size_t n = 0;
    for (unsigned b = 0; b < 256; ++b)
        if (isPrintableByte(b)) order[n++] = std::uint8_t(b);
    for (unsigned b = 0; b < 256; ++b)
        if (!isPrintableByte(b)) order[n++] = std::uint8_t(b);
    return order;
}

std::string utf8(char32_t c) {
    std::string s;
    appendUtf8(s, c);
    return s;
}

bool isValidUtf8(std::string_view s) {
    return encodeUtf8(decodeUtf8(s)) == s;
}

void checkSize(const MappedFile& file) {
    if (file.size() > kMaxTextFileBytes)
        throw IoError(file.name(), "is " + formatBytes(file.size()) +
                                       ", far more than a CLIP vocabulary (~1 MB); " +
                                       "refusing files over " + formatBytes(kMaxTextFileBytes));
}

// The text of a merges file, inflated if it is gzip (recognised by its magic bytes). Only the
// lines the tokenizer uses are needed, so inflation stops once it has them.
std::string readMergesText(const fs::path& path) {
    MappedFile file(path);
    const bool gzip = file.size() >= 2 && file.data()[0] == 0x1F && file.data()[1] == 0x8B;
    if (!gzip) {
        checkSize(file);
        return std::string(file.text());
    }
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw IoError(file.name(), "cannot initialise zlib");
    zs.next_in = const_cast<Bytef*>(file.data());
    zs.avail_in = uInt(std::min<std::size_t>(file.size(), UINT_MAX));
    std::string out;
    std::size_t newlines = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END && newlines <= ClipTokenizer::kMaxMerges + 1) {
        char chunk[1 << 16];
        zs.next_out = reinterpret_cast<Bytef*>(chunk);
        zs.avail_out = sizeof chunk;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            const std::string why = zs.msg ? zs.msg : (rc == Z_BUF_ERROR ? "truncated data" : "corrupt data");
            const std::size_t at = file.size() - zs.avail_in;
            inflateEnd(&zs);
            throw IoError(file.name(), IoError::atByte(at), "gzip stream is damaged: " + why);
        }
        const std::size_t produced = sizeof chunk - zs.avail_out;
        newlines += std::size_t(std::count(chunk, chunk + produced, '\n'));
        out.append(chunk, produced);
        if (out.size() > kMaxTextFileBytes) {
            inflateEnd(&zs);
            throw IoError(file.name(), "inflates to more than " + formatBytes(kMaxTextFileBytes) +
                                           ", far more than a CLIP merges file (~1.4 MB)");
        }
    }
    inflateEnd(&zs);
    return out;
}

}  // namespace

char32_t clipByteToUnicode(std::uint8_t byte) {
    if (isPrintableByte(byte)) return byte;
    // Non-printable bytes get 256 + n, n counting them in byte order.
    unsigned n = 0;
    for (unsigned b = 0; b < byte; ++b)
        if (!isPrintableByte(b)) ++n;
    return char32_t(256 + n);
}

struct ClipTokenizer::Cache {
    // Pre-token → ids. Prompts repeat the same few words; the bound keeps a long-running
    // session from growing it without limit.
    static constexpr std::size_t kMaxEntries = 100000;
    std::mutex mutex;
    std::unordered_map<std::string, std::vector<std::int32_t>> entries;
};

ClipTokenizer::ClipTokenizer() : cache_(std::make_unique<Cache>()) {}
ClipTokenizer::ClipTokenizer(ClipTokenizer&&) noexcept = default;
ClipTokenizer& ClipTokenizer::operator=(ClipTokenizer&&) noexcept = default;
ClipTokenizer::~ClipTokenizer() = default;

std::vector<std::pair<std::string, std::string>> ClipTokenizer::parseMerges(std::string_view text,
                                                                            const std::string& file) {
    // Like Hugging Face's read().strip(): trailing newlines do not make empty merges.
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.remove_suffix(1);
    std::vector<std::pair<std::string, std::string>> merges;
    std::size_t pos = 0;
    std::size_t lineNo = 0;
    while (pos <= text.size() && merges.size() < kMaxMerges) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(pos, end - pos);
        ++lineNo;
        pos = end + 1;
        if (lineNo == 1) {
            // Both references skip the first line unconditionally ("#version: 0.2").
            if (!line.starts_with("#"))
                logger("model")->warn("{}: first line '{}' is not a '#version' header; skipped as CLIP does",
                                      file, std::string(line.substr(0, 60)));
            continue;
        }
        std::vector<std::string_view> parts;
        std::size_t p = 0;
        while (p < line.size()) {
            while (p < line.size() && std::isspace(static_cast<unsigned char>(line[p]))) ++p;
            std::size_t q = p;
            while (q < line.size() && !std::isspace(static_cast<unsigned char>(line[q]))) ++q;
            if (q > p) parts.push_back(line.substr(p, q - p));
            p = q;
        }
        if (parts.size() != 2)
            throw IoError(file, IoError::atLine(lineNo),
                          "a merge line must hold exactly two symbols separated by a space, found " +
                              std::to_string(parts.size()));
        if (!isValidUtf8(parts[0]) || !isValidUtf8(parts[1]))
            throw IoError(file, IoError::atLine(lineNo), "merge line is not valid UTF-8");
        merges.emplace_back(std::string(parts[0]), std::string(parts[1]));
        if (end == text.size()) break;
    }
    if (merges.empty()) throw IoError(file, "holds no merges after its header line");
    return merges;
}

void ClipTokenizer::finish(const std::vector<std::pair<std::string, std::string>>& merges,
                           const std::string& vocabFile, const std::string& mergesFile,
                           bool requireMergedInVocab) {
    auto require = [&](const std::string& token) {
        auto it = encoder_.find(token);
        if (it == encoder_.end())
            throw IoError(vocabFile, "the vocabulary lacks the token \"" + token + "\"");
        return it->second;
    };
    for (unsigned b = 0; b < 256; ++b) {
        const std::string c = utf8(clipByteToUnicode(std::uint8_t(b)));
        byteId_[b] = require(c);
        byteEndId_[b] = require(c + std::string(kWordEnd));
    }
    sot_ = require(std::string(kStartOfText));
    eot_ = require(std::string(kEndOfText));

    std::size_t unusable = 0;
    merges_.reserve(merges.size());
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const auto& [left, right] = merges[rank];
        const std::size_t lineNo = rank + 2;  // after the header, 1-based
        auto l = encoder_.find(left), r = encoder_.find(right);
        if (l == encoder_.end() || r == encoder_.end()) {
            ++unusable;  // can never apply: BPE symbols are always vocabulary entries
            continue;
        }
        auto joined = encoder_.find(left + right);
        if (joined == encoder_.end()) {
            if (requireMergedInVocab)
                throw IoError(mergesFile, IoError::atLine(lineNo),
                              "the merge \"" + left + " " + right + "\" makes \"" + left + right +
                                  "\", which " + vocabFile + " does not contain");
            continue;
        }
        const std::uint64_t key = (std::uint64_t(std::uint32_t(l->second)) << 32) | std::uint32_t(r->second);
        if (!merges_.emplace(key, Merge{std::int32_t(rank), joined->second}).second)
            throw IoError(mergesFile, IoError::atLine(lineNo),
                          "repeats the merge \"" + left + " " + right + "\" of line " +
                              std::to_string(merges_.at(key).rank + 2));
    }
    mergeCount_ = merges.size();
    if (unusable > 0)
        logger("model")->warn("{}: {} merges use symbols outside the vocabulary and can never apply",
                              mergesFile, unusable);
}

ClipTokenizer ClipTokenizer::fromOpenAiMerges(const fs::path& mergesFile) {
    const std::string name = mergesFile.string();
    const auto merges = parseMerges(readMergesText(mergesFile), name);
    ClipTokenizer t;
    const auto order = bytesInVocabularyOrder();
    t.decoder_.reserve(512 + merges.size() + 2);
    for (std::uint8_t b : order) t.decoder_.push_back(utf8(clipByteToUnicode(b)));
    for (std::uint8_t b : order) t.decoder_.push_back(utf8(clipByteToUnicode(b)) + std::string(kWordEnd));
    for (const auto& [left, right] : merges) t.decoder_.push_back(left + right);
    t.decoder_.emplace_back(kStartOfText);
    t.decoder_.emplace_back(kEndOfText);
    // dict(zip(vocab, range)): a repeated entry keeps its last id, as in Python.
    for (std::size_t id = 0; id < t.decoder_.size(); ++id) t.encoder_[t.decoder_[id]] = std::int32_t(id);
    t.finish(merges, name, name, false);
    return t;
}

ClipTokenizer ClipTokenizer::fromHuggingFaceFiles(const fs::path& vocabJson, const fs::path& mergesTxt) {
    const std::string vocabName = vocabJson.string();
    MappedFile vocabFile(vocabJson);
    checkSize(vocabFile);
    // One flat object of token → id.
    const nlohmann::json vocab = parseGuardedJson(vocabFile.text(), {vocabName}, {1});
    if (!vocab.is_object() || vocab.empty())
        throw IoError(vocabName, "must be a non-empty JSON object mapping tokens to ids");

    ClipTokenizer t;
    const std::size_t count = vocab.size();
    t.decoder_.assign(count, {});
    std::vector<bool> seen(count, false);
    for (const auto& [token, idValue] : vocab.items()) {
        if (!idValue.is_number_integer() || idValue.get<std::int64_t>() < 0 ||
            idValue.get<std::int64_t>() >= std::int64_t(count))
            throw IoError(vocabName, "the id of \"" + token + "\" must be an integer from 0 to " +
                                         std::to_string(count - 1) + " (ids are dense), found " +
                                         idValue.dump());
        const auto id = std::size_t(idValue.get<std::int64_t>());
        if (seen[id])
            throw IoError(vocabName, "tokens \"" + t.decoder_[id] + "\" and \"" + token + "\" share the id " +
                                         std::to_string(id));
        seen[id] = true;
        t.decoder_[id] = token;
        t.encoder_.emplace(token, std::int32_t(id));
    }
    const std::string mergesName = mergesTxt.string();
    MappedFile mergesFile(mergesTxt);
    checkSize(mergesFile);
    t.finish(parseMerges(mergesFile.text(), mergesName), vocabName, mergesName, true);
    return t;
}

ClipTokenizer ClipTokenizer::fromHuggingFaceFolder(const fs::path& folder) {
    return fromHuggingFaceFiles(folder / "vocab.json", folder / "merges.txt");
}

ClipTokenizer ClipTokenizer::load(const fs::path& path) {
    if (fs::is_directory(path)) return fromHuggingFaceFolder(path);
    return fromOpenAiMerges(path);
}

std::vector<std::int32_t> ClipTokenizer::bpe(const std::string& utf8Token) const {
    {
        std::lock_guard lock(cache_->mutex);
        if (auto it = cache_->entries.find(utf8Token); it != cache_->entries.end()) return it->second;
    }
    // Each byte starts as its own symbol; the last one carries the word end.
    std::vector<std::int32_t> word(utf8Token.size());
    for (std::size_t i = 0; i < utf8Token.size(); ++i) {
        const auto b = static_cast<unsigned char>(utf8Token[i]);
        word[i] = i + 1 == utf8Token.size() ? byteEndId_[b] : byteId_[b];
    }
    std::vector<std::int32_t> merged;
    while (word.size() > 1) {
        // The adjacent pair of lowest rank, then every non-overlapping occurrence of it, left to right.
        const Merge* best = nullptr;
        std::int32_t bestLeft = 0, bestRight = 0;
        for (std::size_t i = 0; i + 1 < word.size(); ++i) {
            auto it =
                merges_.find((std::uint64_t(std::uint32_t(word[i])) << 32) | std::uint32_t(word[i + 1]));
            if (it != merges_.end() && (!best || it->second.rank < best->rank)) {
                best = &it->second;
                bestLeft = word[i];
                bestRight = word[i + 1];
            }
        }
        if (!best) break;
        merged.clear();
        for (std::size_t i = 0; i < word.size();) {
            if (i + 1 < word.size() && word[i] == bestLeft && word[i + 1] == bestRight) {
                merged.push_back(best->result);
                i += 2;
            } else {
                merged.push_back(word[i++]);
            }
        }
        word.swap(merged);
    }
    std::lock_guard lock(cache_->mutex);
    if (cache_->entries.size() >= Cache::kMaxEntries) cache_->entries.clear();
    cache_->entries.emplace(utf8Token, word);
    return word;
}

std::vector<std::int32_t> ClipTokenizer::encode(std::string_view utf8Text) const {
    std::vector<std::int32_t> ids;
    for (const std::u32string& token : splitClipPreTokens(cleanClipText(utf8Text))) {
        const std::string bytes = encodeUtf8(token);
        if (bytes == kStartOfText) {
            ids.push_back(sot_);
        } else if (bytes == kEndOfText) {
            ids.push_back(eot_);
        } else {
            const auto piece = bpe(bytes);
            ids.insert(ids.end(), piece.begin(), piece.end());
        }
    }
    return ids;
}

std::vector<std::vector<std::int32_t>> ClipTokenizer::tokenize(const std::vector<std::string>& texts,
                                                               int contextLength) const {
    if (contextLength < 2)
        throw InvalidArgument("CLIP context length must be at least 2 (start and end token), got " +
                              std::to_string(contextLength));
    std::vector<std::vector<std::int32_t>> rows;
    rows.reserve(texts.size());
    for (const std::string& text : texts) {
        std::vector<std::int32_t> row;
        row.reserve(std::size_t(contextLength));
        row.push_back(sot_);
        const auto ids = encode(text);
        const std::size_t room = std::size_t(contextLength) - 2;
        row.insert(row.end(), ids.begin(), ids.begin() + std::ptrdiff_t(std::min(ids.size(), room)));
        // Longer texts: tokens[:context_length] with the last replaced by EOT, which is the same.
        row.push_back(eot_);
        row.resize(std::size_t(contextLength), 0);
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string ClipTokenizer::decode(const std::vector<std::int32_t>& ids) const {
    std::string joined;
    for (std::int32_t id : ids) joined += tokenText(id);
    // Undo bytes_to_unicode: every character of a vocabulary entry stands for one byte.
    std::array<int, 324> byteOf;
    byteOf.fill(-1);
    for (unsigned b = 0; b < 256; ++b) byteOf[clipByteToUnicode(std::uint8_t(b))] = int(b);
    std::string bytes;
    for (char32_t c : decodeUtf8(joined)) {
        if (c < byteOf.size() && byteOf[c] >= 0)
            bytes.push_back(char(byteOf[c]));
        else
            appendUtf8(bytes, c);  // only a foreign Hugging Face vocabulary can hold such characters
    }
    std::string text = encodeUtf8(decodeUtf8(bytes));  // errors="replace"
    std::string out;
    for (std::size_t pos = 0;;) {
        const std::size_t hit = text.find(kWordEnd, pos);
        out.append(text, pos, hit == std::string::npos ? std::string::npos : hit - pos);
        if (hit == std::string::npos) break;
        out.push_back(' ');
        pos = hit + kWordEnd.size();
    }
    return out;
}

std::optional<std::int32_t> ClipTokenizer::tokenId(std::string_view token) const {
    auto it = encoder_.find(std::string(token));
    if (it == encoder_.end()) return std::nullopt;
    return it->second;
}

const std::string& ClipTokenizer::tokenText(std::int32_t id) const {
    if (id < 0 || std::size_t(id) >= decoder_.size())
        throw InvalidArgument("token id " + std::to_string(id) + " is outside the CLIP vocabulary of " +
                              std::to_string(decoder_.size()) + " entries");
    return decoder_[std::size_t(id)];
}

}  // namespace s4
