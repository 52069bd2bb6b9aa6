#include "core/io/LabelWriter.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/io/ByteOrder.h"
#include "core/io/MappedFile.h"
#include "core/io/SceneWriter.h"
#include "core/io/TextScanner.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace s4 {
namespace {

// The values of a single-component integer attribute as int64 (labels may be stored as int32,
// uint32 or uint8).
std::vector<std::int64_t> integerValues(const Scene& scene, const char* name, bool required) {
    const AttributeArray* a = scene.find(name);
    if (!a) {
        if (required)
            throw InvalidArgument(std::string("the scene has no '") + name + "' attribute to write");
        return {};
    }
    if (a->components() != 1 || a->type() == ScalarType::Float32 || a->type() == ScalarType::Float64)
        throw InvalidArgument(std::string("attribute '") + name + "' is not one integer per point");
    std::vector<std::int64_t> values(a->size());
    for (std::size_t i = 0; i < values.size(); ++i)
        values[i] = static_cast<std::int64_t>(a->valueAsDouble(i));
    return values;
}

[[noreturn]] void outOfRange(const char* what, std::size_t point, std::int64_t value, const char* range) {
    throw InvalidArgument(std::string(what) + " of point " + std::to_string(point) + " is " +
                          std::to_string(value) + ", outside " + range);
}

void writeKitti(const std::filesystem::path& out, const Scene& scene) {
    const auto semantic = integerValues(scene, attr::kLabel, true);
    const auto instance = integerValues(scene, attr::kInstance, false);
    std::vector<std::uint32_t> packed(semantic.size());
    for (std::size_t i = 0; i < semantic.size(); ++i) {
        const std::int64_t s = semantic[i];
        const std::int64_t k = instance.empty() ? 0 : instance[i];
        if (s < 0 || s > 0xFFFF)
            outOfRange("the label", i, s, "0..65535 (SemanticKITTI keeps it in 16 bits)");
        if (k < 0 || k > 0xFFFF)
            outOfRange("the instance", i, k, "0..65535 (SemanticKITTI keeps it in 16 bits)");
        packed[i] = (static_cast<std::uint32_t>(k) << 16) | (static_cast<std::uint32_t>(s) & 0xFFFFu);
        if constexpr (std::endian::native == std::endian::big) packed[i] = byteSwapped(packed[i]);
    }
    AtomicFileWriter file(out);
    file.write(packed.data(), packed.size() * sizeof(std::uint32_t));
    file.commit();
}

void writeLines(const std::filesystem::path& out, const std::vector<std::int64_t>& values) {
    AtomicFileWriter file(out);
    std::string text;
    text.reserve(1 << 16);
    char buffer[24];
    for (std::int64_t v : values) {
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
        text.append(buffer, result.ptr);
        text += '\n';
        if (text.size() > (1 << 16) - 32) {
            file.write(text);
            text.clear();
        }
    }
    file.write(text);
    file.commit();
}

void writeScanNet(const std::filesystem::path& out, const Scene& scene, const LabelWriteOptions& options) {
    std::vector<std::int64_t> ids = integerValues(scene, attr::kLabel, true);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        std::int64_t& v = ids[i];
        if (options.scanNet20ToNyu40) {
            if (v < 0)
                v = 0;
            else if (v >= static_cast<std::int64_t>(kScanNet20ToNyu40.size()))
                outOfRange("the ScanNet-20 class index", i, v, "0..19");
            else
                v = kScanNet20ToNyu40[static_cast<std::size_t>(v)];
        } else if (v < 0 || v > 40) {
            outOfRange("the NYU40 id", i, v, "0..40");
        }
    }
    writeLines(out, ids);
}

void writePlyField(const std::filesystem::path& out, const Scene& scene) {
    const auto labels = integerValues(scene, attr::kLabel, true);
    Scene slim;
    slim.positions = scene.positions;
    slim.offset = scene.offset;
    std::int32_t* dst = slim.add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>();
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < std::numeric_limits<std::int32_t>::min() ||
            labels[i] > std::numeric_limits<std::int32_t>::max())
            outOfRange("the label", i, labels[i], "the 32-bit integer range");
        dst[i] = static_cast<std::int32_t>(labels[i]);
    }
    PlyWriteOptions options;
    options.writeFaces = false;
    writePly(slim, out, options);
}

}  // namespace

void writeLabels(const std::filesystem::path& out, const Scene& scene, LabelFormat format,
                 const LabelWriteOptions& options) {
    switch (format) {
        case LabelFormat::SemanticKitti:
            writeKitti(out, scene);
            return;
        case LabelFormat::Text:
            writeLines(out, integerValues(scene, attr::kLabel, true));
            return;
        case LabelFormat::ScanNetIds:
            writeScanNet(out, scene, options);
            return;
        case LabelFormat::PlyField:
            writePlyField(out, scene);
            return;
    }
}

std::vector<std::int32_t> readTextLabels(const std::filesystem::path& path) {
    const MappedFile file(path);
    std::vector<std::int32_t> labels;
    labels.reserve(text::estimateLineCount(file.text()));
    text::LineScanner lines(file.text());
    while (lines.next()) {
        if (text::isBlank(lines.line())) continue;
        std::int64_t v = 0;
        if (!text::parseInt64(text::trim(lines.line()), v) || v < std::numeric_limits<std::int32_t>::min() ||
            v > std::numeric_limits<std::int32_t>::max())
            throw IoError(file.name(), IoError::atLine(lines.lineNumber()),
                          "expected one 32-bit integer label, found " + text::quoted(lines.line()));
        labels.push_back(static_cast<std::int32_t>(v));
    }
    return labels;
}

SemanticKittiLabels readSemanticKittiLabels(const std::filesystem::path& path) {
    const MappedFile file(path);
    if (file.size() % 4 != 0)
        throw IoError(file.name(), "is " + std::to_string(file.size()) +
                                       " bytes, not a whole number of 4-byte SemanticKITTI labels");
    SemanticKittiLabels labels;
    const std::size_t n = file.size() / 4;
    labels.semantic.resize(n);
    labels.instance.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t v = loadLE<std::uint32_t>(file.data() + 4 * i);
        labels.semantic[i] = static_cast<std::int32_t>(v & 0xFFFFu);
        labels.instance[i] = static_cast<std::int32_t>(v >> 16);
    }
    return labels;
}

}  // namespace s4
