#include "core/model/image/ClipImagePreprocess.h"

#include "core/common/Error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace s4 {

namespace {

void checkSides(int width, int height, const char* what) {
    if (width < 1 || height < 1 || width > kMaxImageSide || height > kMaxImageSide)
        throw InvalidArgument(std::string(what) + ": an image of " + std::to_string(width) + "×" +
                              std::to_string(height) + " pixels is not supported (each side must be 1 to " +
                              std::to_string(kMaxImageSide) + ")");
}

void checkSize(int size, const char* what) {
    if (size < 1 || size > kMaxClipInputSize)
        throw InvalidArgument(std::string(what) + ": the input size must be 1 to " +
                              std::to_string(kMaxClipInputSize) + " pixels (got " + std::to_string(size) +
                              ")");
}

// Python 3's round() of diff / 2 for an integer diff ≥ 0: halves go to the even neighbour.
int roundHalfDiffToEven(int diff) {
    const int half = diff / 2;
    if (diff % 2 == 0) return half;
    return half % 2 == 0 ? half : half + 1;
}

}  // namespace

std::pair<int, int> clipResizedSize(int width, int height, int size) {
    checkSides(width, height, "CLIP resize");
    checkSize(size, "CLIP resize");
    // torchvision's _compute_resized_output_size: int(size * long / short), a truncated true division.
    const int shortSide = std::min(width, height);
    const int longSide = std::max(width, height);
    const int newLong = static_cast<int>(double(size) * double(longSide) / double(shortSide));
    return width <= height ? std::pair{size, newLong} : std::pair{newLong, size};
}

std::pair<int, int> clipCropOrigin(int width, int height, int size) {
    checkSize(size, "CLIP centre crop");
    if (width < size || height < size)
        throw InvalidArgument("CLIP centre crop: a " + std::to_string(width) + "×" + std::to_string(height) +
                              " image is smaller than the " + std::to_string(size) + "-pixel crop");
    // torchvision's center_crop: int(round((side - crop) / 2.0)).
    return {roundHalfDiffToEven(width - size), roundHalfDiffToEven(height - size)};
}

Rgb8Image toRgb8(std::span<const std::uint8_t> pixels, int width, int height, int channels) {
    checkSides(width, height, "CLIP image");
    if (channels < 1 || channels > 4)
        throw InvalidArgument(
            "CLIP image: " + std::to_string(channels) +
            " channels per pixel; expected 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA)");
    const std::size_t count = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
    if (pixels.size() != count * static_cast<std::size_t>(channels))
        throw InvalidArgument("CLIP image: the buffer holds " + std::to_string(pixels.size()) +
                              " bytes but " + std::to_string(width) + "×" + std::to_string(height) + "×" +
                              std::to_string(channels) + " needs " +
                              std::to_string(count * static_cast<std::size_t>(channels)));
    Rgb8Image out;
    out.width = width;
    out.height = height;
    out.pixels.resize(count * 3);
    const std::size_t ch = static_cast<std::size_t>(channels);
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint8_t* src = pixels.data() + i * ch;
        std::uint8_t* dst = out.pixels.data() + i * 3;
        if (channels <= 2) {
            dst[0] = dst[1] = dst[2] = src[0];  // PIL's L → RGB replicates the gray value
        } else {
            dst[0] = src[0];
            dst[1] = src[1];
            dst[2] = src[2];
        }
    }
    return out;
}

Rgb8Image clipResizeAndCrop(const Rgb8Image& image, int size) {
    const auto [newWidth, newHeight] = clipResizedSize(image.width, image.height, size);
    const auto [x0, y0] = clipCropOrigin(newWidth, newHeight, size);
    return resizeBicubicPil(image, newWidth, newHeight, x0, y0, size, size);
}

std::vector<float> clipNormalise(const Rgb8Image& image, const ClipImageParams& params) {
    for (int c = 0; c < 3; ++c)
        if (!std::isfinite(params.mean[c]) || !std::isfinite(params.std[c]) || !(params.std[c] > 0.0f))
            throw InvalidArgument(
                "CLIP normalisation: the mean must be finite and the standard deviation positive");
    if (image.pixels.size() !=
        static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3)
        throw InvalidArgument("CLIP normalisation: the image's pixel buffer has the wrong size");
    const std::size_t plane = static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height);
    std::vector<float> out(plane * 3);
    for (std::size_t i = 0; i < plane; ++i)
        for (std::size_t c = 0; c < 3; ++c)
            out[c * plane + i] = (float(image.pixels[i * 3 + c]) / 255.0f - params.mean[c]) / params.std[c];
    return out;
}

std::vector<float> preprocessClipImage(std::span<const std::uint8_t> pixels, int width, int height,
                                       int channels, const ClipImageParams& params) {
    checkSize(params.size, "CLIP preprocessing");
    return clipNormalise(clipResizeAndCrop(toRgb8(pixels, width, height, channels), params.size), params);
}

}  // namespace s4
