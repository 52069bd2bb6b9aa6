#pragma once
// Unaligned little/big-endian loads from raw file bytes. Binary formats (PCD, LAS, NPY, KITTI) are
// read straight from a memory mapping, where values are neither aligned nor in host order.

#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace s4 {

/// Reverses the bytes of a trivially copyable value (integers and floats alike).
template <class T>
T byteSwapped(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    for (std::size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(bytes[i], bytes[sizeof(T) - 1 - i]);
    std::memcpy(&value, bytes, sizeof(T));
    return value;
}

/// A T stored little-endian at p (any alignment).
template <class T>
T loadLE(const void* p) {
    T value;
    std::memcpy(&value, p, sizeof(T));
    if constexpr (std::endian::native == std::endian::big) value = byteSwapped(value);
    return value;
}

/// A T stored big-endian at p (any alignment).
template <class T>
T loadBE(const void* p) {
    T value;
    std::memcpy(&value, p, sizeof(T));
    if constexpr (std::endian::native == std::endian::little) value = byteSwapped(value);
    return value;
}

}  // namespace s4
