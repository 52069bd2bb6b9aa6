// OFF / COFF / NOFF meshes (Princeton ModelNet's format), turned into a point cloud by uniform surface
// sampling (core/geometry/MeshSampling.h). Polygons are fan-triangulated. The header may stand alone
// ("OFF" then "V F E") or carry the counts on its own line, even glued to the magic as in some ModelNet
// files ("OFF12 34 0"). Per-vertex colours/normals of COFF/NOFF are ignored: samples get face normals.
#include "core/common/Error.h"
#include "core/geometry/MeshSampling.h"
#include "core/io/FormatReaders.h"
#include "core/io/MappedFile.h"
#include "core/io/TextScanner.h"

#include <cctype>
#include <cmath>
#include <limits>

namespace s4 {
namespace {

// Smallest possible vertex line "0 0 0\n" and face line "3 0 1 2\n": what a declared count costs at least.
constexpr std::uint64_t kMinVertexBytes = 6;
constexpr std::uint64_t kMinFaceBytes = 8;

class OffParser {
public:
    explicit OffParser(const MappedFile& file, const Progress& progress)
        : file_(file), progress_(progress), scanner_(file.text()) {}

    void parse() {
        readHeader();
        readVertices();
        readFaces();
    }

    std::string magic;
    std::uint64_t vertexCount = 0, faceCount = 0;
    std::vector<Eigen::Vector3f> vertices;
    std::vector<Eigen::Vector3i> triangles;

private:
    // The next line that is neither blank nor a comment, split into fields; false at the end.
    bool nextContentLine() {
        while (scanner_.next()) {
            if ((scanner_.lineNumber() & 0xFFFF) == 0) {
                progress_.check();
                progress_.report(static_cast<double>(scanner_.offset()) / static_cast<double>(file_.size()));
            }
            const std::string_view line = scanner_.line();
            if (text::isBlank(line) || text::trim(line).front() == '#') continue;
            text::splitFields(line, fields_);
            return true;
        }
        return false;
    }

    [[noreturn]] void fail(const std::string& problem) const {
        throw IoError(file_.name(), IoError::atLine(scanner_.lineNumber()), problem);
    }

    std::uint64_t count(std::string_view field, const char* what) const {
        std::int64_t v = 0;
        if (!text::parseInt64(field, v) || v < 0)
            fail(std::string("the ") + what + " count " + text::quoted(field) +
                 " is not a whole number >= 0");
        return static_cast<std::uint64_t>(v);
    }

    void readHeader() {
        if (!nextContentLine()) throw IoError(file_.name(), "is empty (an OFF file starts with \"OFF\")");
        std::string_view first = text::trim(scanner_.line());
        std::size_t letters = 0;
        while (letters < first.size() && std::isalpha(static_cast<unsigned char>(first[letters]))) ++letters;
        magic = std::string(first.substr(0, letters));
        if (magic != "OFF" && magic != "COFF" && magic != "NOFF" && magic != "CNOFF" && magic != "NCOFF")
            fail("does not start with OFF, COFF or NOFF (found " + text::quoted(first.substr(0, 16)) + ")");
        // Counts may follow on the same line, even without a space ("OFF12 34 0").
        text::splitFields(first.substr(letters), fields_);
        if (!fields_.empty() && fields_[0] == "BINARY")
            fail("binary OFF is not supported (only the text form)");
        if (fields_.empty() && !nextContentLine()) fail("the file ends before the vertex and face counts");
        if (fields_.size() < 2 || fields_.size() > 3)
            fail("expected the counts \"vertices faces [edges]\", found " + std::to_string(fields_.size()) +
                 " values");
        vertexCount = count(fields_[0], "vertex");
        faceCount = count(fields_[1], "face");

        // Check the declared counts against what the rest of the file can hold before allocating.
        const std::uint64_t remaining = scanner_.remaining();
        const bool fits = vertexCount <= remaining / kMinVertexBytes &&
                          faceCount <= remaining / kMinFaceBytes &&
                          vertexCount * kMinVertexBytes + faceCount * kMinFaceBytes <= remaining + 1;
        if (!fits)
            fail("the header declares " + std::to_string(vertexCount) + " vertices and " +
                 std::to_string(faceCount) + " faces, but only " + formatBytes(remaining) +
                 " follow (at least " + std::to_string(kMinVertexBytes) + " bytes per vertex and " +
                 std::to_string(kMinFaceBytes) + " per face are needed)");
        if (vertexCount > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()))
            fail("more than 2^31 vertices are not supported");
    }

    void readVertices() {
        vertices.reserve(vertexCount);
        for (std::uint64_t v = 0; v < vertexCount; ++v) {
            if (!nextContentLine())
                throw IoError(file_.name(), IoError::atLine(scanner_.lineNumber()),
                              "the file ends after " + std::to_string(v) + " of the " +
                                  std::to_string(vertexCount) + " vertices the header declares");
            if (fields_.size() < 3)
                fail("a vertex needs x y z, found " + std::to_string(fields_.size()) + " values");
            double xyz[3];
            for (int k = 0; k < 3; ++k) {
                if (!text::parseDouble(fields_[k], xyz[k]))
                    fail("vertex coordinate " + text::quoted(fields_[k]) + " is not a number");
                if (!std::isfinite(xyz[k]))
                    fail("vertex coordinate " + text::quoted(fields_[k]) + " is not finite");
            }
            vertices.emplace_back(static_cast<float>(xyz[0]), static_cast<float>(xyz[1]),
                                  static_cast<float>(xyz[2]));
        }
    }

    void readFaces() {
        triangles.reserve(faceCount);
        std::vector<std::int32_t> polygon;
        for (std::uint64_t f = 0; f < faceCount; ++f) {
            if (!nextContentLine())
                throw IoError(file_.name(), IoError::atLine(scanner_.lineNumber()),
                              "the file ends after " + std::to_string(f) + " of the " +
                                  std::to_string(faceCount) + " faces the header declares");
            std::int64_t n = 0;
            if (!text::parseInt64(fields_[0], n))
                fail("the face size " + text::quoted(fields_[0]) + " is not a number");
            if (n < 3) fail("a face needs at least 3 vertices, this one says " + std::to_string(n));
            if (static_cast<std::uint64_t>(n) > fields_.size() - 1)
                fail("the face says " + std::to_string(n) + " vertices but lists " +
                     std::to_string(fields_.size() - 1));
            polygon.clear();
            for (std::int64_t k = 1; k <= n; ++k) {
                std::int64_t index = 0;
                if (!text::parseInt64(fields_[static_cast<std::size_t>(k)], index))
                    fail("vertex index " + text::quoted(fields_[static_cast<std::size_t>(k)]) +
                         " is not a whole number");
                if (index < 0 || static_cast<std::uint64_t>(index) >= vertexCount)
                    fail("vertex index " + std::to_string(index) + " is out of range (the mesh has " +
                         std::to_string(vertexCount) + " vertices)");
                polygon.push_back(static_cast<std::int32_t>(index));
            }
            // Fan triangulation: exact for the convex polygons CAD exporters write.
            for (std::size_t k = 1; k + 1 < polygon.size(); ++k)
                triangles.emplace_back(polygon[0], polygon[k], polygon[k + 1]);
        }
    }

    const MappedFile& file_;
    const Progress& progress_;
    text::LineScanner scanner_;
    std::vector<std::string_view> fields_;
};

}  // namespace

Scene readOff(const std::filesystem::path& path, const ReadOptions& options, const Progress& progress) {
    constexpr std::size_t kMaxSamples = 1'000'000'000;  // 12 GB of positions: beyond any use, likely a typo
    if (options.meshSamples == 0 || options.meshSamples > kMaxSamples)
        throw InvalidArgument("the number of mesh samples must be between 1 and 10^9, not " +
                              std::to_string(options.meshSamples));
    const MappedFile file(path);
    const Progress parsing = progress.sub(0.0, 0.7);
    OffParser parser(file, parsing);
    parser.parse();

    SurfaceSamples samples;
    try {
        samples = sampleSurfaceUniform(parser.vertices, parser.triangles, options.meshSamples, options.seed);
    } catch (const InvalidArgument& e) {
        // Indices and coordinates were validated while parsing; what is left is a degenerate mesh.
        throw IoError(file.name(), e.what());
    }
    progress.report(0.9);

    Scene scene;
    scene.source.path = path.string();
    scene.source.format = "off";
    scene.positions = std::move(samples.points);
    float* normals = scene.add(attr::kNormal, ScalarType::Float32, 3).data<float>();
    for (std::size_t i = 0; i < samples.normals.size(); ++i)
        for (int c = 0; c < 3; ++c) normals[3 * i + c] = samples.normals[i][c];
    scene.source.notes.push_back(parser.magic + " mesh with " + std::to_string(parser.vertexCount) +
                                 " vertices and " + std::to_string(parser.faceCount) + " faces (" +
                                 std::to_string(parser.triangles.size()) + " triangles), sampled with " +
                                 std::to_string(scene.pointCount()) + " points (seed " +
                                 std::to_string(options.seed) + "); faces are not kept");
    if (parser.magic != "OFF")
        scene.source.notes.emplace_back(
            "per-vertex colours/normals are ignored; normals are those of the faces");
    return scene;
}

}  // namespace s4
