#include "gui/TokenizationColors.h"

#include "gui/ColorModes.h"

namespace s4::gui {
namespace {

// Offsets patch ids into another part of the hash's domain (superpoint ids never get near it).
constexpr std::int64_t kPatchHashSalt = std::int64_t{1} << 40;

std::vector<std::uint8_t> colorIds(const std::vector<std::int32_t>& ids, std::int64_t salt,
                                   const Rgb8& none) {
    std::vector<std::uint8_t> rgb(3 * ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const Rgb8 c = ids[i] < 0 ? none : hashedColor(salt + ids[i]);
        rgb[3 * i] = c[0];
        rgb[3 * i + 1] = c[1];
        rgb[3 * i + 2] = c[2];
    }
    return rgb;
}

}  // namespace

std::vector<std::uint8_t> superpointLayerColors(const std::vector<std::int32_t>& superpointOfPoint) {
    return colorIds(superpointOfPoint, 0, kNeutralGrey);
}

std::vector<std::uint8_t> patchLayerColors(const std::vector<std::int32_t>& patchOfPoint) {
    return colorIds(patchOfPoint, kPatchHashSalt,
                    {kUnassignedGrey[0], kUnassignedGrey[1], kUnassignedGrey[2]});
}

}  // namespace s4::gui
