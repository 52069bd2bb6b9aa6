#include "core/io/PlyBody.h"

#include "core/io/ByteOrder.h"

#include <cmath>
#include <limits>
#include <type_traits>

namespace s4 {
namespace {

// Integer values that did not convert exactly on this thread since the last take (see PlyBody.h).
thread_local std::size_t inexactIntegers = 0;

// Converts one value to the destination type. An integer destination never gets undefined behaviour:
// values from floats are rounded to nearest and clamped, integers are clamped; every such change of
// value is counted, so that the reader can refuse it rather than alter labels silently. NaN, the usual
// "no value" of float scalar fields (CloudCompare writes unassigned labels so), becomes 0 — the
// default "unannotated" label — and is not counted.
template <class D, class S>
inline D convert(S v) {
    if constexpr (std::is_same_v<D, S>) {
        return v;
    } else if constexpr (std::is_floating_point_v<D>) {
        return static_cast<D>(v);
    } else if constexpr (std::is_floating_point_v<S>) {
        if (!(v == v)) return D(0);
        if (v < static_cast<S>(std::numeric_limits<D>::lowest())) {
            ++inexactIntegers;
            return std::numeric_limits<D>::lowest();
        }
        if (v > static_cast<S>(std::numeric_limits<D>::max())) {
            ++inexactIntegers;
            return std::numeric_limits<D>::max();
        }
        const S rounded = std::nearbyint(v);
        inexactIntegers += rounded != v;
        return static_cast<D>(rounded);
    } else {
        const std::int64_t w = static_cast<std::int64_t>(v);
        if (w < static_cast<std::int64_t>(std::numeric_limits<D>::lowest())) {
            ++inexactIntegers;
            return std::numeric_limits<D>::lowest();
        }
        if (w > static_cast<std::int64_t>(std::numeric_limits<D>::max())) {
            ++inexactIntegers;
            return std::numeric_limits<D>::max();
        }
        return static_cast<D>(w);
    }
}

template <class S, class D, bool BigEndian>
void copyColumn(const std::uint8_t* source, std::size_t recordSize, std::size_t count,
                unsigned char* destination, std::size_t stride) {
    D* out = reinterpret_cast<D*>(destination);
    for (std::size_t i = 0; i < count; ++i, source += recordSize) {
        const S v = BigEndian ? loadBE<S>(source) : loadLE<S>(source);
        out[i * stride] = convert<D>(v);
    }
}

template <class D, bool BigEndian>
PlyColumnCopy pickForSink(PlyType source) {
    switch (source) {
        case PlyType::Int8:
            return &copyColumn<std::int8_t, D, BigEndian>;
        case PlyType::UInt8:
            return &copyColumn<std::uint8_t, D, BigEndian>;
        case PlyType::Int16:
            return &copyColumn<std::int16_t, D, BigEndian>;
        case PlyType::UInt16:
            return &copyColumn<std::uint16_t, D, BigEndian>;
        case PlyType::Int32:
            return &copyColumn<std::int32_t, D, BigEndian>;
        case PlyType::UInt32:
            return &copyColumn<std::uint32_t, D, BigEndian>;
        case PlyType::Float32:
            return &copyColumn<float, D, BigEndian>;
        case PlyType::Float64:
            return &copyColumn<double, D, BigEndian>;
    }
    return nullptr;
}

template <bool BigEndian>
PlyColumnCopy pick(PlyType source, PlySinkType sink) {
    switch (sink) {
        case PlySinkType::None:
            return nullptr;
        case PlySinkType::UInt8:
            return pickForSink<std::uint8_t, BigEndian>(source);
        case PlySinkType::Int32:
            return pickForSink<std::int32_t, BigEndian>(source);
        case PlySinkType::Float32:
            return pickForSink<float, BigEndian>(source);
        case PlySinkType::Float64:
            return pickForSink<double, BigEndian>(source);
    }
    return nullptr;
}

template <class S>
double load(const std::uint8_t* p, bool bigEndian) {
    return static_cast<double>(bigEndian ? loadBE<S>(p) : loadLE<S>(p));
}

}  // namespace

std::size_t takePlyInexactIntegerCount() {
    const std::size_t count = inexactIntegers;
    inexactIntegers = 0;
    return count;
}

PlyColumnCopy plyColumnCopy(PlyType source, bool bigEndian, PlySinkType sink) {
    return bigEndian ? pick<true>(source, sink) : pick<false>(source, sink);
}

double decodePlyValue(const std::uint8_t* p, PlyType type, bool bigEndian) {
    switch (type) {
        case PlyType::Int8:
            return load<std::int8_t>(p, bigEndian);
        case PlyType::UInt8:
            return load<std::uint8_t>(p, bigEndian);
        case PlyType::Int16:
            return load<std::int16_t>(p, bigEndian);
        case PlyType::UInt16:
            return load<std::uint16_t>(p, bigEndian);
        case PlyType::Int32:
            return load<std::int32_t>(p, bigEndian);
        case PlyType::UInt32:
            return load<std::uint32_t>(p, bigEndian);
        case PlyType::Float32:
            return load<float>(p, bigEndian);
        case PlyType::Float64:
            return load<double>(p, bigEndian);
    }
    return 0.0;
}

void storePlyValue(const PlySink& sink, std::size_t i, double v) {
    switch (sink.type) {
        case PlySinkType::None:
            return;
        case PlySinkType::UInt8:
            reinterpret_cast<std::uint8_t*>(sink.base)[i * sink.stride] = convert<std::uint8_t>(v);
            return;
        case PlySinkType::Int32:
            reinterpret_cast<std::int32_t*>(sink.base)[i * sink.stride] = convert<std::int32_t>(v);
            return;
        case PlySinkType::Float32:
            reinterpret_cast<float*>(sink.base)[i * sink.stride] = static_cast<float>(v);
            return;
        case PlySinkType::Float64:
            reinterpret_cast<double*>(sink.base)[i * sink.stride] = v;
            return;
    }
}

std::size_t plySinkSize(PlySinkType type) {
    switch (type) {
        case PlySinkType::None:
            return 0;
        case PlySinkType::UInt8:
            return 1;
        case PlySinkType::Int32:
            return 4;
        case PlySinkType::Float32:
            return 4;
        case PlySinkType::Float64:
            return 8;
    }
    return 0;
}

}  // namespace s4
