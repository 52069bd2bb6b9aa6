#include "core/eval/PatchMetrics.h"

#include "core/common/Error.h"

#include <algorithm>
#include <map>
#include <string>

namespace s4 {

PatchScores evaluatePatches(std::span<const std::int32_t> members, std::span<const std::uint8_t> valid,
                            std::size_t patchSize, std::span<const std::int32_t> truth,
                            std::int32_t ignoreLabel) {
    if (patchSize == 0 || members.size() % patchSize != 0)
        throw InvalidArgument("patch metrics: member table is not a multiple of the patch size " +
                              std::to_string(patchSize));
    if (!valid.empty() && valid.size() != members.size())
        throw InvalidArgument("patch metrics: validity mask and member table differ in size");
    PatchScores s;
    const std::size_t patches = members.size() / patchSize;
    double puritySum = 0.0;
    std::map<std::int32_t, std::size_t> count;
    for (std::size_t p = 0; p < patches; ++p) {
        count.clear();
        std::size_t total = 0;
        for (std::size_t m = 0; m < patchSize; ++m) {
            const std::size_t slot = p * patchSize + m;
            if (!valid.empty() && !valid[slot]) continue;
            const std::int32_t i = members[slot];
            if (i < 0 || std::size_t(i) >= truth.size())
                throw InvalidArgument("patch metrics: patch " + std::to_string(p) + " lists point " +
                                      std::to_string(i) + " of " + std::to_string(truth.size()));
            if (truth[std::size_t(i)] == ignoreLabel) continue;
            ++count[truth[std::size_t(i)]];
            ++total;
        }
        if (total == 0) continue;
        std::size_t majority = 0;
        for (const auto& [label, n] : count) majority = std::max(majority, n);
        puritySum += double(majority) / double(total);
        ++s.evaluatedPatches;
        if (count.size() > 1) ++s.crossingPatches;
    }
    if (s.evaluatedPatches > 0) {
        s.meanPurity = puritySum / double(s.evaluatedPatches);
        s.crossingShare = double(s.crossingPatches) / double(s.evaluatedPatches);
    }
    return s;
}

}  // namespace s4
