#include "core/openvocab/PromptLabels.h"

#include "core/openvocab/PromptTemplates.h"

#include <cstring>

namespace s4 {

ClassSetPrompts classSetPrompts(const ClassSet& set) {
    ClassSetPrompts out;
    for (const ClassInfo& c : set.classes) {
        if (c.id == set.ignoreId) continue;
        out.prompts.push_back(cleanClassName(c.prompt));
        out.ids.push_back(c.id);
    }
    return out;
}

std::vector<std::int32_t> promptLabelsToClassIds(std::span<const std::int32_t> labels,
                                                 std::span<const std::int32_t> ids, std::int32_t unknownId) {
    std::vector<std::int32_t> out(labels.size(), unknownId);
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] >= 0 && static_cast<std::size_t>(labels[i]) < ids.size())
            out[i] = ids[static_cast<std::size_t>(labels[i])];
    return out;
}

bool keepDatasetLabels(Scene& scene) {
    const AttributeArray* label = scene.find(attr::kLabel);
    if (!label || scene.find(attr::kDatasetLabel)) return false;
    const ScalarType type = label->type();
    const int components = label->components();
    AttributeArray& kept = scene.add(attr::kDatasetLabel, type, components);  // may move the other arrays
    std::memcpy(kept.rawData(), scene.find(attr::kLabel)->rawData(), kept.byteSize());
    return true;
}

}  // namespace s4
