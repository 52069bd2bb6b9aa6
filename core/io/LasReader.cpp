// ASPRS LAS 1.0–1.4 reader (uncompressed). Coordinates are integers scaled and offset by the header;
// they are turned into double world coordinates and stored as float positions relative to a rounded
// scene offset, so georeferenced clouds (x ~ 5·10^5 m) keep millimetre precision.
#include "core/io/FormatReaders.h"

#include "core/common/Error.h"
#include "core/io/ByteOrder.h"
#include "core/io/CoordinateOffset.h"
#include "core/io/MappedFile.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace s4 {
namespace {

// Byte offsets of the public header block fields (LAS 1.4 R15, table 3).
constexpr std::size_t kVersionMajor = 24, kVersionMinor = 25, kHeaderSize = 94, kOffsetToPoints = 96,
                      kPointFormat = 104, kRecordLength = 105, kLegacyCount = 107, kScale = 131,
                      kOffset = 155, kCount64 = 247;
constexpr std::size_t kHeaderSize12 = 227, kHeaderSize13 = 235, kHeaderSize14 = 375;

// Minimum record length of point data formats 0–10.
constexpr std::uint16_t kMinRecordLength[11] = {20, 28, 26, 34, 57, 63, 30, 36, 38, 59, 67};

struct LasLayout {
    bool extended = false;  // formats 6–10: 4-bit return numbers, full-byte classification
    int rgbAt = -1;         // byte offset of red, green, blue (uint16 each), or -1
};

LasLayout layoutOf(int format) {
    LasLayout l;
    l.extended = format >= 6;
    if (format == 2) l.rgbAt = 20;
    if (format == 3 || format == 5) l.rgbAt = 28;
    if (format == 7 || format == 8 || format == 10) l.rgbAt = 30;
    return l;
}

struct LasHeader {
    int versionMajor = 0, versionMinor = 0;
    std::uint32_t headerSize = 0, offsetToPoints = 0;
    int format = 0;
    std::uint16_t recordLength = 0;
    std::uint64_t count = 0;
    double scale[3] = {1, 1, 1}, offset[3] = {0, 0, 0};
};

LasHeader parseHeader(const MappedFile& file) {
    const std::string& name = file.name();
    const std::uint8_t* d = file.data();
    if (file.size() < 4 || std::memcmp(d, "LASF", 4) != 0)
        throw IoError(name, IoError::atByte(0), "does not start with the LAS signature 'LASF'");
    if (file.size() < kHeaderSize12)
        throw IoError(name, IoError::atByte(file.size()),
                      "the file ends inside the LAS header (" + std::to_string(file.size()) +
                          " of at least " + std::to_string(kHeaderSize12) + " bytes)");
    LasHeader h;
    h.versionMajor = d[kVersionMajor];
    h.versionMinor = d[kVersionMinor];
    if (h.versionMajor != 1 || h.versionMinor > 4)
        throw IoError(name, IoError::atByte(kVersionMajor),
                      "LAS version " + std::to_string(h.versionMajor) + "." + std::to_string(h.versionMinor) +
                          " is not supported (1.0 to 1.4 are)");
    h.headerSize = loadLE<std::uint16_t>(d + kHeaderSize);
    const std::uint32_t needed = h.versionMinor >= 4   ? kHeaderSize14
                                 : h.versionMinor == 3 ? kHeaderSize13
                                                       : kHeaderSize12;
    if (h.headerSize < needed || h.headerSize > file.size())
        throw IoError(name, IoError::atByte(kHeaderSize),
                      "header size " + std::to_string(h.headerSize) + " is impossible for LAS 1." +
                          std::to_string(h.versionMinor) + " (needs " + std::to_string(needed) + " to " +
                          std::to_string(file.size()) + " bytes)");
    h.offsetToPoints = loadLE<std::uint32_t>(d + kOffsetToPoints);
    if (h.offsetToPoints < h.headerSize || h.offsetToPoints > file.size())
        throw IoError(name, IoError::atByte(kOffsetToPoints),
                      "offset to point data " + std::to_string(h.offsetToPoints) +
                          " lies outside the file (" + std::to_string(h.headerSize) + " to " +
                          std::to_string(file.size()) + " bytes)");
    const std::uint8_t formatByte = d[kPointFormat];
    if (formatByte & 0xC0)
        throw IoError(name, IoError::atByte(kPointFormat),
                      "the point data is LAZ-compressed (format byte " + std::to_string(formatByte) +
                          "); decompress it to plain LAS first, e.g. with laszip or PDAL");
    h.format = formatByte;
    if (h.format > 10)
        throw IoError(name, IoError::atByte(kPointFormat),
                      "point data format " + std::to_string(h.format) + " is unknown (LAS defines 0 to 10)");
    h.recordLength = loadLE<std::uint16_t>(d + kRecordLength);
    if (h.recordLength < kMinRecordLength[h.format])
        throw IoError(name, IoError::atByte(kRecordLength),
                      "point record length " + std::to_string(h.recordLength) + " is shorter than the " +
                          std::to_string(kMinRecordLength[h.format]) + " bytes of point format " +
                          std::to_string(h.format));
    h.count = loadLE<std::uint32_t>(d + kLegacyCount);
    std::size_t countAt = kLegacyCount;
    // LAS 1.4 keeps the legacy 32-bit count at 0 for large files and formats 6–10; the 64-bit one rules.
    if (h.versionMinor >= 4) {
        const std::uint64_t count64 = loadLE<std::uint64_t>(d + kCount64);
        if (count64 != 0 || h.count == 0) {
            h.count = count64;
            countAt = kCount64;
        }
    }
    for (int a = 0; a < 3; ++a) {
        h.scale[a] = loadLE<double>(d + kScale + 8 * a);
        h.offset[a] = loadLE<double>(d + kOffset + 8 * a);
        if (!std::isfinite(h.scale[a]) || h.scale[a] == 0.0 || !std::isfinite(h.offset[a]))
            throw IoError(name, IoError::atByte(kScale + 8 * a),
                          std::string("the ") + "xyz"[a] + " scale/offset pair is not usable (scale " +
                              std::to_string(h.scale[a]) + ", offset " + std::to_string(h.offset[a]) + ")");
    }
    const std::uint64_t available = file.size() - h.offsetToPoints;
    if (h.count > available / h.recordLength)
        throw IoError(name, IoError::atByte(countAt),
                      "the header says " + std::to_string(h.count) + " points of " +
                          std::to_string(h.recordLength) + " bytes, but only " + formatBytes(available) +
                          " of point data follow");
    return h;
}

/// Larger than any georeferenced coordinate (ECEF metres are ~6.4e6), small enough that the extent
/// between two such coordinates stays far inside float32 once the scene offset is taken off.
constexpr double kMaxWorldCoordinate = 1e12;

/// The scene offset for one axis: the floored minimum when float32 would lose precision on the axis
/// (kLargeCoordinate, as for every reader), else 0 so small local clouds keep their own coordinates.
double axisOffset(double lo, double hi) {
    if (std::max(std::fabs(lo), std::fabs(hi)) < kLargeCoordinate) return 0.0;
    return std::floor(lo);
}

}  // namespace

Scene readLas(const std::filesystem::path& path, const ReadOptions&, const Progress& progress) {
    const MappedFile file(path);
    const LasHeader h = parseHeader(file);
    const LasLayout layout = layoutOf(h.format);
    const std::uint8_t* points = file.data() + h.offsetToPoints;
    const std::size_t n = static_cast<std::size_t>(h.count);

    Scene scene;
    scene.source.path = path.string();
    scene.source.format = "las-1." + std::to_string(h.versionMinor);
    auto world = [&](std::size_t i, int a) {
        return h.offset[a] + h.scale[a] * double(loadLE<std::int32_t>(points + i * h.recordLength + 4 * a));
    };

    // First pass: the world bounding box, from the points themselves (header min/max may be stale).
    double lo[3], hi[3];
    for (int a = 0; a < 3; ++a) {
        lo[a] = std::numeric_limits<double>::infinity();
        hi[a] = -std::numeric_limits<double>::infinity();
    }
    std::uint16_t maxColour = 0;
    for (std::size_t i = 0; i < n; ++i) {
        for (int a = 0; a < 3; ++a) {
            const double w = world(i, a);
            lo[a] = std::min(lo[a], w);
            hi[a] = std::max(hi[a], w);
        }
        if (layout.rgbAt >= 0)
            for (int c = 0; c < 3; ++c)
                maxColour = std::max(
                    maxColour, loadLE<std::uint16_t>(points + i * h.recordLength + layout.rgbAt + 2 * c));
    }
    // A finite scale and offset can still put int32 coordinates beyond any real survey (a corrupt or
    // hostile scale such as 1e200): positions relative to the scene offset must stay finite in float32.
    for (int a = 0; a < 3 && n > 0; ++a)
        if (!(std::fabs(lo[a]) <= kMaxWorldCoordinate && std::fabs(hi[a]) <= kMaxWorldCoordinate))
            throw IoError(path.string(), std::string("header, ") + "xyz"[a] + " scale/offset",
                          "puts coordinates at " + std::to_string(std::fabs(lo[a]) > std::fabs(hi[a]) ? lo[a] : hi[a]) +
                              ", beyond any real coordinate (the scale or offset is corrupt)");
    if (n > 0) scene.offset = {axisOffset(lo[0], hi[0]), axisOffset(lo[1], hi[1]), axisOffset(lo[2], hi[2])};
    if (!scene.offset.isZero()) {
        char note[160];
        std::snprintf(note, sizeof note,
                      "large coordinates: positions are relative to offset (%.0f, %.0f, %.0f)",
                      scene.offset.x(), scene.offset.y(), scene.offset.z());
        scene.source.notes.emplace_back(note);
    }
    progress.check();
    progress.report(0.3);

    scene.resize(n);
    auto* intensity = scene.add(attr::kIntensity, ScalarType::Float32, 1).data<float>();
    auto* label = scene.add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>();
    auto* returnNumber = scene.add("return_number", ScalarType::Float32, 1).data<float>();
    std::uint8_t* rgb =
        layout.rgbAt >= 0 ? scene.add(attr::kColor, ScalarType::UInt8, 3).data<std::uint8_t>() : nullptr;
    // The spec asks for 16-bit colour, but many writers store 0–255: only rescale real 16-bit values.
    const int colourShift = maxColour > 255 ? 8 : 0;

    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t* r = points + i * h.recordLength;
        for (int a = 0; a < 3; ++a) scene.positions[i][a] = float(world(i, a) - scene.offset[a]);
        intensity[i] = loadLE<std::uint16_t>(r + 12);
        if (layout.extended) {
            returnNumber[i] = float(r[14] & 0x0F);
            label[i] = r[16];
        } else {
            returnNumber[i] = float(r[14] & 0x07);
            label[i] = r[15] & 0x1F;
        }
        if (rgb)
            for (int c = 0; c < 3; ++c)
                rgb[3 * i + c] = std::uint8_t(loadLE<std::uint16_t>(r + layout.rgbAt + 2 * c) >> colourShift);
        if ((i + 1) % (1 << 16) == 0) {
            progress.check();
            progress.report(0.3 + 0.7 * double(i + 1) / double(n));
        }
    }
    auto& notes = scene.source.notes;
    if (h.recordLength > kMinRecordLength[h.format])
        notes.push_back(std::to_string(h.recordLength - kMinRecordLength[h.format]) +
                        " extra bytes per point were not read");
    if (h.format == 4 || h.format == 5 || h.format == 9 || h.format == 10)
        notes.push_back("waveform packet descriptors were not read");
    if (rgb && colourShift == 0 && n > 0)
        notes.push_back("colours were stored as 8-bit values in 16-bit fields");
    return scene;
}

}  // namespace s4
