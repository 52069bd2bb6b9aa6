#pragma once
// Exact conversions of 16- and 8-bit floating-point formats to float32, written out bit by bit
// so that subnormals, infinities and NaN payloads survive (used by the safetensors reader).

#include <cstdint>

namespace s4 {

/// IEEE 754 binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits.
float halfToFloat(std::uint16_t bits);
/// bfloat16: the top 16 bits of a float32.
float bfloat16ToFloat(std::uint16_t bits);
/// OCP FP8 E4M3 ("fn": no infinities, S.1111.111 is NaN), bias 7.
float float8E4M3ToFloat(std::uint8_t bits);
/// OCP FP8 E5M2: the top 8 bits of a binary16.
float float8E5M2ToFloat(std::uint8_t bits);

}  // namespace s4
