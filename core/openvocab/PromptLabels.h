#pragma once
// Labels from prompts: a class set as open-vocabulary prompts, prompt-indexed labels back to the set's
// class ids, and the dataset's own labels kept aside when prompt labels are stored.
//
// Segmenting by prompts gives each point the index of its prompt (or "unknown"); label files of a
// dataset hold the dataset's class ids instead (NYU40 ids for ScanNet, raw ids for SemanticKITTI). When
// the prompts are exactly those of a class set, the indices map back to its ids.

#include "core/scene/ClassSet.h"
#include "core/scene/Scene.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace s4 {

struct ClassSetPrompts {
    std::vector<std::string> prompts;  ///< cleanClassName(prompt) of every class but the ignore class
    std::vector<std::int32_t> ids;     ///< the class id of each prompt
};

/// The prompts of a class set, in set order, without its ignore class.
ClassSetPrompts classSetPrompts(const ClassSet& set);

/// Per point: ids[label] for a prompt index in range, unknownId for the rest (negative or too large).
std::vector<std::int32_t> promptLabelsToClassIds(std::span<const std::int32_t> labels,
                                                 std::span<const std::int32_t> ids, std::int32_t unknownId);

/// Before a tool writes its labels to "label": copies the scene's "label" (the dataset's ground truth)
/// to attr::kDatasetLabel unless that is there already. Returns whether it copied.
bool keepDatasetLabels(Scene& scene);

}  // namespace s4
