#include "core/scene/AttributeArray.h"

#include "core/common/Error.h"

#include <algorithm>

namespace s4 {

std::size_t scalarSize(ScalarType type) {
    switch (type) {
    case ScalarType::UInt8: return 1;
    case ScalarType::Int32: return 4;
    case ScalarType::UInt32: return 4;
    case ScalarType::Float32: return 4;
    case ScalarType::Float64: return 8;
    }
    return 0;
}

const char* scalarTypeName(ScalarType type) {
    switch (type) {
    case ScalarType::UInt8: return "uint8";
    case ScalarType::Int32: return "int32";
    case ScalarType::UInt32: return "uint32";
    case ScalarType::Float32: return "float32";
    case ScalarType::Float64: return "float64";
    }
    return "?";
}

AttributeArray::AttributeArray(std::string name, ScalarType type, int components, std::size_t count)
    : name_(std::move(name)), type_(type), components_(components), count_(count) {
    if (components < 1) throw InvalidArgument("attribute '" + name_ + "' needs at least one component");
    storage_.resize(count * static_cast<std::size_t>(components) * scalarSize(type));
}

void AttributeArray::checkType(ScalarType requested) const {
    if (requested != type_)
        throw InvalidArgument("attribute '" + name_ + "' holds " + scalarTypeName(type_) +
                              ", not " + scalarTypeName(requested));
}

double AttributeArray::valueAsDouble(std::size_t i, int c) const {
    const std::size_t k = i * static_cast<std::size_t>(components_) + static_cast<std::size_t>(c);
    const unsigned char* p = storage_.data();
    switch (type_) {
    case ScalarType::UInt8: return p[k];
    case ScalarType::Int32: return reinterpret_cast<const std::int32_t*>(p)[k];
    case ScalarType::UInt32: return reinterpret_cast<const std::uint32_t*>(p)[k];
    case ScalarType::Float32: return reinterpret_cast<const float*>(p)[k];
    case ScalarType::Float64: return reinterpret_cast<const double*>(p)[k];
    }
    return 0.0;
}

void AttributeArray::resize(std::size_t count) {
    count_ = count;
    storage_.resize(count * static_cast<std::size_t>(components_) * scalarSize(type_));
}

void AttributeArray::compact(const std::vector<bool>& keep) {
    const std::size_t stride = static_cast<std::size_t>(components_) * scalarSize(type_);
    std::size_t out = 0;
    for (std::size_t i = 0; i < count_ && i < keep.size(); ++i) {
        if (!keep[i]) continue;
        if (out != i) std::copy_n(storage_.data() + i * stride, stride, storage_.data() + out * stride);
        ++out;
    }
    resize(out);
}

} // namespace s4
