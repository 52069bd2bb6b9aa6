#pragma once
// Builds hand-made binary files for reader tests, value by value, in either byte order.

#include <cstddef>
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

} // namespace s4::test
