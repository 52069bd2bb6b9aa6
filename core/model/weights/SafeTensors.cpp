#include "core/model/weights/SafeTensors.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/common/JsonInput.h"
#include "core/io/ByteOrder.h"
#include "core/io/MappedFile.h"
#include "core/model/weights/HalfFloat.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

namespace s4 {

namespace {

using Json = nlohmann::json;

struct DTypeEntry {
    SafeTensorDType dtype;
    std::string_view name;
    std::size_t size;
};

constexpr DTypeEntry kDTypes[] = {
    {SafeTensorDType::F64, "F64", 8},         {SafeTensorDType::F32, "F32", 4},
    {SafeTensorDType::F16, "F16", 2},         {SafeTensorDType::BF16, "BF16", 2},
    {SafeTensorDType::F8_E4M3, "F8_E4M3", 1}, {SafeTensorDType::F8_E5M2, "F8_E5M2", 1},
    {SafeTensorDType::I64, "I64", 8},         {SafeTensorDType::I32, "I32", 4},
    {SafeTensorDType::I16, "I16", 2},         {SafeTensorDType::I8, "I8", 1},
    {SafeTensorDType::U64, "U64", 8},         {SafeTensorDType::U32, "U32", 4},
    {SafeTensorDType::U16, "U16", 2},         {SafeTensorDType::U8, "U8", 1},
    {SafeTensorDType::BOOL, "BOOL", 1}};

const DTypeEntry& entry(SafeTensorDType dtype) {
    for (const DTypeEntry& e : kDTypes)
        if (e.dtype == dtype) return e;
    throw InvalidArgument("unknown safetensors dtype");
}

// A valid header nests three levels: the top object, one object per tensor, its shape and offsets
// arrays. Anything deeper, or longer arrays than any tensor shape, can only be an attack on memory.
constexpr JsonLimits kHeaderLimits{3, 64};

std::uint64_t nonNegativeInteger(const Json& v, const std::string& what, const std::string& file,
                                 const std::string& where) {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer()) throw IoError(file, where, what + " is negative (" + v.dump() + ")");
    throw IoError(file, where, what + " must be a non-negative integer, found " + v.dump());
}

SafeTensorInfo parseTensor(const std::string& name, const Json& value, std::uint64_t dataSize,
                           const std::string& file) {
    const std::string where = "header, tensor \"" + name + "\"";
    if (!value.is_object())
        throw IoError(
            file, where,
            "must be an object with dtype, shape and data_offsets, found " + std::string(value.type_name()));
    for (const char* key : {"dtype", "shape", "data_offsets"})
        if (!value.contains(key)) throw IoError(file, where, std::string("lacks \"") + key + "\"");
    const Json& dtype = value["dtype"];
    if (!dtype.is_string()) throw IoError(file, where, "dtype must be a string, found " + dtype.dump());
    const auto parsed = parseSafeTensorDType(dtype.get<std::string>());
    if (!parsed)
        throw IoError(file, where,
                      "unknown dtype \"" + dtype.get<std::string>() +
                          "\" (known: F64 F32 F16 BF16 F8_E4M3 F8_E5M2 I64 I32 I16 I8 U64 U32 U16 U8 BOOL)");
    SafeTensorInfo info;
    info.dtype = *parsed;

    const Json& shape = value["shape"];
    if (!shape.is_array()) throw IoError(file, where, "shape must be an array, found " + shape.dump());
    std::uint64_t count = 1;
    for (const Json& dim : shape) {
        const std::uint64_t d = nonNegativeInteger(dim, "a shape dimension", file, where);
        if (d > std::uint64_t(std::numeric_limits<std::int64_t>::max()) ||
            __builtin_mul_overflow(count, d, &count))
            throw IoError(file, where, "shape " + shape.dump() + " has more elements than 2^64");
        info.shape.push_back(std::int64_t(d));
    }
    info.elementCount = count;
    std::uint64_t byteCount = 0;
    if (__builtin_mul_overflow(count, std::uint64_t(safeTensorDTypeSize(info.dtype)), &byteCount))
        throw IoError(file, where, "shape " + shape.dump() + " needs more than 2^64 bytes");

    const Json& offsets = value["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2)
        throw IoError(file, where, "data_offsets must be [begin, end], found " + offsets.dump());
    info.dataBegin = nonNegativeInteger(offsets[0], "data_offsets begin", file, where);
    info.dataEnd = nonNegativeInteger(offsets[1], "data_offsets end", file, where);
    if (info.dataBegin > info.dataEnd)
        throw IoError(file, where, "data_offsets " + offsets.dump() + " end before they begin");
    if (info.dataEnd > dataSize)
        throw IoError(file, where,
                      "data_offsets " + offsets.dump() + " reach past the data section of " +
                          std::to_string(dataSize) + " bytes (file truncated?)");
    if (info.dataEnd - info.dataBegin != byteCount)
        throw IoError(file, where,
                      "data_offsets " + offsets.dump() + " hold " +
                          std::to_string(info.dataEnd - info.dataBegin) + " bytes but shape " + shape.dump() +
                          " of " + std::string(dtype.get<std::string>()) + " needs " +
                          std::to_string(byteCount));
    return info;
}

template <class T>
void convertEach(const std::uint8_t* p, std::uint64_t n, float* out, float (*f)(T)) {
    for (std::uint64_t i = 0; i < n; ++i) out[i] = f(loadLE<T>(p + i * sizeof(T)));
}

template <class T>
float byValue(T v) {
    return static_cast<float>(v);
}

}  // namespace

std::string_view safeTensorDTypeName(SafeTensorDType dtype) {
    return entry(dtype).name;
}

std::optional<SafeTensorDType> parseSafeTensorDType(std::string_view name) {
    for (const DTypeEntry& e : kDTypes)
        if (e.name == name) return e.dtype;
    return std::nullopt;
}

std::size_t safeTensorDTypeSize(SafeTensorDType dtype) {
    return entry(dtype).size;
}

SafeTensorsFile::SafeTensorsFile(const std::filesystem::path& path)
    : file_(std::make_unique<MappedFile>(path)) {
    const std::string& name = file_->name();
    const std::uint64_t fileSize = file_->size();
    if (fileSize < 8)
        throw IoError(
            name, IoError::atByte(0),
            "file is " + std::to_string(fileSize) + " bytes, too short for the 8-byte header length");
    const auto headerSize = loadLE<std::uint64_t>(file_->data());
    if (headerSize > fileSize - 8)
        throw IoError(name, IoError::atByte(0),
                      "header length says " + std::to_string(headerSize) + " bytes but only " +
                          std::to_string(fileSize - 8) + " follow (not a safetensors file, or truncated)");
    if (headerSize > kMaxHeaderBytes)
        throw IoError(name, IoError::atByte(0),
                      "header length says " + formatBytes(headerSize) +
                          "; safetensors headers are limited to " + formatBytes(kMaxHeaderBytes));
    dataStart_ = std::size_t(8 + headerSize);
    const std::uint64_t dataSize = fileSize - dataStart_;
    const std::string_view headerText(reinterpret_cast<const char*>(file_->data()) + 8,
                                      std::size_t(headerSize));

    const Json header = parseGuardedJson(headerText, {name, "header", 8}, kHeaderLimits);
    if (!header.is_object())
        throw IoError(name, "header", std::string("must be a JSON object, found ") + header.type_name());

    struct Span {
        std::uint64_t begin, end;
        const std::string* name;
    };
    std::vector<Span> spans;
    for (const auto& [key, value] : header.items()) {
        if (key == "__metadata__") {
            if (!value.is_object())
                throw IoError(name, "header",
                              "__metadata__ must be an object of strings, found " + value.dump());
            for (const auto& [mk, mv] : value.items()) {
                if (!mv.is_string())
                    throw IoError(
                        name, "header",
                        "__metadata__ value of \"" + mk + "\" must be a string, found " + mv.dump());
                metadata_[mk] = mv.get<std::string>();
            }
            continue;
        }
        auto [it, inserted] = tensors_.emplace(key, parseTensor(key, value, dataSize, name));
        spans.push_back({it->second.dataBegin, it->second.dataEnd, &it->first});
    }
    // Tensors may leave gaps (the reference writer never does) but must not share bytes.
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    const Span* previous = nullptr;
    for (const Span& s : spans) {
        if (s.begin == s.end) continue;  // empty tensors occupy nothing
        if (previous && s.begin < previous->end)
            throw IoError(name, "header",
                          "tensors \"" + *previous->name + "\" [" + std::to_string(previous->begin) + ", " +
                              std::to_string(previous->end) + ") and \"" + *s.name + "\" [" +
                              std::to_string(s.begin) + ", " + std::to_string(s.end) + ") overlap");
        previous = &s;
    }
    names_.reserve(spans.size());
    for (const Span& s : spans) names_.push_back(*s.name);
}

SafeTensorsFile::SafeTensorsFile(SafeTensorsFile&&) noexcept = default;
SafeTensorsFile& SafeTensorsFile::operator=(SafeTensorsFile&&) noexcept = default;
SafeTensorsFile::~SafeTensorsFile() = default;

const std::string& SafeTensorsFile::fileName() const {
    return file_->name();
}

const SafeTensorInfo& SafeTensorsFile::info(const std::string& name) const {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) throw InvalidArgument(fileName() + " has no tensor \"" + name + "\"");
    return it->second;
}

std::span<const std::uint8_t> SafeTensorsFile::bytes(const std::string& name) const {
    const SafeTensorInfo& i = info(name);
    return {file_->data() + dataStart_ + i.dataBegin, std::size_t(i.dataEnd - i.dataBegin)};
}

std::vector<float> SafeTensorsFile::toFloat32(const std::string& name) const {
    const SafeTensorInfo& i = info(name);
    const std::uint8_t* p = bytes(name).data();
    const std::uint64_t n = i.elementCount;  // validated: n × size lies inside the mapped file
    std::vector<float> out(static_cast<std::size_t>(n));
    float* o = out.data();
    switch (i.dtype) {
        case SafeTensorDType::F64:
            convertEach<double>(p, n, o, byValue<double>);
            break;
        case SafeTensorDType::F32:
            convertEach<float>(p, n, o, byValue<float>);
            break;
        case SafeTensorDType::F16:
            convertEach<std::uint16_t>(p, n, o, halfToFloat);
            break;
        case SafeTensorDType::BF16:
            convertEach<std::uint16_t>(p, n, o, bfloat16ToFloat);
            break;
        case SafeTensorDType::F8_E4M3:
            convertEach<std::uint8_t>(p, n, o, float8E4M3ToFloat);
            break;
        case SafeTensorDType::F8_E5M2:
            convertEach<std::uint8_t>(p, n, o, float8E5M2ToFloat);
            break;
        case SafeTensorDType::I64:
            convertEach<std::int64_t>(p, n, o, byValue<std::int64_t>);
            break;
        case SafeTensorDType::I32:
            convertEach<std::int32_t>(p, n, o, byValue<std::int32_t>);
            break;
        case SafeTensorDType::I16:
            convertEach<std::int16_t>(p, n, o, byValue<std::int16_t>);
            break;
        case SafeTensorDType::I8:
            convertEach<std::int8_t>(p, n, o, byValue<std::int8_t>);
            break;
        case SafeTensorDType::U64:
            convertEach<std::uint64_t>(p, n, o, byValue<std::uint64_t>);
            break;
        case SafeTensorDType::U32:
            convertEach<std::uint32_t>(p, n, o, byValue<std::uint32_t>);
            break;
        case SafeTensorDType::U16:
            convertEach<std::uint16_t>(p, n, o, byValue<std::uint16_t>);
            break;
        case SafeTensorDType::U8:
            convertEach<std::uint8_t>(p, n, o, byValue<std::uint8_t>);
            break;
        case SafeTensorDType::BOOL:
            for (std::uint64_t k = 0; k < n; ++k) o[k] = p[k] != 0 ? 1.0f : 0.0f;
            break;
    }
    return out;
}

SafeTensorData SafeTensorData::fromFloat32(std::string name, std::vector<std::int64_t> shape,
                                           std::span<const float> values) {
    SafeTensorData t;
    t.name = std::move(name);
    t.dtype = SafeTensorDType::F32;
    t.shape = std::move(shape);
    t.bytes.resize(values.size() * sizeof(float));
    for (std::size_t i = 0; i < values.size(); ++i) {
        float v = values[i];
        if constexpr (std::endian::native == std::endian::big) v = byteSwapped(v);
        std::memcpy(t.bytes.data() + i * sizeof(float), &v, sizeof(float));
    }
    return t;
}

void writeSafeTensors(const std::filesystem::path& path, const std::vector<SafeTensorData>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    Json header = Json::object();
    std::uint64_t offset = 0;
    for (const SafeTensorData& t : tensors) {
        if (t.name == "__metadata__")
            throw InvalidArgument("\"__metadata__\" is reserved and cannot name a tensor in " +
                                  path.string());
        if (header.contains(t.name))
            throw InvalidArgument("tensor \"" + t.name + "\" appears twice in what is written to " +
                                  path.string());
        std::uint64_t count = 1;
        bool overflow = false;
        for (std::int64_t d : t.shape) {
            if (d < 0) throw InvalidArgument("tensor \"" + t.name + "\" has a negative dimension");
            overflow |= __builtin_mul_overflow(count, std::uint64_t(d), &count);
        }
        std::uint64_t byteCount = 0;
        overflow |= __builtin_mul_overflow(count, std::uint64_t(safeTensorDTypeSize(t.dtype)), &byteCount);
        if (overflow || byteCount != t.bytes.size())
            throw InvalidArgument("tensor \"" + t.name + "\" has " + std::to_string(t.bytes.size()) +
                                  " bytes, which does not match its shape and dtype");
        header[t.name] = {{"dtype", std::string(safeTensorDTypeName(t.dtype))},
                          {"shape", t.shape},
                          {"data_offsets", {offset, offset + t.bytes.size()}}};
        offset += t.bytes.size();
    }
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // data starts 8-byte aligned

    unsigned char length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(std::uint64_t(text.size()) >> (8 * i));
    AtomicFileWriter out(path);
    out.write(length, sizeof length);
    out.write(text);
    for (const SafeTensorData& t : tensors) out.write(t.bytes.data(), t.bytes.size());
    out.commit();
}

}  // namespace s4
