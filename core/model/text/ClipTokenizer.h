#pragma once
// OpenAI CLIP's byte-pair-encoding tokenizer (simple_tokenizer.py; Hugging Face's CLIPTokenizer
// gives the same ids for the same vocabulary): text → ids, and rows of 77 ids for the text
// encoder. Torch-free. Cleanup and pre-tokenisation are in ClipTextCleanup.h.

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace s4 {

/// GPT-2/CLIP bytes_to_unicode(): printable bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') map to
/// themselves, the other 68 to U+0100 + n in byte order.
char32_t clipByteToUnicode(std::uint8_t byte);

class ClipTokenizer {
public:
    static constexpr int kContextLength = 77;
    /// OpenAI and Hugging Face both use merges[1 : 49152-256-2+1]: at most 48894 merges.
    static constexpr std::size_t kMaxMerges = 49152 - 256 - 2;

    /// A Hugging Face tokenizer folder: vocab.json (token → id) and merges.txt.
    static ClipTokenizer fromHuggingFaceFolder(const std::filesystem::path& folder);
    static ClipTokenizer fromHuggingFaceFiles(const std::filesystem::path& vocabJson,
                                              const std::filesystem::path& mergesTxt);
    /// OpenAI's merges file alone (bpe_simple_vocab_16e6.txt or .txt.gz); the vocabulary is built
    /// as OpenAI does: 256 byte characters, the same with "</w>", each merge joined, then
    /// <|startoftext|>, <|endoftext|>.
    static ClipTokenizer fromOpenAiMerges(const std::filesystem::path& mergesFile);
    /// A folder holding vocab.json + merges.txt, or a merges file (.txt or .gz).
    static ClipTokenizer load(const std::filesystem::path& path);

    ClipTokenizer(ClipTokenizer&&) noexcept;
    ClipTokenizer& operator=(ClipTokenizer&&) noexcept;
    ~ClipTokenizer();

    /// The ids of a text, without start/end tokens (OpenAI's encode()).
    std::vector<std::int32_t> encode(std::string_view utf8Text) const;
    /// One row per text: [SOT] + tokens + [EOT], zero-padded to contextLength. Longer texts are cut
    /// and their last id replaced by EOT (open_clip's truncate=True). contextLength must be ≥ 2.
    std::vector<std::vector<std::int32_t>> tokenize(const std::vector<std::string>& texts,
                                                    int contextLength = kContextLength) const;
    /// OpenAI's decode(): token texts joined, bytes restored, "</w>" → " ". Throws InvalidArgument
    /// for an id outside the vocabulary.
    std::string decode(const std::vector<std::int32_t>& ids) const;

    std::int32_t startOfTextId() const { return sot_; }
    std::int32_t endOfTextId() const { return eot_; }
    std::size_t vocabularySize() const { return decoder_.size(); }
    std::size_t mergeCount() const { return mergeCount_; }
    /// The id of a vocabulary entry (byte-unicode text, e.g. "low</w>"), if present.
    std::optional<std::int32_t> tokenId(std::string_view token) const;
    /// The vocabulary entry of an id (UTF-8). Throws InvalidArgument if out of range.
    const std::string& tokenText(std::int32_t id) const;

private:
    struct Merge {
        std::int32_t rank;
        std::int32_t result;
    };
    struct Cache;

    ClipTokenizer();
    // Parses merge lines (header skipped, at most kMaxMerges) into (left, right) strings.
    static std::vector<std::pair<std::string, std::string>> parseMerges(std::string_view text,
                                                                        const std::string& file);
    // Builds the id-pair merge table, byte ids and special ids once encoder_/decoder_ are filled.
    void finish(const std::vector<std::pair<std::string, std::string>>& merges, const std::string& vocabFile,
                const std::string& mergesFile, bool requireMergedInVocab);
    // BPE of one pre-token (its UTF-8 bytes), as vocabulary ids.
    std::vector<std::int32_t> bpe(const std::string& utf8Token) const;

    std::unordered_map<std::string, std::int32_t> encoder_;
    std::vector<std::string> decoder_;
    std::unordered_map<std::uint64_t, Merge> merges_;  // key: (left id << 32) | right id
    std::size_t mergeCount_ = 0;
    std::array<std::int32_t, 256> byteId_{};     // id of the byte's character
    std::array<std::int32_t, 256> byteEndId_{};  // id of the byte's character + "</w>"
    std::int32_t sot_ = 0;
    std::int32_t eot_ = 0;
    std::unique_ptr<Cache> cache_;
};

}  // namespace s4
