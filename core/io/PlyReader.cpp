// PLY reading: header (PlyHeader), property → attribute mapping (PlyPropertyMapping), then the body.
// Binary vertex records of fixed size take the fast path: blocks of records, one tight column copy
// per property (PlyBody), straight out of the memory mapping. Records with list properties and
// ascii bodies go value by value. Every declared count is checked against the bytes the file holds
// before anything is allocated.
#include "core/io/FormatReaders.h"

#include "core/common/Error.h"
#include "core/io/CoordinateOffset.h"
#include "core/io/MappedFile.h"
#include "core/io/PlyBody.h"
#include "core/io/PlyHeader.h"
#include "core/io/PlyPropertyMapping.h"
#include "core/io/ScanNetLayout.h"
#include "core/io/TextScanner.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <sstream>

namespace s4 {
namespace {

constexpr std::size_t kBlockRecords = 4096;  // records per fast-path block: a few pages, stays in L2

const char* formatLabel(PlyFormat format) {
    switch (format) {
        case PlyFormat::Ascii:
            return "ply-ascii";
        case PlyFormat::BinaryLittleEndian:
            return "ply-binary-le";
        case PlyFormat::BinaryBigEndian:
            return "ply-binary-be";
    }
    return "ply";
}

bool isFaceIndexList(const PlyElement& element, const PlyProperty& p) {
    return element.name == "face" && p.isList && (p.name == "vertex_indices" || p.name == "vertex_index");
}

// Where every property of the vertex element lands, plus the temporary buffers some need.
struct VertexTargets {
    std::vector<PlySink> sinks;   // one per property
    std::vector<double> x, y, z;  // wide coordinates (double/int32/uint32 x y z)
    bool wideCoordinates = false;
    std::vector<float> colourTemp;     // 3 per point, when colours are not all uchar
    std::vector<PlyType> colourTypes;  // source types of red, green, blue
};

// Maps the vertex element, allocates the scene's arrays (count already checked against the file)
// and fills in the sinks.
VertexTargets prepareVertexTargets(const PlyElement& vertex, std::size_t count, Scene& scene) {
    const PlyVertexMapping mapping = mapVertexProperties(vertex);
    for (const auto& note : mapping.notes) scene.source.notes.push_back(note);
    const std::size_t n = vertex.properties.size();

    VertexTargets t;
    t.sinks.resize(n);
    bool directColour = mapping.hasColour;
    int haveXyz = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const PlyRole role = mapping.targets[i].role;
        const PlyType type = vertex.properties[i].type;
        if (role == PlyRole::X || role == PlyRole::Y || role == PlyRole::Z) {
            ++haveXyz;
            if (type == PlyType::Float64 || type == PlyType::Int32 || type == PlyType::UInt32)
                t.wideCoordinates = true;
        }
        if ((role == PlyRole::Red || role == PlyRole::Green || role == PlyRole::Blue) &&
            type != PlyType::UInt8)
            directColour = false;
    }
    if (haveXyz != 3)
        throw IoError(scene.source.path, IoError::atLine(vertex.headerLine),
                      "the vertex element lacks an x, y or z property");

    scene.positions.assign(count, Eigen::Vector3f::Zero());
    if (t.wideCoordinates) {
        t.x.assign(count, 0.0);
        t.y.assign(count, 0.0);
        t.z.assign(count, 0.0);
    }
    if (mapping.hasColour) {
        scene.add(attr::kColor, ScalarType::UInt8, 3);
        if (!directColour) t.colourTemp.assign(3 * count, 0.0f);
        t.colourTypes.resize(3);
    }
    if (mapping.hasNormal) scene.add(attr::kNormal, ScalarType::Float32, 3);
    std::map<std::string, int> generic;  // name -> components
    for (std::size_t i = 0; i < n; ++i) {
        const auto& target = mapping.targets[i];
        switch (target.role) {
            case PlyRole::Intensity:
                scene.add(attr::kIntensity, ScalarType::Float32, 1);
                break;
            case PlyRole::Label:
                scene.add(attr::kLabel, ScalarType::Int32, 1);
                break;
            case PlyRole::Instance:
                scene.add(attr::kInstance, ScalarType::Int32, 1);
                break;
            case PlyRole::Superpoint:
                scene.add(attr::kSuperpoint, ScalarType::Int32, 1);
                break;
            case PlyRole::Generic:
                if (generic.emplace(target.attribute, target.components).second)
                    scene.add(target.attribute, ScalarType::Float32, target.components);
                break;
            default:
                break;
        }
    }

    // Pointers are taken only now: adding attributes may move the AttributeArray objects.
    auto bytesOf = [&](const char* name) { return static_cast<unsigned char*>(scene.find(name)->rawData()); };
    unsigned char* positions = reinterpret_cast<unsigned char*>(scene.positions.data());
    for (std::size_t i = 0; i < n; ++i) {
        const auto& target = mapping.targets[i];
        PlySink& s = t.sinks[i];
        auto coordinate = [&](int axis, std::vector<double>& wide) {
            if (t.wideCoordinates)
                s = {PlySinkType::Float64, reinterpret_cast<unsigned char*>(wide.data()), 1};
            else
                s = {PlySinkType::Float32, positions + axis * sizeof(float), 3};
        };
        auto colour = [&](int c) {
            t.colourTypes[c] = vertex.properties[i].type;
            if (directColour)
                s = {PlySinkType::UInt8, bytesOf(attr::kColor) + c, 3};
            else
                s = {PlySinkType::Float32, reinterpret_cast<unsigned char*>(t.colourTemp.data() + c), 3};
        };
        switch (target.role) {
            case PlyRole::Skip:
                break;
            case PlyRole::X:
                coordinate(0, t.x);
                break;
            case PlyRole::Y:
                coordinate(1, t.y);
                break;
            case PlyRole::Z:
                coordinate(2, t.z);
                break;
            case PlyRole::Red:
                colour(0);
                break;
            case PlyRole::Green:
                colour(1);
                break;
            case PlyRole::Blue:
                colour(2);
                break;
            case PlyRole::NX:
                s = {PlySinkType::Float32, bytesOf(attr::kNormal) + 0 * sizeof(float), 3};
                break;
            case PlyRole::NY:
                s = {PlySinkType::Float32, bytesOf(attr::kNormal) + 1 * sizeof(float), 3};
                break;
            case PlyRole::NZ:
                s = {PlySinkType::Float32, bytesOf(attr::kNormal) + 2 * sizeof(float), 3};
                break;
            case PlyRole::Intensity:
                s = {PlySinkType::Float32, bytesOf(attr::kIntensity), 1};
                break;
            case PlyRole::Label:
                s = {PlySinkType::Int32, bytesOf(attr::kLabel), 1};
                break;
            case PlyRole::Instance:
                s = {PlySinkType::Int32, bytesOf(attr::kInstance), 1};
                break;
            case PlyRole::Superpoint:
                s = {PlySinkType::Int32, bytesOf(attr::kSuperpoint), 1};
                break;
            case PlyRole::Generic:
                s = {PlySinkType::Float32,
                     static_cast<unsigned char*>(scene.find(target.attribute)->rawData()) +
                         target.component * sizeof(float),
                     static_cast<std::size_t>(target.components)};
                break;
        }
    }
    return t;
}

// Colours that were not uchar: 16-bit values are scaled by 255/65535; float colours in [0, 1] by 255
// (if any exceeds 1 they are taken as 0..255 already); 32-bit integer colours above 255 as 16-bit.
void finishColours(const VertexTargets& t, Scene& scene) {
    if (t.colourTemp.empty()) return;
    bool anyFloat = false, any16 = false;
    for (PlyType type : t.colourTypes) {
        anyFloat = anyFloat || type == PlyType::Float32 || type == PlyType::Float64;
        any16 = any16 || type == PlyType::Int16 || type == PlyType::UInt16;
    }
    float maxValue = 0.0f;
    for (float v : t.colourTemp)
        if (std::isfinite(v)) maxValue = std::max(maxValue, v);
    float scale = 1.0f;
    if (anyFloat)
        scale = maxValue <= 1.0f ? 255.0f : 1.0f;
    else if (any16 || maxValue > 255.0f)
        scale = 255.0f / 65535.0f;
    std::uint8_t* rgb = scene.find(attr::kColor)->data<std::uint8_t>();
    for (std::size_t i = 0; i < t.colourTemp.size(); ++i) {
        const float v = t.colourTemp[i] * scale;
        rgb[i] =
            std::isfinite(v) ? static_cast<std::uint8_t>(std::clamp(std::nearbyint(v), 0.0f, 255.0f)) : 0;
    }
}

// The reader of one file: holds the mapping, the header and the output scene while elements are read.
class PlyFileReader {
public:
    PlyFileReader(const std::filesystem::path& path, const Progress& progress)
        : file_(path), progress_(progress), name_(file_.name()) {}

    Scene read() {
        header_ = parsePlyHeader(file_.text(), name_);
        scene_.source.path = name_;
        scene_.source.format = formatLabel(header_.format);
        bigEndian_ = header_.format == PlyFormat::BinaryBigEndian;
        const int vertexIndex = header_.find("vertex");
        if (vertexIndex < 0) throw IoError(name_, "the header declares no 'vertex' element");
        vertexCount_ = header_.elements[vertexIndex].count;
        checkCountsAgainstFileSize();

        for (const auto& element : header_.elements)
            if (element.name != "vertex" && element.name != "face" && element.count > 0)
                scene_.source.notes.push_back("element '" + element.name + "' (" +
                                              std::to_string(element.count) + " records) skipped");
        readGlobalShift();
        takePlyInexactIntegerCount();  // start counting afresh
        if (header_.format == PlyFormat::Ascii)
            readAsciiBody();
        else
            readBinaryBody();
        if (const std::size_t inexact = takePlyInexactIntegerCount(); inexact > 0)
            throw IoError(name_, std::to_string(inexact) +
                                     " values of integer properties (label, instance, superpoint or colour) are "
                                     "not whole numbers or do not fit their type; they are not rounded or clamped "
                                     "silently");
        if (degenerateFaces_ > 0)
            scene_.source.notes.push_back(std::to_string(degenerateFaces_) +
                                          " faces with fewer than 3 vertices skipped");
        applyOffsetComment();
        return std::move(scene_);
    }

private:
    // Counts come from the header and may lie: the smallest possible body they imply must fit in the
    // bytes after the header, or nothing is allocated.
    void checkCountsAgainstFileSize() {
        const std::uint64_t available = file_.size() - header_.bodyOffset;
        const bool ascii = header_.format == PlyFormat::Ascii;
        std::uint64_t needed = 0;
        for (const auto& element : header_.elements) {
            if (element.count > 0 && element.properties.empty())
                throw IoError(name_, IoError::atLine(element.headerLine),
                              "element '" + element.name + "' has records but no properties");
            // ascii: every value takes at least one character and one separator (the last one of
            // the file may end without a newline).
            const std::uint64_t perRecord =
                ascii ? 2 * element.properties.size() : element.minimumBinaryRecordSize();
            std::uint64_t bytes = 0;
            if (__builtin_mul_overflow(element.count, perRecord, &bytes) ||
                __builtin_add_overflow(needed, bytes, &needed) || needed > available + (ascii ? 1 : 0))
                throw IoError(name_, IoError::atByte(header_.bodyOffset),
                              element.name + " count says " + std::to_string(element.count) +
                                  " but the file holds only " + std::to_string(available) +
                                  " bytes after the header (each record needs at least " +
                                  std::to_string(perRecord) + ")");
        }
    }

    // Calls use(X, Y, Z) for every "comment <keyword> X Y Z" line with three finite numbers; notes any
    // other line with that keyword as unreadable.
    template <typename Use>
    void forEachCommentTriple(const std::string& keyword, Use&& use) {
        for (const auto& comment : header_.comments) {
            std::istringstream in(comment);
            std::string word;
            double x = 0, y = 0, z = 0;
            if (!(in >> word) || word != keyword) continue;
            if (!(in >> x >> y >> z) || !std::isfinite(x) || !std::isfinite(y) || !std::isfinite(z)) {
                scene_.source.notes.push_back("unreadable 'comment " + keyword + "' line ignored");
                continue;
            }
            use(Eigen::Vector3d(x, y, z));
        }
    }

    // "comment global_shift X Y Z": the offset to subtract from double-precision coordinates (S4Studio
    // writes world coordinates as doubles and names the scene's offset, so it comes back).
    void readGlobalShift() {
        forEachCommentTriple("global_shift", [&](const Eigen::Vector3d& v) { globalShift_ = v; });
    }

    void applyOffsetComment() {
        // A file whose double coordinates were placed by its global_shift names its offset that way: an
        // 'offset' comment beside it would count twice.
        if (globalShiftApplied_) return;
        forEachCommentTriple("offset", [&](const Eigen::Vector3d& v) { scene_.offset += v; });
    }

    void finishVertices(VertexTargets& t) {
        finishColours(t, scene_);
        if (t.wideCoordinates) {
            storePositions(t.x.data(), t.y.data(), t.z.data(), t.x.size(), scene_,
                           globalShift_ ? &*globalShift_ : nullptr);
            globalShiftApplied_ = globalShift_.has_value();
            std::vector<double>().swap(t.x);
            std::vector<double>().swap(t.y);
            std::vector<double>().swap(t.z);
        } else if (globalShift_) {
            scene_.source.notes.push_back("'comment global_shift' ignored: it applies to double coordinates only");
        }
    }

    void reportBytes(std::size_t offset) const {
        progress_.check();
        progress_.report(0.95 * double(offset) / double(std::max<std::size_t>(file_.size(), 1)));
    }

    // ---- binary

    void readBinaryBody() {
        std::size_t offset = header_.bodyOffset;
        for (const auto& element : header_.elements) {
            if (element.name == "vertex") {
                VertexTargets t = prepareVertexTargets(element, vertexCount_, scene_);
                if (element.hasLists())
                    offset = walkBinaryRecords(element, offset, &t.sinks);
                else
                    offset = copyFixedVertexRecords(element, offset, t.sinks);
                finishVertices(t);
            } else if (element.name == "face" && faceListIndex(element) >= 0) {
                offset = walkBinaryRecords(element, offset, nullptr);
            } else if (!element.hasLists()) {
                offset += element.count * element.minimumBinaryRecordSize();  // checked against size
            } else {
                offset = walkBinaryRecords(element, offset, nullptr);
            }
        }
    }

    // The fast path: fixed-size records, copied column by column in blocks.
    std::size_t copyFixedVertexRecords(const PlyElement& element, std::size_t offset,
                                       const std::vector<PlySink>& sinks) {
        struct Column {
            std::size_t offset;
            PlyColumnCopy copy;
            PlySink sink;
            std::size_t sinkSize;
        };
        std::vector<Column> columns;
        std::size_t within = 0;
        for (std::size_t i = 0; i < element.properties.size(); ++i) {
            const PlyType type = element.properties[i].type;
            if (sinks[i].type != PlySinkType::None)
                columns.push_back({within, plyColumnCopy(type, bigEndian_, sinks[i].type), sinks[i],
                                   plySinkSize(sinks[i].type)});
            within += plySize(type);
        }
        const std::size_t recordSize = within;
        const std::uint8_t* body = file_.data() + offset;
        const std::size_t count = static_cast<std::size_t>(element.count);
        for (std::size_t start = 0; start < count; start += kBlockRecords) {
            const std::size_t n = std::min(kBlockRecords, count - start);
            const std::uint8_t* block = body + start * recordSize;
            for (const Column& c : columns)
                c.copy(block + c.offset, recordSize, n, c.sink.base + start * c.sink.stride * c.sinkSize,
                       c.sink.stride);
            if ((start / kBlockRecords) % 64 == 0) reportBytes(offset + start * recordSize);
        }
        return offset + count * recordSize;
    }

    int faceListIndex(const PlyElement& element) const {
        for (std::size_t i = 0; i < element.properties.size(); ++i)
            if (isFaceIndexList(element, element.properties[i])) return static_cast<int>(i);
        return -1;
    }

    [[noreturn]] void cutOff(const PlyElement& element, std::uint64_t record, std::size_t offset) const {
        throw IoError(name_, IoError::atByte(offset),
                      "the file ends inside " + element.name + " record " + std::to_string(record + 1) +
                          " of " + std::to_string(element.count) + " (truncated file?)");
    }

    // Record by record: elements with list properties (faces, skipped elements, vertices with lists).
    // sinks: the vertex element's targets, or nullptr for other elements.
    std::size_t walkBinaryRecords(const PlyElement& element, std::size_t offset,
                                  const std::vector<PlySink>* sinks) {
        const std::uint8_t* data = file_.data();
        const std::size_t size = file_.size();
        const int faceList = faceListIndex(element);
        if (faceList >= 0) scene_.faces.reserve(static_cast<std::size_t>(element.count));
        std::vector<std::int64_t> polygon;
        for (std::uint64_t r = 0; r < element.count; ++r) {
            if ((r & 0xFFFF) == 0) reportBytes(offset);
            for (std::size_t p = 0; p < element.properties.size(); ++p) {
                const PlyProperty& property = element.properties[p];
                if (!property.isList) {
                    const std::size_t width = plySize(property.type);
                    if (size - offset < width) cutOff(element, r, offset);
                    if (sinks && (*sinks)[p].type != PlySinkType::None)
                        storePlyValue((*sinks)[p], r,
                                      decodePlyValue(data + offset, property.type, bigEndian_));
                    offset += width;
                    continue;
                }
                const std::size_t countWidth = plySize(property.countType);
                if (size - offset < countWidth) cutOff(element, r, offset);
                const double items = decodePlyValue(data + offset, property.countType, bigEndian_);
                if (items < 0)
                    throw IoError(name_, IoError::atByte(offset),
                                  "list '" + property.name + "' of " + element.name + " record " +
                                      std::to_string(r + 1) + " has a negative length");
                const std::size_t listStart = offset;
                offset += countWidth;
                const std::size_t itemWidth = plySize(property.type);
                const std::size_t listBytes = static_cast<std::size_t>(items) * itemWidth;
                if (size - offset < listBytes) cutOff(element, r, offset);
                if (static_cast<int>(p) == faceList) {
                    polygon.resize(static_cast<std::size_t>(items));
                    for (std::size_t k = 0; k < polygon.size(); ++k) {
                        const double v =
                            decodePlyValue(data + offset + k * itemWidth, property.type, bigEndian_);
                        polygon[k] = checkedIndex(v, element, r, IoError::atByte(listStart));
                    }
                    addPolygon(polygon);
                }
                offset += listBytes;
            }
        }
        return offset;
    }

    std::int64_t checkedIndex(double v, const PlyElement& element, std::uint64_t record,
                              const std::string& where) const {
        if (!(v >= 0.0 && v < double(vertexCount_)) || v != std::floor(v))
            throw IoError(name_, where,
                          element.name + " record " + std::to_string(record + 1) + " refers to vertex " +
                              formatNumber(v) + " but there are only " + std::to_string(vertexCount_) +
                              " vertices");
        return static_cast<std::int64_t>(v);
    }

    static std::string formatNumber(double v) {
        std::ostringstream s;
        s.precision(17);
        s << v;
        return s.str();
    }

    // Polygons are fan-triangulated around their first vertex.
    void addPolygon(const std::vector<std::int64_t>& polygon) {
        if (polygon.size() < 3) {
            ++degenerateFaces_;
            return;
        }
        for (std::size_t k = 1; k + 1 < polygon.size(); ++k)
            scene_.faces.emplace_back(int(polygon[0]), int(polygon[k]), int(polygon[k + 1]));
    }

    // ---- ascii

    void readAsciiBody() {
        text::LineScanner lines(file_.text().substr(header_.bodyOffset));
        std::vector<std::string_view> fields;
        std::vector<std::int64_t> polygon;
        for (const auto& element : header_.elements) {
            const bool isVertex = element.name == "vertex";
            const int faceList = element.name == "face" ? faceListIndex(element) : -1;
            VertexTargets t;
            if (isVertex) t = prepareVertexTargets(element, vertexCount_, scene_);
            if (faceList >= 0) scene_.faces.reserve(static_cast<std::size_t>(element.count));
            for (std::uint64_t r = 0; r < element.count; ++r) {
                do {
                    if (!lines.next())
                        throw IoError(name_, IoError::atLine(header_.headerLines + lines.lineNumber() + 1),
                                      "the file ends after " + std::to_string(r) + " of " +
                                          std::to_string(element.count) + " " + element.name + " records");
                } while (text::isBlank(lines.line()));
                if ((r & 0xFFFF) == 0) reportBytes(header_.bodyOffset + lines.offset());
                const std::string where = IoError::atLine(header_.headerLines + lines.lineNumber());
                text::splitFields(lines.line(), fields);
                std::size_t f = 0;
                auto number = [&](const PlyProperty& property) {
                    if (f >= fields.size())
                        throw IoError(name_, where,
                                      "too few values for a " + element.name + " record (property '" +
                                          property.name + "' is missing; the line holds " +
                                          std::to_string(fields.size()) + " values)");
                    double v = 0;
                    if (!text::parseDouble(fields[f], v))
                        throw IoError(name_, where,
                                      "value " + std::to_string(f + 1) + " (" + text::quoted(fields[f]) +
                                          ") of property '" + property.name + "' is not a number");
                    ++f;
                    return v;
                };
                for (std::size_t p = 0; p < element.properties.size(); ++p) {
                    const PlyProperty& property = element.properties[p];
                    if (!property.isList) {
                        const double v = number(property);
                        if (isVertex) storePlyValue(t.sinks[p], r, v);
                        continue;
                    }
                    const double items = number(property);
                    if (!(items >= 0) || items != std::floor(items) || items > double(fields.size()))
                        throw IoError(
                            name_, where,
                            "list '" + property.name + "' has an invalid length " + formatNumber(items));
                    const std::size_t n = static_cast<std::size_t>(items);
                    if (static_cast<int>(p) == faceList) {
                        polygon.resize(n);
                        for (std::size_t k = 0; k < n; ++k)
                            polygon[k] = checkedIndex(number(property), element, r, where);
                        addPolygon(polygon);
                    } else {
                        for (std::size_t k = 0; k < n; ++k) number(property);
                    }
                }
                if (f != fields.size())
                    throw IoError(name_, where,
                                  "too many values for a " + element.name + " record (" +
                                      std::to_string(fields.size()) + " on the line, the header declares " +
                                      std::to_string(f) + ")");
            }
            if (isVertex) finishVertices(t);
        }
    }

    MappedFile file_;
    const Progress& progress_;
    std::string name_;
    PlyHeader header_;
    Scene scene_;
    bool bigEndian_ = false;
    std::optional<Eigen::Vector3d> globalShift_;
    bool globalShiftApplied_ = false;
    std::uint64_t vertexCount_ = 0;
    std::uint64_t degenerateFaces_ = 0;
};

// Drops NaN/Inf points, keeping the faces whose three corners all survive (re-indexed); the Scene
// would otherwise drop every face along with the points.
void dropNonFiniteKeepingFaces(Scene& scene) {
    if (scene.faces.empty()) {
        scene.dropNonFinite();
        return;
    }
    std::vector<int> newIndex(scene.pointCount(), -1);
    int next = 0;
    for (std::size_t i = 0; i < scene.pointCount(); ++i)
        if (scene.positions[i].allFinite()) newIndex[i] = next++;
    if (static_cast<std::size_t>(next) == scene.pointCount()) return;
    std::vector<Eigen::Vector3i> kept;
    kept.reserve(scene.faces.size());
    for (const auto& f : scene.faces) {
        const Eigen::Vector3i g(newIndex[f[0]], newIndex[f[1]], newIndex[f[2]]);
        if (g.minCoeff() >= 0) kept.push_back(g);
    }
    const std::size_t removedFaces = scene.faces.size() - kept.size();
    scene.dropNonFinite();
    scene.faces = std::move(kept);
    if (removedFaces > 0)
        scene.source.notes.push_back(std::to_string(removedFaces) + " faces touching dropped points removed");
}

}  // namespace

Scene readPly(const std::filesystem::path& path, const ReadOptions& options, const Progress& progress) {
    PlyFileReader reader(path, progress);
    Scene scene = reader.read();
    attachScanNetSiblings(path, options, scene);
    dropNonFiniteKeepingFaces(scene);
    return scene;
}

}  // namespace s4
