#pragma once
// Moving values out of a PLY body into typed destination arrays: the column copies of the binary
// fast path (one tight loop per property and block of records, instantiated per source type, target
// type and byte order) and the per-value conversions of the ascii and variable-record paths.

#include "core/io/PlyHeader.h"

#include <cstddef>
#include <cstdint>

namespace s4 {

/// Types a PLY property can land in: the scene's attribute types plus double for wide coordinates.
enum class PlySinkType : std::uint8_t { None, UInt8, Int32, Float32, Float64 };

/// Where the values of one property go: value of record i lands at base[i * stride] (typed).
struct PlySink {
    PlySinkType type = PlySinkType::None;
    unsigned char* base = nullptr;
    std::size_t stride = 1;
};

/// Copies `count` values of one property, the first at `source`, the next `recordSize` bytes further
/// each, into `destination` (typed as the sink), `stride` values apart. Integers targets are rounded
/// and clamped from floats (NaN becomes 0) and clamped from wider integers.
using PlyColumnCopy = void (*)(const std::uint8_t* source, std::size_t recordSize, std::size_t count,
                               unsigned char* destination, std::size_t stride);

/// The column copy for a source type, byte order and sink type (sink must not be None).
PlyColumnCopy plyColumnCopy(PlyType source, bool bigEndian, PlySinkType sink);

/// One binary value at p, converted to double (exact for every PLY type).
double decodePlyValue(const std::uint8_t* p, PlyType type, bool bigEndian);

/// Stores v as the sink's type at index i (same conversion rules as the column copies).
void storePlyValue(const PlySink& sink, std::size_t i, double v);

/// Bytes of one value of a sink type (0 for None).
std::size_t plySinkSize(PlySinkType type);

/// How many values stored into integer sinks (UInt8, Int32) on this thread since the last call were
/// changed on the way — not whole numbers or outside the sink's range (NaN, stored as 0, is not
/// counted) — and resets the count.
std::size_t takePlyInexactIntegerCount();

}  // namespace s4
