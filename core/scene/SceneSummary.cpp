#include "core/scene/SceneSummary.h"

namespace s4 {

nlohmann::json summarizeScene(const Scene& scene) {
    using nlohmann::json;
    json j;
    j["file"] = scene.source.path;
    j["format"] = scene.source.format;
    j["points"] = scene.pointCount();
    json fields = json::array();
    fields.push_back({{"name", "position"}, {"type", "float32"}, {"components", 3}});
    for (const auto& a : scene.attributes())
        fields.push_back({{"name", a.name()}, {"type", scalarTypeName(a.type())}, {"components", a.components()}});
    j["fields"] = fields;
    const BoundingBox box = scene.bounds();
    if (box.empty) {
        j["bbox"] = nullptr;
    } else {
        j["bbox"] = {{"min", {box.min.x(), box.min.y(), box.min.z()}},
                     {"max", {box.max.x(), box.max.y(), box.max.z()}}};
    }
    if (!scene.offset.isZero()) j["offset"] = {scene.offset.x(), scene.offset.y(), scene.offset.z()};
    if (!scene.faces.empty()) j["faces"] = scene.faces.size();
    j["memory_bytes"] = scene.memoryBytes();
    j["dropped_non_finite"] = scene.source.droppedNonFinite;
    if (!scene.source.notes.empty()) j["notes"] = scene.source.notes;

    auto isIntegerScalar = [](const AttributeArray* a) {
        return a && a->components() == 1 && a->type() != ScalarType::Float32 && a->type() != ScalarType::Float64;
    };
    if (const AttributeArray* label = scene.find(attr::kLabel); isIntegerScalar(label)) {
        json hist = json::object();
        for (const auto& [id, count] : scene.histogram(attr::kLabel)) hist[std::to_string(id)] = count;
        j["label_histogram"] = hist;
    }
    for (const char* name : {attr::kInstance, attr::kSuperpoint})
        if (isIntegerScalar(scene.find(name))) j[std::string(name) + "_count"] = scene.histogram(name).size();
    return j;
}

} // namespace s4
