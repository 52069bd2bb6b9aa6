#include "core/io/SceneWriter.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"

#include <bit>
#include <charconv>
#include <cstring>
#include <set>

namespace s4 {
namespace {

// Values are copied in host byte order into a little-endian file.
static_assert(std::endian::native == std::endian::little, "writePly assumes a little-endian host");

const char* plyTypeOf(ScalarType type) {
    switch (type) {
        case ScalarType::UInt8:
            return "uchar";
        case ScalarType::Int32:
            return "int";
        case ScalarType::UInt32:
            return "uint";
        case ScalarType::Float32:
            return "float";
        case ScalarType::Float64:
            return "double";
    }
    return "float";
}

// Shortest text that reads back as exactly the same double.
std::string exactDouble(double v) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, result.ptr);
}

// PLY property names end at whitespace; anything else is kept as is.
std::string propertyName(const std::string& name) {
    std::string out = name.empty() ? std::string("field") : name;
    for (char& c : out)
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') c = '_';
    return out;
}

// One attribute component in a record: `bytes` bytes taken from `source + i * stride`.
struct RecordField {
    const unsigned char* source;
    std::size_t bytes;
    std::size_t stride;
    bool perBlock = false;  ///< source holds the current block's values only (indexed from the block start)
};

}  // namespace

void writePly(const Scene& scene, const std::filesystem::path& path, const PlyWriteOptions& options) {
    const std::size_t n = scene.pointCount();
    for (const auto& comment : options.comments)
        if (comment.find_first_of("\r\n") != std::string::npos)
            throw InvalidArgument("a PLY comment must be a single line");
    const bool withFaces = options.writeFaces && !scene.faces.empty();
    if (withFaces)
        for (std::size_t f = 0; f < scene.faces.size(); ++f) {
            const Eigen::Vector3i& face = scene.faces[f];
            if (face.minCoeff() < 0 || static_cast<std::size_t>(face.maxCoeff()) >= n)
                throw InvalidArgument("face " + std::to_string(f) + " refers to a point that does not exist");
        }

    std::string header = "ply\nformat binary_little_endian 1.0\ncomment written by S4Studio\n";
    for (const auto& comment : options.comments) header += "comment " + comment + "\n";
    // A scene with an offset (georeferenced data) is written in world coordinates, as doubles, so that
    // every PLY reader places it where it belongs; the global_shift comment names the offset, so that
    // readScene() gives the same offset back and the float positions to double precision (offset + float
    // is exact unless the float has bits below the offset's last double bit, ~1e-9 m at 5e6 m; then
    // they differ by less than that).
    const bool shifted = !scene.offset.isZero(0.0);
    if (shifted)
        header += "comment global_shift " + exactDouble(scene.offset.x()) + " " + exactDouble(scene.offset.y()) + " " +
                  exactDouble(scene.offset.z()) + "\n";
    header += "element vertex " + std::to_string(n) + "\n";
    header += shifted ? "property double x\nproperty double y\nproperty double z\n"
                      : "property float x\nproperty float y\nproperty float z\n";

    // Records are assembled in blocks: one write call per block instead of one per value. World
    // coordinates are computed a block at a time, not as a copy of every position.
    constexpr std::size_t kBlock = 8192;
    std::vector<double> world(shifted ? 3 * kBlock : 0);
    std::vector<RecordField> fields;
    if (shifted) {
        const auto* xyz = reinterpret_cast<const unsigned char*>(world.data());
        for (int c = 0; c < 3; ++c)
            fields.push_back({xyz + c * sizeof(double), sizeof(double), 3 * sizeof(double), /*perBlock=*/true});
    } else {
        const auto* positions = reinterpret_cast<const unsigned char*>(scene.positions.data());
        for (int c = 0; c < 3; ++c)
            fields.push_back({positions + c * sizeof(float), sizeof(float), sizeof(Eigen::Vector3f)});
    }
    std::set<std::string> used = {"x", "y", "z"};
    auto declare = [&](std::string name, const char* type) {
        // A clash (say a generic field called "x") would make the header invalid: rename it.
        while (used.count(name)) name = "s4_" + name;
        used.insert(name);
        header += std::string("property ") + type + " " + name + "\n";
    };
    for (const AttributeArray& a : scene.attributes()) {
        const auto* base = static_cast<const unsigned char*>(a.rawData());
        const std::size_t valueBytes = scalarSize(a.type());
        const std::size_t stride = valueBytes * static_cast<std::size_t>(a.components());
        const bool colour = a.name() == attr::kColor && a.type() == ScalarType::UInt8 && a.components() == 3;
        const bool normal =
            a.name() == attr::kNormal && a.type() == ScalarType::Float32 && a.components() == 3;
        static const char* kColourNames[] = {"red", "green", "blue"};
        static const char* kNormalNames[] = {"nx", "ny", "nz"};
        for (int c = 0; c < a.components(); ++c) {
            std::string name;
            if (colour)
                name = kColourNames[c];
            else if (normal)
                name = kNormalNames[c];
            else if (a.components() == 1)
                name = propertyName(a.name());
            else
                name = propertyName(a.name()) + "_" + std::to_string(c);
            declare(name, plyTypeOf(a.type()));
            fields.push_back({base + c * valueBytes, valueBytes, stride});
        }
    }
    if (withFaces) {
        header += "element face " + std::to_string(scene.faces.size()) + "\n";
        header += "property list uchar int vertex_indices\n";
    }
    header += "end_header\n";

    AtomicFileWriter out(path);
    out.write(header);
    std::size_t recordSize = 0;
    for (const auto& f : fields) recordSize += f.bytes;
    std::vector<unsigned char> block(recordSize * kBlock);
    for (std::size_t start = 0; start < n; start += kBlock) {
        const std::size_t count = std::min(kBlock, n - start);
        for (std::size_t i = 0; i < count && shifted; ++i)
            for (int c = 0; c < 3; ++c)
                world[3 * i + std::size_t(c)] = scene.offset[c] + double(scene.positions[start + i][c]);
        std::size_t within = 0;
        for (const auto& f : fields) {
            unsigned char* dst = block.data() + within;
            const unsigned char* src = f.source + (f.perBlock ? 0 : start) * f.stride;
            for (std::size_t i = 0; i < count; ++i)
                std::memcpy(dst + i * recordSize, src + i * f.stride, f.bytes);
            within += f.bytes;
        }
        out.write(block.data(), count * recordSize);
    }
    if (withFaces) {
        unsigned char record[13];
        record[0] = 3;
        for (const auto& face : scene.faces) {
            const std::int32_t v[3] = {face[0], face[1], face[2]};
            std::memcpy(record + 1, v, sizeof v);
            out.write(record, sizeof record);
        }
    }
    out.commit();
}

}  // namespace s4
