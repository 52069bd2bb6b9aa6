#pragma once
// Builds hand-made binary files for reader tests, value by value, in either byte order.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>

namespace s4::test {

struct Bytes {
    std::string s;

    Bytes& str(const std::string& t) {
        s += t;
        return *this;
    }
    /// Appends v in little-endian byte order (this machine's order).
    template <class T> Bytes& le(T v) {
        char b[sizeof(T)];
        std::memcpy(b, &v, sizeof(T));
        s.append(b, sizeof(T));
        return *this;
    }
    /// Appends v in big-endian byte order.
    template <class T> Bytes& be(T v) {
        char b[sizeof(T)];
        std::memcpy(b, &v, sizeof(T));
        for (std::size_t i = sizeof(T); i-- > 0;) s.push_back(b[i]);
        return *this;
    }
    /// Appends raw byte values.
    Bytes& raw(std::initializer_list<unsigned> bytes) {
        for (unsigned b : bytes) s.push_back(static_cast<char>(b));
        return *this;
    }
    Bytes& zeros(std::size_t n) {
        s.append(n, '\0');
        return *this;
    }
};

/// A .npy file (version 1 or 2) with the header dict `dict`, padded as NumPy does, and `payload` zero bytes.
inline std::string npyFile(const std::string& dict, std::size_t payload, int version = 1) {
    std::string header = dict;
    const std::size_t prefix = version == 1 ? 10 : 12;
    while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    Bytes b;
    b.str("\x93NUMPY").le<std::uint8_t>(std::uint8_t(version)).le<std::uint8_t>(0);
    if (version == 1) b.le<std::uint16_t>(std::uint16_t(header.size()));
    else b.le<std::uint32_t>(std::uint32_t(header.size()));
    b.str(header).zeros(payload);
    return b.s;
}

/// A LAS 1.2 public header block (227 bytes) with the given point format, record length and count,
/// followed by `payload` zero bytes.
inline std::string lasFile(std::uint8_t pointFormat, std::uint16_t recordLength, std::uint32_t count,
                           std::size_t payload) {
    Bytes b;
    b.str("LASF").le<std::uint16_t>(0).le<std::uint16_t>(0).zeros(16);  // source id, encoding, GUID
    b.le<std::uint8_t>(1).le<std::uint8_t>(2);                           // version 1.2
    b.zeros(32).zeros(32);                                               // system id, software
    b.le<std::uint16_t>(1).le<std::uint16_t>(2026);                      // creation day, year
    b.le<std::uint16_t>(227).le<std::uint32_t>(227).le<std::uint32_t>(0);  // header size, offset, VLRs
    b.le<std::uint8_t>(pointFormat).le<std::uint16_t>(recordLength).le<std::uint32_t>(count);
    for (int i = 0; i < 5; ++i) b.le<std::uint32_t>(0);                  // points by return
    for (int i = 0; i < 3; ++i) b.le<double>(0.01);                      // scale
    for (int i = 0; i < 3; ++i) b.le<double>(0.0);                       // offset
    for (int i = 0; i < 6; ++i) b.le<double>(0.0);                       // max/min x y z
    b.zeros(payload);
    return b.s;
}

} // namespace s4::test
