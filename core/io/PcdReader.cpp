// PCL .pcd reader: ascii, binary (array of structures) and binary_compressed (LZF over a structure of
// arrays: all values of field 0, then all of field 1, ... as PCL's writeBinaryCompressed lays them out).
#include "core/io/FormatReaders.h"

#include "core/common/Error.h"
#include "core/io/ByteOrder.h"
#include "core/io/Lzf.h"
#include "core/io/MappedFile.h"
#include "core/io/TextScanner.h"
#include "core/io/PcdHeader.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace s4 {
namespace {

std::string withThousands(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

/// One element of a field at p, as double.
double loadValue(const std::uint8_t* p, const PcdField& f) {
    if (f.type == 'F') return f.size == 4 ? double(loadLE<float>(p)) : loadLE<double>(p);
    if (f.type == 'I') {
        switch (f.size) {
            case 1:
                return loadLE<std::int8_t>(p);
            case 2:
                return loadLE<std::int16_t>(p);
            case 4:
                return loadLE<std::int32_t>(p);
            default:
                return double(loadLE<std::int64_t>(p));
        }
    }
    switch (f.size) {
        case 1:
            return loadLE<std::uint8_t>(p);
        case 2:
            return loadLE<std::uint16_t>(p);
        case 4:
            return loadLE<std::uint32_t>(p);
        default:
            return double(loadLE<std::uint64_t>(p));
    }
}

enum class Role { X, Y, Z, Colour, NormalX, NormalY, NormalZ, Intensity, Label, Instance, Scalar };

struct FieldUse {
    Role role;
    const PcdField* field;
    std::string attribute;   // target attribute name (empty for positions)
    std::size_t base = 0;    // where this field's first value sits in the decoded bytes
    std::size_t stride = 0;  // bytes from one point's value to the next
    void* target = nullptr;  // resolved attribute storage
};

/// Decides what every field becomes in the scene and copies one point at a time into it.
class PointDecoder {
public:
    PointDecoder(const PcdHeader& header, Scene& scene, const std::string& file) : scene_(scene) {
        auto& notes = scene.source.notes;
        const bool normals =
            header.find("normal_x") >= 0 && header.find("normal_y") >= 0 && header.find("normal_z") >= 0;
        bool colour = false;
        for (const auto& f : header.fields) {
            if (f.name == "_") continue;  // PCL's padding
            if (f.count != 1) {
                notes.push_back("field '" + f.name + "' has COUNT " + std::to_string(f.count) + ": not read");
                continue;
            }
            const std::string& n = f.name;
            if (n == "x")
                uses_.push_back({Role::X, &f, ""});
            else if (n == "y")
                uses_.push_back({Role::Y, &f, ""});
            else if (n == "z")
                uses_.push_back({Role::Z, &f, ""});
            else if ((n == "rgb" || n == "rgba") && f.size == 4 && !colour) {
                uses_.push_back({Role::Colour, &f, attr::kColor});
                colour = true;
            } else if (normals && n == "normal_x")
                uses_.push_back({Role::NormalX, &f, attr::kNormal});
            else if (normals && n == "normal_y")
                uses_.push_back({Role::NormalY, &f, attr::kNormal});
            else if (normals && n == "normal_z")
                uses_.push_back({Role::NormalZ, &f, attr::kNormal});
            else if (n == "intensity")
                uses_.push_back({Role::Intensity, &f, attr::kIntensity});
            else if (n == "label")
                uses_.push_back({Role::Label, &f, attr::kLabel});
            else if (n == "instance")
                uses_.push_back({Role::Instance, &f, attr::kInstance});
            else if (n == "rgb" || n == "rgba" || n == "normal" || n == "superpoint")
                notes.push_back("field '" + n + "' (SIZE " + std::to_string(f.size) +
                                ") clashes with a standard attribute: not read");
            else
                uses_.push_back({Role::Scalar, &f, n});
        }
        for (const char* axis : {"x", "y", "z"})
            if (header.find(axis) < 0)
                throw IoError(file, "the header has no '" + std::string(axis) + "' field");
    }

    /// Sizes the scene and creates its attributes. Call once, before setLayout.
    void allocate(std::size_t points) {
        scene_.resize(points);
        for (const auto& u : uses_) {
            if (u.attribute.empty() || scene_.find(u.attribute)) continue;
            switch (u.role) {
                case Role::Colour:
                    scene_.add(u.attribute, ScalarType::UInt8, 3);
                    break;
                case Role::NormalX:
                case Role::NormalY:
                case Role::NormalZ:
                    scene_.add(u.attribute, ScalarType::Float32, 3);
                    break;
                case Role::Label:
                case Role::Instance:
                    scene_.add(u.attribute, ScalarType::Int32, 1);
                    break;
                default:
                    scene_.add(u.attribute, ScalarType::Float32, 1);
                    break;
            }
        }
        // Only now, with every attribute added, are the storage pointers stable.
        for (auto& u : uses_)
            if (!u.attribute.empty()) u.target = scene_.find(u.attribute)->rawData();
    }

    /// Binary records: field f of point i at i * recordSize + f.offset.
    void setArrayOfStructures(std::size_t recordSize) {
        for (auto& u : uses_) {
            u.base = u.field->offset;
            u.stride = recordSize;
        }
    }

    /// Compressed blocks: all values of field 0, then field 1, ...
    void setStructureOfArrays(const PcdHeader& header, std::size_t points) {
        for (auto& u : uses_) {
            std::size_t base = 0;
            for (const auto& f : header.fields) {
                if (&f == u.field) break;
                base += f.bytes() * points;
            }
            u.base = base;
            u.stride = u.field->bytes();
        }
    }

    /// Decodes point `in` of `bytes` into scene point `out`.
    void decode(std::size_t out, const std::uint8_t* bytes, std::size_t in) {
        Eigen::Vector3f& position = scene_.positions[out];
        for (const auto& u : uses_) {
            const std::uint8_t* p = bytes + u.base + in * u.stride;
            switch (u.role) {
                case Role::X:
                    position.x() = float(loadValue(p, *u.field));
                    break;
                case Role::Y:
                    position.y() = float(loadValue(p, *u.field));
                    break;
                case Role::Z:
                    position.z() = float(loadValue(p, *u.field));
                    break;
                case Role::Colour: {
                    // Packed 0x(AA)RRGGBB, whether declared as float or uint32: only the bits matter.
                    const std::uint32_t packed = loadLE<std::uint32_t>(p);
                    auto* rgb = static_cast<std::uint8_t*>(u.target) + 3 * out;
                    rgb[0] = std::uint8_t(packed >> 16);
                    rgb[1] = std::uint8_t(packed >> 8);
                    rgb[2] = std::uint8_t(packed);
                    break;
                }
                case Role::NormalX:
                case Role::NormalY:
                case Role::NormalZ:
                    static_cast<float*>(u.target)[3 * out + std::size_t(int(u.role) - int(Role::NormalX))] =
                        float(loadValue(p, *u.field));
                    break;
                case Role::Label:
                case Role::Instance:
                    static_cast<std::int32_t*>(u.target)[out] = toInt32(loadValue(p, *u.field));
                    break;
                case Role::Intensity:
                case Role::Scalar:
                    static_cast<float*>(u.target)[out] = float(loadValue(p, *u.field));
                    break;
            }
        }
    }

    std::uint64_t invalidIds() const { return invalidIds_; }

private:
    std::int32_t toInt32(double v) {
        if (std::isfinite(v) && v >= std::numeric_limits<std::int32_t>::min() &&
            v <= std::numeric_limits<std::int32_t>::max())
            return static_cast<std::int32_t>(std::llround(v));
        ++invalidIds_;
        return -1;
    }

    Scene& scene_;
    std::vector<FieldUse> uses_;
    std::uint64_t invalidIds_ = 0;
};

template <class T>
bool parseWhole(std::string_view token, T& value) {
    if (!token.empty() && token.front() == '+') token.remove_prefix(1);
    const char* end = token.data() + token.size();
    auto [p, ec] = std::from_chars(token.data(), end, value);
    return ec == std::errc() && p == end;
}

template <class T>
bool storeInteger(std::string_view token, std::uint8_t* slot) {
    // Whole integers first (exact for 64-bit values); "3.0" style tokens are accepted when integral.
    long long asSigned = 0;
    unsigned long long asUnsigned = 0;
    double asDouble = 0;
    T value;
    if (parseWhole(token, asSigned)) {
        if (asSigned < static_cast<long long>(std::numeric_limits<T>::min()) ||
            (asSigned > 0 && static_cast<unsigned long long>(asSigned) > std::numeric_limits<T>::max()))
            return false;
        value = static_cast<T>(asSigned);
    } else if (parseWhole(token, asUnsigned)) {
        if (asUnsigned > std::numeric_limits<T>::max()) return false;
        value = static_cast<T>(asUnsigned);
    } else if (parseWhole(token, asDouble) && std::isfinite(asDouble) && asDouble == std::floor(asDouble) &&
               asDouble >= double(std::numeric_limits<T>::min()) &&
               asDouble <= double(std::numeric_limits<T>::max())) {
        value = static_cast<T>(asDouble);
    } else {
        return false;
    }
    std::memcpy(slot, &value, sizeof(T));
    return true;
}

/// Writes an ascii token into a binary record slot of the field's type. False if it does not parse or fit.
bool storeAscii(std::string_view token, const PcdField& f, std::uint8_t* slot) {
    const bool packedColour = (f.name == "rgb" || f.name == "rgba") && f.size == 4;
    if (f.type == 'F') {
        // PCL writes an F-typed rgb in ascii as its uint32 bit pattern (many packed colours are NaN
        // as floats), older writers as a float: an integer token means the former.
        std::uint32_t bits = 0;
        if (packedColour && parseWhole(token, bits)) {
            std::memcpy(slot, &bits, 4);
            return true;
        }
        double v = 0;
        if (!parseWhole(token, v)) return false;
        if (f.size == 4) {
            const float fv = static_cast<float>(v);
            std::memcpy(slot, &fv, 4);
        } else {
            std::memcpy(slot, &v, 8);
        }
        return true;
    }
    if (f.type == 'I') {
        switch (f.size) {
            case 1:
                return storeInteger<std::int8_t>(token, slot);
            case 2:
                return storeInteger<std::int16_t>(token, slot);
            case 4:
                return storeInteger<std::int32_t>(token, slot);
            default:
                return storeInteger<std::int64_t>(token, slot);
        }
    }
    switch (f.size) {
        case 1:
            return storeInteger<std::uint8_t>(token, slot);
        case 2:
            return storeInteger<std::uint16_t>(token, slot);
        case 4:
            return storeInteger<std::uint32_t>(token, slot);
        default:
            return storeInteger<std::uint64_t>(token, slot);
    }
}

constexpr std::size_t kProgressStep = 1 << 16;

void readAscii(const MappedFile& file, const PcdHeader& h, PointDecoder& decoder, Scene& scene,
               const Progress& progress) {
    std::size_t values = 0;
    for (const auto& f : h.fields) values += static_cast<std::size_t>(f.count);
    // Every value needs at least one character and one separator.
    const std::uint64_t available = file.size() - h.dataOffset;
    const std::uint64_t most = (available + 1) / (2 * values);
    if (h.points > most)
        throw IoError(file.name(), IoError::atLine(h.dataLine),
                      "POINTS says " + std::to_string(h.points) + " points, but the " +
                          formatBytes(available) + " of ascii data can hold at most " + std::to_string(most));
    decoder.allocate(h.points);
    decoder.setArrayOfStructures(0);
    std::vector<std::uint8_t> record(h.recordSize);
    const std::string_view text = file.text();
    std::size_t pos = h.dataOffset;
    std::uint64_t line = h.dataLine - 1, point = 0;
    bool extra = false;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view body = text.substr(pos, eol - pos);
        pos = eol + 1;
        ++line;
        if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
        const auto tokens = text::splitWhitespace(body);
        if (tokens.empty() || tokens.front().front() == '#') continue;
        if (point == h.points) {
            extra = true;
            break;
        }
        if (tokens.size() != values)
            throw IoError(file.name(), IoError::atLine(line),
                          "has " + std::to_string(tokens.size()) + " values, but the fields need " +
                              std::to_string(values));
        std::size_t t = 0;
        for (const auto& f : h.fields)
            for (int c = 0; c < f.count; ++c, ++t)
                if (!storeAscii(tokens[t], f,
                                record.data() + f.offset + std::size_t(c) * std::size_t(f.size)))
                    throw IoError(file.name(), IoError::atLine(line),
                                  "value '" + std::string(tokens[t].substr(0, 40)) + "' of field '" + f.name +
                                      "' is not a valid " +
                                      (f.type == 'F'   ? "float"
                                       : f.type == 'I' ? "signed"
                                                       : "unsigned") +
                                      " of " + std::to_string(f.size) + " bytes");
        decoder.decode(point, record.data(), 0);
        if (++point % kProgressStep == 0) {
            progress.check();
            progress.report(double(point) / double(h.points));
        }
    }
    if (point < h.points)
        throw IoError(
            file.name(), IoError::atLine(line),
            "the data ends after " + std::to_string(point) + " of " + std::to_string(h.points) + " points");
    if (extra) scene.source.notes.push_back("lines after the last of the POINTS were ignored");
}

void decodeAll(PointDecoder& decoder, const std::uint8_t* bytes, std::size_t points,
               const Progress& progress) {
    for (std::size_t i = 0; i < points; ++i) {
        decoder.decode(i, bytes, i);
        if ((i + 1) % kProgressStep == 0) {
            progress.check();
            progress.report(double(i + 1) / double(points));
        }
    }
}

void readBinary(const MappedFile& file, const PcdHeader& h, PointDecoder& decoder, const Progress& progress) {
    const std::uint64_t available = file.size() - h.dataOffset;
    if (h.points > available / h.recordSize)
        throw IoError(file.name(), IoError::atByte(h.dataOffset),
                      "POINTS says " + std::to_string(h.points) + " points of " +
                          std::to_string(h.recordSize) + " bytes, but only " + formatBytes(available) +
                          " follow the header");
    decoder.allocate(h.points);
    decoder.setArrayOfStructures(h.recordSize);
    decodeAll(decoder, file.data() + h.dataOffset, h.points, progress);
}

void readCompressed(const MappedFile& file, const PcdHeader& h, PointDecoder& decoder,
                    const Progress& progress) {
    const std::uint64_t available = file.size() - h.dataOffset;
    if (available < 8)
        throw IoError(
            file.name(), IoError::atByte(h.dataOffset),
            "the file ends before the compressed and uncompressed sizes of the binary_compressed data");
    const std::uint8_t* sizes = file.data() + h.dataOffset;
    const std::uint64_t compressed = loadLE<std::uint32_t>(sizes);
    const std::uint64_t uncompressed = loadLE<std::uint32_t>(sizes + 4);
    if (compressed > available - 8)
        throw IoError(file.name(), IoError::atByte(h.dataOffset),
                      "the compressed data is said to be " + std::to_string(compressed) +
                          " bytes, but only " + std::to_string(available - 8) + " follow");
    const unsigned __int128 expected = static_cast<unsigned __int128>(h.points) * h.recordSize;
    if (expected != uncompressed)
        throw IoError(file.name(), IoError::atByte(h.dataOffset + 4),
                      "the uncompressed size is said to be " + std::to_string(uncompressed) +
                          " bytes, but POINTS " + std::to_string(h.points) + " × " +
                          std::to_string(h.recordSize) + " bytes per point needs " +
                          (expected > UINT64_MAX ? std::string("more than 2^64")
                                                 : std::to_string(std::uint64_t(expected))));
    if (uncompressed > lzfMaxDecodedSize(compressed))
        throw IoError(file.name(), IoError::atByte(h.dataOffset + 4),
                      "the uncompressed size " + std::to_string(uncompressed) + " cannot come from only " +
                          std::to_string(compressed) + " bytes of LZF data");
    std::vector<std::uint8_t> decoded(uncompressed);
    if (uncompressed > 0)
        lzfDecompress(sizes + 8, compressed, decoded.data(), decoded.size(), file.name(), h.dataOffset + 8);
    decoder.allocate(h.points);
    decoder.setStructureOfArrays(h, h.points);
    decodeAll(decoder, decoded.data(), h.points, progress);
}

bool identityViewpoint(const double* v) {
    const double identity[7] = {0, 0, 0, 1, 0, 0, 0};
    for (int i = 0; i < 7; ++i)
        if (v[i] != identity[i]) return false;
    return true;
}

}  // namespace

Scene readPcd(const std::filesystem::path& path, const ReadOptions&, const Progress& progress) {
    const MappedFile file(path);
    const PcdHeader header = parsePcdHeader(file.text(), file.name());
    Scene scene;
    scene.source.path = path.string();
    scene.source.format = pcdFormatName(header.data);
    PointDecoder decoder(header, scene, file.name());
    switch (header.data) {
        case PcdDataKind::Ascii:
            readAscii(file, header, decoder, scene, progress);
            break;
        case PcdDataKind::Binary:
            readBinary(file, header, decoder, progress);
            break;
        case PcdDataKind::BinaryCompressed:
            readCompressed(file, header, decoder, progress);
            break;
    }
    auto& notes = scene.source.notes;
    if (decoder.invalidIds() > 0)
        notes.push_back(withThousands(decoder.invalidIds()) +
                        " label/instance values were not whole numbers in "
                        "int32 range and became -1");
    if (!identityViewpoint(header.viewpoint))
        notes.push_back("the VIEWPOINT pose is recorded in the file but not applied");
    const std::uint64_t dropped = scene.dropNonFinite();
    if (dropped > 0) {
        if (header.height > 1)
            notes.push_back("organised " + std::to_string(header.width) + "x" +
                            std::to_string(header.height) + ": " + withThousands(dropped) +
                            " invalid points dropped");
        else
            notes.push_back(withThousands(dropped) + " points with NaN/Inf coordinates dropped");
    }
    return scene;
}

}  // namespace s4
