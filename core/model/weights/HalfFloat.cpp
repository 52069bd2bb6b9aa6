#include "core/model/weights/HalfFloat.h"

#include <bit>
#include <cmath>
#include <limits>

namespace s4 {

float halfToFloat(std::uint16_t h) {
    const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1Fu;
    const std::uint32_t mantissa = h & 0x3FFu;
    if (exponent == 0) {
        // Zero or subnormal: mantissa × 2^-24, exact in float32.
        const float magnitude = std::ldexp(float(mantissa), -24);
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 0x1F)  // infinity (mantissa 0) or NaN, payload kept in the top mantissa bits
        return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
    // Normal: rebias the exponent from 15 to 127.
    return std::bit_cast<float>(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

float bfloat16ToFloat(std::uint16_t bits) {
    return std::bit_cast<float>(std::uint32_t(bits) << 16);
}

float float8E4M3ToFloat(std::uint8_t bits) {
    const bool negative = bits & 0x80u;
    const int exponent = (bits >> 3) & 0xF;
    const int mantissa = bits & 0x7;
    float magnitude;
    if (exponent == 0xF && mantissa == 0x7)
        magnitude = std::numeric_limits<float>::quiet_NaN();
    else if (exponent == 0)
        magnitude = std::ldexp(float(mantissa), 1 - 7 - 3);  // subnormal
    else
        magnitude = std::ldexp(float(8 + mantissa), exponent - 7 - 3);
    return negative ? -magnitude : magnitude;
}

float float8E5M2ToFloat(std::uint8_t bits) {
    return halfToFloat(std::uint16_t(std::uint16_t(bits) << 8));
}

}  // namespace s4
