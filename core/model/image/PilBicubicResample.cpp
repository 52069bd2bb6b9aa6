#include "core/model/image/PilBicubicResample.h"

#include "core/common/Error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace s4 {

namespace {

// 8 bits of result, 2 bits of head room for kernels whose partial sums leave [0, 1] (Resample.c).
constexpr int kPrecisionBits = 32 - 8 - 2;

// Resample.c's bicubic_filter: Keys' cubic convolution kernel with a = -0.5, support 2.
double bicubic(double x) {
    constexpr double a = -0.5;
    if (x < 0.0) x = -x;
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
    return 0.0;
}
constexpr double kSupport = 2.0;

// Input range and fixed-point coefficients of output positions [first, first + count) along one axis.
struct AxisCoefficients {
    int ksize = 0;
    std::vector<int> start;       // first input index per output
    std::vector<int> length;      // number of inputs per output
    std::vector<std::int32_t> k;  // count × ksize
};

// Resample.c's precompute_coeffs and normalize_coeffs_8bpc, for a window of outputs; the coefficients of
// one output depend on nothing but its own position.
AxisCoefficients coefficients(int inSize, int outSize, int first, int count) {
    const double scale = double(inSize) / double(outSize);
    const double filterscale = std::max(scale, 1.0);
    const double support = kSupport * filterscale;
    AxisCoefficients a;
    a.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
    a.start.resize(static_cast<std::size_t>(count));
    a.length.resize(static_cast<std::size_t>(count));
    a.k.assign(static_cast<std::size_t>(count) * static_cast<std::size_t>(a.ksize), 0);
    std::vector<double> w(static_cast<std::size_t>(a.ksize));
    for (int j = 0; j < count; ++j) {
        const int xx = first + j;
        const double center = (xx + 0.5) * scale;
        const double ss = 1.0 / filterscale;
        // C casts truncate toward zero; the clamp to 0 makes that equal to Pillow's rounding.
        const int xmin = std::max(static_cast<int>(center - support + 0.5), 0);
        const int xmax = std::min(static_cast<int>(center + support + 0.5), inSize) - xmin;
        double ww = 0.0;
        for (int x = 0; x < xmax; ++x) {
            w[static_cast<std::size_t>(x)] = bicubic((x + xmin - center + 0.5) * ss);
            ww += w[static_cast<std::size_t>(x)];
        }
        std::int32_t* k = a.k.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(a.ksize);
        for (int x = 0; x < xmax; ++x) {
            const double v = ww != 0.0 ? w[static_cast<std::size_t>(x)] / ww : w[static_cast<std::size_t>(x)];
            k[x] = static_cast<std::int32_t>(v < 0 ? -0.5 + v * (1 << kPrecisionBits)
                                                   : 0.5 + v * (1 << kPrecisionBits));
        }
        a.start[static_cast<std::size_t>(j)] = xmin;
        a.length[static_cast<std::size_t>(j)] = xmax;
    }
    return a;
}

std::uint8_t clip8(std::int32_t v) {
    return static_cast<std::uint8_t>(std::clamp(v >> kPrecisionBits, 0, 255));  // >> floors (C++20)
}

std::size_t pixelIndex(int x, int y, int width) {
    return (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)) * 3;
}

}  // namespace

Rgb8Image resizeBicubicPil(const Rgb8Image& image, int outWidth, int outHeight, int cropX, int cropY,
                           int cropWidth, int cropHeight) {
    if (image.width < 1 || image.height < 1 ||
        image.pixels.size() !=
            static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3)
        throw InvalidArgument(
            "bicubic resize: the input image is empty or its pixel buffer has the wrong size");
    if (outWidth < 1 || outHeight < 1 || cropWidth < 1 || cropHeight < 1 || cropX < 0 || cropY < 0 ||
        cropX > outWidth - cropWidth || cropY > outHeight - cropHeight)
        throw InvalidArgument("bicubic resize: the window " + std::to_string(cropWidth) + "×" +
                              std::to_string(cropHeight) + " at (" + std::to_string(cropX) + ", " +
                              std::to_string(cropY) + ") does not fit in " + std::to_string(outWidth) + "×" +
                              std::to_string(outHeight));
    const bool horizontal = outWidth != image.width;
    const bool vertical = outHeight != image.height;

    // Input rows the vertical pass reads (or the window's rows when there is no vertical pass).
    AxisCoefficients rowsK;
    int rowFirst = cropY;
    int rowLast = cropY + cropHeight;
    if (vertical) {
        rowsK = coefficients(image.height, outHeight, cropY, cropHeight);
        rowFirst = rowsK.start.front();
        rowLast = 0;
        for (std::size_t j = 0; j < rowsK.start.size(); ++j) {
            rowFirst = std::min(rowFirst, rowsK.start[j]);
            rowLast = std::max(rowLast, rowsK.start[j] + rowsK.length[j]);
        }
    }

    // Horizontal pass (Resample.c: ImagingResampleHorizontal_8bpc) over those rows, window columns only.
    Rgb8Image temp;
    temp.width = cropWidth;
    temp.height = rowLast - rowFirst;
    temp.pixels.resize(static_cast<std::size_t>(temp.width) * static_cast<std::size_t>(temp.height) * 3);
    if (horizontal) {
        const AxisCoefficients colsK = coefficients(image.width, outWidth, cropX, cropWidth);
        for (int y = 0; y < temp.height; ++y) {
            for (int j = 0; j < cropWidth; ++j) {
                const int xmin = colsK.start[static_cast<std::size_t>(j)];
                const int len = colsK.length[static_cast<std::size_t>(j)];
                const std::int32_t* k =
                    colsK.k.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(colsK.ksize);
                std::int32_t ss[3] = {1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1),
                                      1 << (kPrecisionBits - 1)};
                const std::uint8_t* src = image.pixels.data() + pixelIndex(xmin, y + rowFirst, image.width);
                for (int x = 0; x < len; ++x)
                    for (int c = 0; c < 3; ++c) ss[c] += src[x * 3 + c] * k[x];
                std::uint8_t* dst = temp.pixels.data() + pixelIndex(j, y, temp.width);
                for (int c = 0; c < 3; ++c) dst[c] = clip8(ss[c]);
            }
        }
    } else {
        for (int y = 0; y < temp.height; ++y)
            std::copy_n(image.pixels.data() + pixelIndex(cropX, y + rowFirst, image.width),
                        static_cast<std::size_t>(cropWidth) * 3,
                        temp.pixels.data() + pixelIndex(0, y, temp.width));
    }
    if (!vertical) return temp;

    // Vertical pass (Resample.c: ImagingResampleVertical_8bpc) on the horizontally resized rows.
    Rgb8Image out;
    out.width = cropWidth;
    out.height = cropHeight;
    out.pixels.resize(static_cast<std::size_t>(cropWidth) * static_cast<std::size_t>(cropHeight) * 3);
    for (int j = 0; j < cropHeight; ++j) {
        const int ymin = rowsK.start[static_cast<std::size_t>(j)] - rowFirst;
        const int len = rowsK.length[static_cast<std::size_t>(j)];
        const std::int32_t* k =
            rowsK.k.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(rowsK.ksize);
        for (int x = 0; x < cropWidth; ++x) {
            std::int32_t ss[3] = {1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1),
                                  1 << (kPrecisionBits - 1)};
            for (int y = 0; y < len; ++y) {
                const std::uint8_t* src = temp.pixels.data() + pixelIndex(x, ymin + y, temp.width);
                for (int c = 0; c < 3; ++c) ss[c] += src[c] * k[y];
            }
            std::uint8_t* dst = out.pixels.data() + pixelIndex(x, j, cropWidth);
            for (int c = 0; c < 3; ++c) dst[c] = clip8(ss[c]);
        }
    }
    return out;
}

}  // namespace s4
