#include "core/model/encoder/RandomTokenizerCheckpoint.h"

#include "core/common/Error.h"

#include <cmath>
#include <random>

namespace s4 {

std::vector<TokenizerTensor> randomTokenizerTensors(const PointNetConfig& pointnet, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<TokenizerTensor> tensors;
    for (const TokenizerTensorSpec& spec : tokenizerTensorSpecs(pointnet)) {
        std::size_t count = 1;
        for (std::int64_t d : spec.shape) count *= std::size_t(d);
        TokenizerTensor t{spec.name, spec.shape, std::vector<float>(count, 0.0f)};
        const bool isNorm = spec.name.find(".norm.") != std::string::npos;
        if (isNorm) {
            if (spec.name.ends_with(".weight") || spec.name.ends_with(".running_var"))
                std::fill(t.values.begin(), t.values.end(), 1.0f);
        } else {
            // Linear weight [out, in] or bias [out]: the fan-in is the weight's second dimension; a bias
            // takes its layer's weight's (the spec before it).
            const std::int64_t fanIn = spec.shape.size() == 2 ? spec.shape[1] : tensors.back().shape[1];
            // Integer draws scaled by hand: std::uniform_real_distribution is not specified bit-exactly.
            const double bound = 1.0 / std::sqrt(double(fanIn));
            for (float& v : t.values) v = float((double(rng() >> 11) * 0x1.0p-53 * 2.0 - 1.0) * bound);
        }
        tensors.push_back(std::move(t));
    }
    return tensors;
}

TokenizerCheckpointConfig untrainedTokenizerConfig(const clip::ClipConfig& clip,
                                                   const TokenizationParams& params, std::uint64_t seed,
                                                   const std::optional<PointNetConfig>& pointnet) {
    const int width = clip.vision.width;
    if (width < 6)
        throw InvalidArgument(
            "an S4Token tokenizer needs a CLIP vision width of at least 6 (3 axes × sin, cos), "
            "this model has " +
            std::to_string(width));
    TokenizerCheckpointConfig config;
    config.clip = {clip.embedDim,    width, clip.vision.imageSize, clip.vision.patchSize, clip.vision.layers,
                   clip.vision.heads};
    config.pointnet = pointnet.value_or(PointNetConfig{});
    config.pointnet.output = width;
    config.positionEmbedding.bands = width / 6;
    config.positionEmbedding.scaleByRadius = true;
    config.tokenization = params;
    config.training = {{"untrained", true},
                       {"seed", seed},
                       {"note",
                        "random weights written by S4Studio for trying the pipeline; not a trained "
                        "tokenizer, its features carry no learned meaning"}};
    checkTokenizerConfig(config);
    return config;
}

void writeRandomTokenizerCheckpoint(const std::filesystem::path& folder, const clip::ClipConfig& clip,
                                    const TokenizationParams& params, std::uint64_t seed,
                                    const std::optional<PointNetConfig>& pointnet) {
    TokenizerCheckpoint checkpoint;
    checkpoint.config = untrainedTokenizerConfig(clip, params, seed, pointnet);
    checkpoint.tensors = randomTokenizerTensors(checkpoint.config.pointnet, seed);
    writeTokenizerCheckpoint(folder, checkpoint);
}

}  // namespace s4
