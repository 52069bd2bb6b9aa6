#include "core/openvocab/ClassEmbeddings.h"

#include "core/common/Error.h"
#include "core/openvocab/PromptTemplates.h"

#include <cmath>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>

namespace s4 {

TextEmbeddingCache::TextEmbeddingCache(TextEmbedder embed) : embed_(std::move(embed)) {
    if (!embed_) throw InvalidArgument("text embedding cache: no text encoder was given");
}

std::vector<std::vector<float>> TextEmbeddingCache::embed(const std::vector<std::string>& prompts) {
    // Held across the encoder call: two threads asking for the same new prompt embed it once.
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> missing;
    std::unordered_set<std::string> queued;
    for (const std::string& p : prompts)
        if (!entries_.count(p) && queued.insert(p).second) missing.push_back(p);

    if (!missing.empty()) {
        ++calls_;
        std::vector<std::vector<float>> fresh = embed_(missing);
        if (fresh.size() != missing.size())
            throw InvalidArgument("text encoder returned " + std::to_string(fresh.size()) +
                                  " embeddings for " + std::to_string(missing.size()) + " prompts");
        int dim = dim_;
        for (std::size_t i = 0; i < fresh.size(); ++i) {
            const auto& e = fresh[i];
            if (e.empty())
                throw InvalidArgument("text encoder returned an empty embedding for \"" + missing[i] + "\"");
            if (dim == 0) dim = static_cast<int>(e.size());
            if (e.size() != static_cast<std::size_t>(dim))
                throw InvalidArgument("text encoder returned " + std::to_string(e.size()) + " values for \"" +
                                      missing[i] + "\" where earlier embeddings had " + std::to_string(dim));
            double sq = 0.0;
            for (const float v : e) {
                if (!std::isfinite(v))
                    throw InvalidArgument("text encoder returned a non-finite embedding for \"" + missing[i] +
                                          "\"");
                sq += double(v) * v;
            }
            if (sq == 0.0)
                throw InvalidArgument("text encoder returned a zero embedding for \"" + missing[i] + "\"");
        }
        // Only a fully valid answer is cached.
        dim_ = dim;
        for (std::size_t i = 0; i < fresh.size(); ++i) entries_.emplace(missing[i], std::move(fresh[i]));
    }
    misses_ += missing.size();
    hits_ += prompts.size() - missing.size();

    std::vector<std::vector<float>> out;
    out.reserve(prompts.size());
    for (const std::string& p : prompts) out.push_back(entries_.at(p));
    return out;
}

int TextEmbeddingCache::dim() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return dim_;
}

std::size_t TextEmbeddingCache::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
}

std::size_t TextEmbeddingCache::encoderCalls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
}

std::size_t TextEmbeddingCache::hits() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return hits_;
}

std::size_t TextEmbeddingCache::misses() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return misses_;
}

void TextEmbeddingCache::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    entries_.clear();
    dim_ = 0;
}

namespace {

// CLIP's prompt ensembling: normalise each prompt embedding, average, normalise the average.
std::vector<float> ensemble(const std::string& name, const std::vector<std::vector<float>>& embeddings,
                            std::size_t begin, std::size_t end) {
    const std::size_t d = embeddings[begin].size();
    std::vector<double> mean(d, 0.0);
    for (std::size_t i = begin; i < end; ++i) {
        double sq = 0.0;
        for (const float v : embeddings[i]) sq += double(v) * v;
        const double inv = 1.0 / std::sqrt(sq);
        for (std::size_t c = 0; c < d; ++c) mean[c] += embeddings[i][c] * inv;
    }
    double sq = 0.0;
    for (const double v : mean) sq += v * v;
    // The mean of unit vectors is this short only if the prompts point in nearly opposite directions.
    if (!(std::sqrt(sq) > 1e-6 * double(end - begin)))
        throw InvalidArgument("class '" + name + "': the embeddings of its prompts cancel out");
    const double inv = 1.0 / std::sqrt(sq);
    std::vector<float> out(d);
    for (std::size_t c = 0; c < d; ++c) out[c] = static_cast<float>(mean[c] * inv);
    return out;
}

}  // namespace

std::vector<float> embedClassName(const std::string& name, const std::vector<std::string>& templates,
                                  TextEmbeddingCache& cache) {
    const std::vector<std::string> prompts = expandPrompts(name, templates);
    return ensemble(name, cache.embed(prompts), 0, prompts.size());
}

ClassEmbeddings buildClassEmbeddings(const std::vector<std::string>& classNames,
                                     const std::vector<std::string>& negativeNames,
                                     const std::vector<std::string>& templates, TextEmbeddingCache& cache) {
    if (classNames.empty()) throw InvalidArgument("class embeddings: there are no classes");
    // Equal rows would split the softmax between them (halving every confidence) and their tie would go
    // to the first one: two classes with one cleaned name are an error, a negative equal to a class
    // would unknown that class's points, and a repeated negative counts once.
    std::set<std::string> classKeys, negativeKeys;
    for (const std::string& name : classNames)
        if (!classKeys.insert(cleanClassName(name)).second)
            throw InvalidArgument("class embeddings: the class \"" + name + "\" appears twice");
    std::vector<std::string> negatives;
    for (const std::string& name : negativeNames) {
        const std::string key = cleanClassName(name);
        if (classKeys.count(key))
            throw InvalidArgument("class embeddings: the negative prompt \"" + name + "\" is also a class");
        if (negativeKeys.insert(key).second) negatives.push_back(name);
    }
    ClassEmbeddings out;
    out.names = classNames;
    out.names.insert(out.names.end(), negatives.begin(), negatives.end());
    out.realCount = classNames.size();

    // Every prompt of every row in one list, so the encoder sees one batch.
    std::vector<std::string> prompts;
    std::vector<std::size_t> firstPrompt;
    for (const std::string& name : out.names) {
        firstPrompt.push_back(prompts.size());
        for (std::string& p : expandPrompts(name, templates)) prompts.push_back(std::move(p));
    }
    firstPrompt.push_back(prompts.size());
    const std::vector<std::vector<float>> embeddings = cache.embed(prompts);

    out.dim = static_cast<int>(embeddings.front().size());
    out.rows.reserve(out.names.size() * embeddings.front().size());
    for (std::size_t r = 0; r < out.names.size(); ++r) {
        const std::vector<float> row = ensemble(out.names[r], embeddings, firstPrompt[r], firstPrompt[r + 1]);
        out.rows.insert(out.rows.end(), row.begin(), row.end());
    }
    return out;
}

}  // namespace s4
