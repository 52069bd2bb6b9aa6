// SemanticKITTI velodyne scan: float32 N×4 (x y z remission), with per-point uint32 labels in
// ../labels/<stem>.label (the dataset layout) or <stem>.label beside the scan.
#include "core/io/FormatReaders.h"

#include "core/common/Error.h"
#include "core/io/ByteOrder.h"
#include "core/io/MappedFile.h"

namespace s4 {
namespace {

constexpr std::size_t kRecordBytes = 16;

std::filesystem::path findLabelFile(const std::filesystem::path& scan) {
    std::error_code ec;
    const std::filesystem::path name = scan.stem().string() + ".label";
    for (const auto& candidate :
         {scan.parent_path().parent_path() / "labels" / name, scan.parent_path() / name})
        if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
    return {};
}

}  // namespace

Scene readKittiBin(const std::filesystem::path& path, const ReadOptions&, const Progress& progress) {
    const MappedFile file(path);
    if (file.size() == 0)
        throw IoError(file.name(), "the scan is empty (a KITTI .bin holds 16 bytes per point)");
    if (file.size() % kRecordBytes != 0)
        throw IoError(file.name(), IoError::atByte(file.size() - file.size() % kRecordBytes),
                      "the size " + std::to_string(file.size()) +
                          " bytes is not a multiple of 16 (float32 x y z remission per point): truncated or "
                          "not a KITTI scan");
    const std::size_t n = file.size() / kRecordBytes;

    Scene scene;
    scene.source.path = path.string();
    scene.source.format = "kitti-bin";
    scene.resize(n);
    auto* intensity = scene.add(attr::kIntensity, ScalarType::Float32, 1).data<float>();
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t* r = file.data() + i * kRecordBytes;
        scene.positions[i] = {loadLE<float>(r), loadLE<float>(r + 4), loadLE<float>(r + 8)};
        intensity[i] = loadLE<float>(r + 12);
    }
    progress.check();
    progress.report(0.5);

    if (const auto labelPath = findLabelFile(path); !labelPath.empty()) {
        const MappedFile labels(labelPath);
        if (labels.size() != n * 4)
            throw IoError(labels.name(), "holds " + std::to_string(labels.size()) + " bytes, but the scan " +
                                             path.filename().string() + " has " + std::to_string(n) +
                                             " points, which need " + std::to_string(n * 4) +
                                             " (one uint32 each)");
        auto* label = scene.add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>();
        auto* instance = scene.add(attr::kInstance, ScalarType::Int32, 1).data<std::int32_t>();
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t v = loadLE<std::uint32_t>(labels.data() + 4 * i);
            label[i] = std::int32_t(v & 0xFFFFu);  // semantic class
            instance[i] = std::int32_t(v >> 16);   // instance id
        }
        scene.source.notes.push_back("labels from " + labelPath.string());
    } else {
        scene.source.notes.push_back("no " + path.stem().string() +
                                     ".label found in ../labels/ or beside the scan");
    }
    scene.dropNonFinite();
    return scene;
}

}  // namespace s4
