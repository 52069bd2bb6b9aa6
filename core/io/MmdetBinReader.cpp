// mmdetection3d point file: points/<name>.bin, float32 N×C (default x y z r g b, colours 0..255),
// with per-point class and instance ids in ../semantic_mask/<name>.bin and ../instance_mask/<name>.bin
// (int64 as mmdetection3d writes them; int32 files are recognised from their size).
#include "core/io/FormatReaders.h"

#include "core/common/Error.h"
#include "core/io/ByteOrder.h"
#include "core/io/ColumnTable.h"
#include "core/io/MappedFile.h"

#include <limits>

namespace s4 {
namespace {

const ColumnLayout& defaultLayout() {
    static const ColumnLayout layout = parseColumnSpec("x,y,z,r,g,b");
    return layout;
}

/// Reads a per-point id mask into the int32 attribute `name`, if the mask file exists.
void readMask(Scene& scene, const std::filesystem::path& maskPath, const std::string& name) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(maskPath, ec)) return;
    const MappedFile mask(maskPath);
    const std::size_t n = scene.pointCount();
    int width = 0;
    if (mask.size() == n * 8)
        width = 8;
    else if (mask.size() == n * 4)
        width = 4;
    else
        throw IoError(mask.name(), "holds " + std::to_string(mask.size()) + " bytes, but the " +
                                       std::to_string(n) + " points need " + std::to_string(n * 8) +
                                       " (int64 ids) or " + std::to_string(n * 4) + " (int32 ids)");
    auto* ids = scene.add(name, ScalarType::Int32, 1).data<std::int32_t>();
    for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t v = width == 8 ? loadLE<std::int64_t>(mask.data() + 8 * i)
                                          : std::int64_t(loadLE<std::int32_t>(mask.data() + 4 * i));
        if (v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max())
            throw IoError(mask.name(), IoError::atByte(std::uint64_t(width) * i),
                          "id " + std::to_string(v) + " does not fit in int32");
        ids[i] = static_cast<std::int32_t>(v);
    }
    scene.source.notes.push_back(name + " from " + maskPath.string() +
                                 (width == 8 ? " (int64)" : " (int32)"));
}

}  // namespace

Scene readMmdetBin(const std::filesystem::path& path, const ReadOptions& options, const Progress& progress) {
    const MappedFile file(path);
    const ColumnLayout layout = options.columns.empty() ? defaultLayout() : parseColumnSpec(options.columns);
    const std::size_t rowBytes = 4 * layout.size();
    if (file.size() == 0) throw IoError(file.name(), "the point file is empty");
    if (file.size() % rowBytes != 0)
        throw IoError(file.name(), IoError::atByte(file.size() - file.size() % rowBytes),
                      "the size " + std::to_string(file.size()) + " bytes is not a multiple of " +
                          std::to_string(rowBytes) + " (" + std::to_string(layout.size()) +
                          " float32 per point: " + describeLayout(layout) +
                          "); give the columns if the file has another layout");
    const std::size_t n = file.size() / rowBytes;
    const std::size_t columns = layout.size();
    auto valueAt = [&](std::size_t row, std::size_t column) -> double {
        return loadLE<float>(file.data() + (row * columns + column) * 4);
    };

    Scene scene;
    scene.source.path = path.string();
    scene.source.format = "mmdet-bin";
    fillSceneFromTable(scene, layout, n, valueAt, ColourRange::Byte, file.name(), progress);
    const std::filesystem::path root = path.parent_path().parent_path();
    readMask(scene, root / "semantic_mask" / path.filename(), attr::kLabel);
    readMask(scene, root / "instance_mask" / path.filename(), attr::kInstance);
    scene.dropNonFinite();
    return scene;
}

}  // namespace s4
