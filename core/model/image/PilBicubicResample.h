#pragma once
// Pillow's bicubic resize of an 8-bit RGB image, reproduced to the bit (Pillow's libImaging/Resample.c,
// as used by CLIP's preprocessing through torchvision): separable, horizontal pass first; the cubic
// kernel with a = -0.5 and support 2 is stretched by the scale factor when shrinking, so every input
// pixel under an output pixel contributes (antialiasing); coefficients are normalised to sum 1 and
// rounded to 22-bit fixed point; each pass rounds and clamps to 8 bits. A pass whose size is unchanged
// is skipped, as Pillow does.

#include <cstdint>
#include <vector>

namespace s4 {

/// An 8-bit RGB image, row-major, 3 bytes per pixel (HWC).
struct Rgb8Image {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;  ///< width × height × 3

    std::uint8_t at(int x, int y, int channel) const {
        return pixels[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                       static_cast<std::size_t>(x)) *
                          3 +
                      static_cast<std::size_t>(channel)];
    }
};

/// A window of `image` resized to outWidth × outHeight with Pillow's BICUBIC filter: the output pixels
/// [cropX, cropX + cropWidth) × [cropY, cropY + cropHeight). Pillow resizes the whole image and crops
/// afterwards; computing only the window gives the same pixels at a fraction of the cost.
/// Throws s4::InvalidArgument if a size is below 1 or the window leaves the output.
Rgb8Image resizeBicubicPil(const Rgb8Image& image, int outWidth, int outHeight, int cropX, int cropY,
                           int cropWidth, int cropHeight);

/// resizeBicubicPil of the whole output.
inline Rgb8Image resizeBicubicPil(const Rgb8Image& image, int outWidth, int outHeight) {
    return resizeBicubicPil(image, outWidth, outHeight, 0, 0, outWidth, outHeight);
}

}  // namespace s4
