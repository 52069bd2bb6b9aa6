#pragma once
// One named per-point attribute: N × components values of a single scalar type
// (rgb = uint8 × 3, normal = float × 3, label = int32 × 1, any scalar field = float × 1, ...).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace s4 {

enum class ScalarType : std::uint8_t { UInt8, Int32, UInt32, Float32, Float64 };

/// Size in bytes of one value of the type.
std::size_t scalarSize(ScalarType type);
/// "uint8", "int32", "uint32", "float32", "float64".
const char* scalarTypeName(ScalarType type);

template <class T> constexpr ScalarType scalarTypeOf();
template <> constexpr ScalarType scalarTypeOf<std::uint8_t>() { return ScalarType::UInt8; }
template <> constexpr ScalarType scalarTypeOf<std::int32_t>() { return ScalarType::Int32; }
template <> constexpr ScalarType scalarTypeOf<std::uint32_t>() { return ScalarType::UInt32; }
template <> constexpr ScalarType scalarTypeOf<float>() { return ScalarType::Float32; }
template <> constexpr ScalarType scalarTypeOf<double>() { return ScalarType::Float64; }

class AttributeArray {
public:
    AttributeArray(std::string name, ScalarType type, int components, std::size_t count);

    const std::string& name() const { return name_; }
    ScalarType type() const { return type_; }
    int components() const { return components_; }
    /// Number of points (not values).
    std::size_t size() const { return count_; }
    std::size_t byteSize() const { return storage_.size(); }

    /// Typed access; throws s4::InvalidArgument if T is not the stored type.
    template <class T> T* data() {
        checkType(scalarTypeOf<T>());
        return reinterpret_cast<T*>(storage_.data());
    }
    template <class T> const T* data() const {
        checkType(scalarTypeOf<T>());
        return reinterpret_cast<const T*>(storage_.data());
    }
    void* rawData() { return storage_.data(); }
    const void* rawData() const { return storage_.data(); }

    /// Value of component c of point i, converted to double (for summaries and colouring).
    double valueAsDouble(std::size_t i, int c = 0) const;
    /// Changes the number of points, keeping existing values (new ones are zero).
    void resize(std::size_t count);
    /// Keeps only the points whose keep[i] is true, in order.
    void compact(const std::vector<bool>& keep);

private:
    void checkType(ScalarType requested) const;

    std::string name_;
    ScalarType type_;
    int components_;
    std::size_t count_;
    // std::vector<std::uint64_t> would also align doubles; bytes keep byteSize() exact.
    std::vector<unsigned char> storage_;
};

/// Names the readers, writers and GUI agree on for the well-known attributes.
namespace attr {
inline constexpr const char* kColor = "rgb";             ///< uint8 × 3
inline constexpr const char* kNormal = "normal";         ///< float32 × 3
inline constexpr const char* kIntensity = "intensity";   ///< float32 × 1
inline constexpr const char* kLabel = "label";           ///< int32 × 1, semantic class id of the dataset
inline constexpr const char* kInstance = "instance";     ///< int32 × 1
inline constexpr const char* kSuperpoint = "superpoint"; ///< int32 × 1
/// The dataset's "label" kept aside when a tool (prompt segmentation) writes its own labels to "label".
inline constexpr const char* kDatasetLabel = "dataset_label";
} // namespace attr

} // namespace s4
