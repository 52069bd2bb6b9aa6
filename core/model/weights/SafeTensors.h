#pragma once
// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}, then the
// raw little-endian tensor bytes. Read through a memory mapping with every declared size checked
// against the file first; written atomically. Torch-free: model code turns the float32 vectors
// into tensors.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace s4 {

class MappedFile;

enum class SafeTensorDType {
    F64,
    F32,
    F16,
    BF16,
    F8_E4M3,
    F8_E5M2,
    I64,
    I32,
    I16,
    I8,
    U64,
    U32,
    U16,
    U8,
    BOOL
};

/// The format's name of a dtype ("F32", "BF16", ...).
std::string_view safeTensorDTypeName(SafeTensorDType dtype);
/// The dtype of a name, if it is one of the format's.
std::optional<SafeTensorDType> parseSafeTensorDType(std::string_view name);
/// Bytes per element.
std::size_t safeTensorDTypeSize(SafeTensorDType dtype);

struct SafeTensorInfo {
    SafeTensorDType dtype = SafeTensorDType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t elementCount = 0;
    std::uint64_t dataBegin = 0;  ///< byte offsets into the data section (after the header)
    std::uint64_t dataEnd = 0;
};

/// A validated, memory-mapped safetensors file. The constructor throws IoError (naming the file
/// and saying what is wrong) for: a header length beyond the file or 100 MB, a header that is not
/// JSON or nests deeper than the format does, duplicate keys, unknown dtypes, negative or
/// overflowing dimensions, offsets outside the data section, byte sizes that disagree with
/// shape × dtype, and overlapping tensors.
class SafeTensorsFile {
public:
    static constexpr std::uint64_t kMaxHeaderBytes = 100ull << 20;

    explicit SafeTensorsFile(const std::filesystem::path& path);
    SafeTensorsFile(SafeTensorsFile&&) noexcept;
    SafeTensorsFile& operator=(SafeTensorsFile&&) noexcept;
    ~SafeTensorsFile();

    /// Tensor names in the order of their data in the file.
    const std::vector<std::string>& names() const { return names_; }
    bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
    /// Throws InvalidArgument if the file has no such tensor.
    const SafeTensorInfo& info(const std::string& name) const;
    /// The raw little-endian bytes of a tensor (valid while this object lives).
    std::span<const std::uint8_t> bytes(const std::string& name) const;
    /// The tensor converted to float32 (row-major). Integers and BOOL convert by value; F64 rounds.
    std::vector<float> toFloat32(const std::string& name) const;
    /// The "__metadata__" strings (empty if absent).
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    const std::string& fileName() const;

private:
    std::unique_ptr<MappedFile> file_;
    std::size_t dataStart_ = 0;
    std::vector<std::string> names_;
    std::unordered_map<std::string, SafeTensorInfo> tensors_;
    std::map<std::string, std::string> metadata_;
};

/// One tensor to write: raw little-endian bytes of shape × dtype.
struct SafeTensorData {
    std::string name;
    SafeTensorDType dtype = SafeTensorDType::F32;
    std::vector<std::int64_t> shape;
    std::vector<std::uint8_t> bytes;

    static SafeTensorData fromFloat32(std::string name, std::vector<std::int64_t> shape,
                                      std::span<const float> values);
};

/// Writes a safetensors file atomically (AtomicFileWriter), tensors in the given order, header
/// padded with spaces to a multiple of 8 bytes as the reference implementation does. Throws
/// InvalidArgument for a duplicate or reserved name ("__metadata__"), a negative dimension or
/// bytes that do not match shape × dtype; IoError if the file cannot be written.
void writeSafeTensors(const std::filesystem::path& path, const std::vector<SafeTensorData>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace s4
