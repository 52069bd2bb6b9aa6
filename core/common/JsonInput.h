#pragma once
// JSON from files S4Studio does not control (safetensors headers, tokenizer checkpoints, Hugging Face
// config.json and vocab.json, class sets, ScanNet segment files), parsed under one set of guards.
// nlohmann::json accepts any nesting and keeps only one of two equal keys without a word; the guards
// stop deep nesting and over-long arrays while parsing (the tree costs several times the text, so a
// hostile file could exhaust memory) and refuse repeated keys, so that two readers of one file can never
// disagree about its content. Every failure is an IoError naming the file and, for a syntax error, where.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

namespace s4 {

/// Where the text comes from, for messages: a JSON file, or a part of another file.
struct JsonSource {
    JsonSource(std::string fileName) : file(std::move(fileName)) {}  // NOLINT: a file name is a source
    JsonSource(std::string fileName, std::string partName, std::uint64_t offset)
        : file(std::move(fileName)), part(std::move(partName)), firstByte(offset) {}

    std::string file;             ///< the file's name
    std::string part;             ///< the JSON's part of the file ("header"); empty for a JSON file
    std::uint64_t firstByte = 0;  ///< where the text starts in the file: errors of an embedded JSON name a byte
};

struct JsonLimits {
    int maxDepth = 64;  ///< nesting levels of objects and arrays (a flat object is 1)
    std::size_t maxArrayElements = std::numeric_limits<std::size_t>::max();
};

/// Parses text. Throws IoError: "is not valid JSON: ..." at the line (a JSON file) or byte (JSON inside
/// another file) of the error, "repeats the key "k"", "nests objects or arrays deeper than N levels",
/// "has an array of more than N elements".
nlohmann::json parseGuardedJson(std::string_view text, const JsonSource& source, const JsonLimits& limits = {});

/// The 1-based line of a byte offset in text (offsets past the end count as the last line).
std::size_t lineOfByte(std::string_view text, std::size_t byte);

}  // namespace s4
