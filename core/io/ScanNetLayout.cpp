#include "core/io/ScanNetLayout.h"

#include "core/common/Error.h"
#include "core/common/JsonInput.h"
#include "core/io/FormatReaders.h"
#include "core/io/MappedFile.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <limits>

namespace s4 {
namespace fs = std::filesystem;
namespace {

constexpr const char* kMeshSuffix = "_vh_clean_2.ply";

// "<scene>_vh_clean_2" for "<scene>_vh_clean_2.ply".
std::string meshStem(const fs::path& meshPath) {
    const std::string name = meshPath.filename().string();
    return name.substr(0, name.size() - std::strlen(".ply"));
}

void attachLabels(const fs::path& labelsPath, const ReadOptions& options, Scene& scene) {
    ReadOptions plain = options;
    plain.format = SceneFormat::Ply;
    const Scene labels = readPly(labelsPath, plain, {});
    const std::uint64_t count = labels.pointCount() + labels.source.droppedNonFinite;
    if (count != scene.pointCount() || labels.source.droppedNonFinite != 0)
        throw IoError(labelsPath.string(), "holds " + std::to_string(count) + " vertices but the mesh has " +
                                               std::to_string(scene.pointCount()));
    const AttributeArray* label = labels.find(attr::kLabel);
    if (!label) throw IoError(labelsPath.string(), "has no 'label' vertex property");
    AttributeArray& out = scene.add(attr::kLabel, ScalarType::Int32, 1);
    std::memcpy(out.rawData(), label->rawData(), label->byteSize());
    scene.source.notes.push_back("labels from " + labelsPath.filename().string());
}

void attachSegments(const fs::path& segsPath, Scene& scene) {
    const MappedFile file(segsPath);
    const std::string& name = file.name();
    // Each index takes at least two characters ("7,"); real files stay far below 32 bytes per vertex.
    // Anything larger is not this mesh's segmentation, and parsing it could cost unbounded memory.
    const std::size_t limit = 32 * scene.pointCount() + (1u << 16);
    if (file.size() > limit)
        throw IoError(name, "is " + formatBytes(file.size()) + ", too large for the segmentation of " +
                                std::to_string(scene.pointCount()) + " vertices");
    const nlohmann::json json = parseGuardedJson(file.text(), {name});
    if (!json.is_object() || !json.contains("segIndices") || !json["segIndices"].is_array())
        throw IoError(name, "has no \"segIndices\" array");
    const auto& indices = json["segIndices"];
    if (indices.size() != scene.pointCount())
        throw IoError(name, "\"segIndices\" holds " + std::to_string(indices.size()) +
                                " entries but the mesh has " + std::to_string(scene.pointCount()) +
                                " vertices");
    AttributeArray& out = scene.add(attr::kSuperpoint, ScalarType::Int32, 1);
    std::int32_t* data = out.data<std::int32_t>();
    for (std::size_t i = 0; i < indices.size(); ++i) {
        const auto& v = indices[i];
        if (!v.is_number_integer() || v.get<std::int64_t>() < 0 ||
            v.get<std::int64_t>() > std::numeric_limits<std::int32_t>::max())
            throw IoError(name, "\"segIndices\"[" + std::to_string(i) +
                                    "] is not a segment id (a non-negative "
                                    "32-bit integer)");
        data[i] = static_cast<std::int32_t>(v.get<std::int64_t>());
    }
    scene.source.notes.push_back("superpoints from " + segsPath.filename().string());
}

}  // namespace

bool isScanNetCleanMesh(const fs::path& path) {
    const std::string name = path.filename().string();
    const std::size_t n = std::strlen(kMeshSuffix);
    return name.size() > n && name.compare(name.size() - n, n, kMeshSuffix) == 0;
}

void attachScanNetSiblings(const fs::path& meshPath, const ReadOptions& options, Scene& scene) {
    if (!isScanNetCleanMesh(meshPath)) return;
    const fs::path folder = meshPath.parent_path();
    const std::string stem = meshStem(meshPath);
    std::error_code ec;
    const fs::path labelsPath = folder / (stem + ".labels.ply");
    if (fs::is_regular_file(labelsPath, ec)) attachLabels(labelsPath, options, scene);
    const fs::path segsPath = folder / (stem + ".0.010000.segs.json");
    if (options.datasetSuperpoints && fs::is_regular_file(segsPath, ec)) attachSegments(segsPath, scene);
}

}  // namespace s4
