#pragma once
// Text side of open-vocabulary scoring (S4TOKEN.md §6): one unit vector in CLIP space per class, the
// mean of the L2-normalised embeddings of the class's prompts (PromptTemplates.h), renormalised — CLIP's
// prompt ensembling. The text encoder is a callback, so this code needs no LibTorch; a cache keyed by the
// exact prompt string makes re-running with one more class embed only that class's prompts.
//
// Negative prompts are extra rows ("background", "clutter", ...) that compete with the classes in the
// softmax; a point they win is reported as unknown (OpenVocabSegmentation.h).

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace s4 {

/// The CLIP text encoder: one embedding (D values) per prompt, in order.
using TextEmbedder = std::function<std::vector<std::vector<float>>(const std::vector<std::string>&)>;

/// Memoises a TextEmbedder by the exact prompt string. Embeddings are stored as the encoder returned
/// them. One cache belongs to one text encoder (model and weights). Thread-safe.
class TextEmbeddingCache {
public:
    explicit TextEmbeddingCache(TextEmbedder embed);

    /// The embeddings of `prompts`, in order. Prompts not cached yet are embedded in one encoder call
    /// (each distinct prompt once). Throws s4::InvalidArgument if the encoder returns the wrong number of
    /// embeddings, a dimension other than earlier ones, or non-finite or all-zero values (nothing is
    /// cached then); an exception of the encoder itself propagates.
    std::vector<std::vector<float>> embed(const std::vector<std::string>& prompts);

    int dim() const;                   ///< D of the cached embeddings, 0 while empty
    std::size_t size() const;          ///< cached prompts
    std::size_t encoderCalls() const;  ///< times the encoder was called
    std::size_t hits() const;          ///< prompts answered from the cache
    std::size_t misses() const;        ///< prompts sent to the encoder
    void clear();                      ///< forgets every embedding (e.g. after switching models)

private:
    TextEmbedder embed_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::vector<float>> entries_;
    int dim_ = 0;
    std::size_t calls_ = 0;
    std::size_t hits_ = 0;
    std::size_t misses_ = 0;
};

/// Class rows for scoring: the real classes first, then the negative prompts.
struct ClassEmbeddings {
    int dim = 0;
    std::vector<std::string> names;  ///< one per row, as given (not cleaned)
    std::size_t realCount = 0;       ///< rows [0, realCount) are classes, the rest negative prompts
    std::vector<float> rows;         ///< names.size() × dim, row-major, each row of unit length

    std::size_t rowCount() const { return names.size(); }
    bool isNegative(std::size_t row) const { return row >= realCount; }
    const float* row(std::size_t r) const { return rows.data() + r * static_cast<std::size_t>(dim); }
};

/// The unit-length ensemble embedding of one class name over `templates`.
/// Throws s4::InvalidArgument for an empty name, no templates, or prompt embeddings that cancel out.
std::vector<float> embedClassName(const std::string& name, const std::vector<std::string>& templates,
                                  TextEmbeddingCache& cache);

/// Rows for `classNames` then `negativeNames`, every name expanded with `templates`; all prompts not yet
/// cached are embedded in one encoder call; a negative given twice counts once. Throws
/// s4::InvalidArgument if there is no class, a name is empty, two classes (or a class and a negative)
/// have the same cleaned name, or a class's prompt embeddings cancel out.
ClassEmbeddings buildClassEmbeddings(const std::vector<std::string>& classNames,
                                     const std::vector<std::string>& negativeNames,
                                     const std::vector<std::string>& templates, TextEmbeddingCache& cache);

}  // namespace s4
