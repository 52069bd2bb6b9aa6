#pragma once
// CLIP's image preprocessing (Radford et al. 2021; openai/clip's `_transform`, via torchvision on PIL):
//   Resize(S, BICUBIC): the shorter side becomes S, the longer int(S · long / short), Pillow's bicubic
//     filter with antialiasing when shrinking (PilBicubicResample.h);
//   CenterCrop(S): offset round((side − S) / 2) with Python's round-half-to-even;
//   convert to RGB; ToTensor (/255); Normalize with CLIP's mean and std.
// The result is a 3 × S × S float tensor, channel-major (CHW). An image already S × S is only normalised.
// [project choice] Gray images are replicated to RGB and alpha is dropped before resizing; Pillow would
// resize RGBA with premultiplied alpha, so pixels with alpha < 255 can differ from Python's result.

#include "core/model/image/PilBicubicResample.h"

#include <array>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace s4 {

inline constexpr int kMaxImageSide = 1 << 16;   ///< larger sides are rejected as absurd
inline constexpr int kMaxClipInputSize = 4096;  ///< largest S accepted

/// Parameters of the preprocessing; the defaults are CLIP ViT-B/16's.
struct ClipImageParams {
    int size = 224;                                                      ///< S
    std::array<float, 3> mean = {0.48145466f, 0.4578275f, 0.40821073f};  ///< per RGB channel
    std::array<float, 3> std = {0.26862954f, 0.26130258f, 0.27577711f};  ///< per RGB channel
};

/// (width, height) after Resize(size): the shorter side becomes size. Throws s4::InvalidArgument for
/// sizes outside [1, kMaxImageSide] or size outside [1, kMaxClipInputSize].
std::pair<int, int> clipResizedSize(int width, int height, int size);

/// Top-left corner (x, y) of CenterCrop(size) in a width × height image (each side ≥ size).
std::pair<int, int> clipCropOrigin(int width, int height, int size);

/// An 8-bit buffer (row-major, `channels` = 1 gray, 2 gray + alpha, 3 RGB or 4 RGBA per pixel) as RGB.
/// Throws s4::InvalidArgument for a bad size, channel count or buffer length.
Rgb8Image toRgb8(std::span<const std::uint8_t> pixels, int width, int height, int channels);

/// Resize(size) and CenterCrop(size) of an RGB image: the 8-bit S × S image Pillow would produce.
Rgb8Image clipResizeAndCrop(const Rgb8Image& image, int size);

/// ToTensor and Normalize: (v / 255 − mean_c) / std_c as a 3 × height × width CHW buffer.
/// Throws s4::InvalidArgument for a non-positive or non-finite std, or a non-finite mean.
std::vector<float> clipNormalise(const Rgb8Image& image, const ClipImageParams& params = {});

/// The whole chain: toRgb8, clipResizeAndCrop(params.size), clipNormalise. Returns 3 × S × S floats.
std::vector<float> preprocessClipImage(std::span<const std::uint8_t> pixels, int width, int height,
                                       int channels, const ClipImageParams& params = {});

}  // namespace s4
