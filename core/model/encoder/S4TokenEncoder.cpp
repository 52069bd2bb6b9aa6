#include "core/model/encoder/S4TokenEncoder.h"

#include "core/common/Error.h"
#include "core/common/Log.h"
#include "core/model/clip/ClipConfig.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/generated/variable_factories.h>

#include <map>
#include <set>
#include <string>

namespace s4::encoder {

namespace {

void mismatch(const char* what, int trained, int actual) {
    throw InvalidArgument(std::string("tokenizer checkpoint was trained for a CLIP with ") + what + " " +
                          std::to_string(trained) + ", this model has " + std::to_string(actual));
}

}  // namespace

void checkClipMatchesCheckpoint(const TokenizerClipShape& trained, const clip::VisionConfig& vision,
                                int embedDim) {
    if (trained.visionWidth != vision.width) mismatch("width", trained.visionWidth, vision.width);
    if (trained.embedDim != embedDim) mismatch("embedding dimension", trained.embedDim, embedDim);
    if (trained.layers != vision.layers) mismatch("vision layer count", trained.layers, vision.layers);
    if (trained.heads != vision.heads) mismatch("head count", trained.heads, vision.heads);
    // The token path itself never uses them, but they tell models apart that the widths do not: ViT-B/16
    // and ViT-B/32 share every width, and Θ trained against one is not a pair for the other.
    if (trained.patchSize != vision.patchSize) mismatch("patch size", trained.patchSize, vision.patchSize);
    if (trained.imageSize != vision.imageSize) mismatch("image size", trained.imageSize, vision.imageSize);
}

S4TokenEncoderImpl::S4TokenEncoderImpl(const TokenizerCheckpointConfig& config,
                                       clip::VisionTransformer visual)
    : config_(config), visual_(std::move(visual)) {
    if (!visual_) throw InvalidArgument("S4TokenEncoder: no CLIP vision transformer given");
    checkClipMatchesCheckpoint(config.clip, visual_->config(), visual_->embedDim());
    // Frozen backbone (S4TOKEN.md §4): only Θ is ever trained.
    for (torch::Tensor& p : visual_->parameters()) p.set_requires_grad(false);
    pointnet = register_module("pointnet", PatchEmbedding(config.pointnet));
}

void S4TokenEncoderImpl::loadWeights(const TokenizerCheckpoint& checkpoint) {
    std::map<std::string, torch::Tensor> targets;
    for (const auto& item : named_parameters(/*recurse=*/true)) targets.emplace(item.key(), item.value());
    for (const auto& item : named_buffers(/*recurse=*/true)) targets.emplace(item.key(), item.value());

    std::set<std::string> loaded;
    torch::NoGradGuard noGrad;
    for (const TokenizerTensor& t : checkpoint.tensors) {
        const auto it = targets.find(t.name);
        if (it == targets.end())
            throw InvalidArgument("tokenizer weights: tensor \"" + t.name +
                                  "\" is not a parameter of this encoder");
        torch::Tensor& target = it->second;
        if (target.sizes() != c10::IntArrayRef(t.shape))
            throw InvalidArgument("tokenizer weights: tensor \"" + t.name + "\" has shape " +
                                  clip::formatShape(t.shape) + ", the encoder's parameter has " +
                                  clip::formatShape(target.sizes().vec()));
        const torch::Tensor source =
            torch::from_blob(const_cast<float*>(t.values.data()), c10::IntArrayRef(t.shape), torch::kFloat32);
        target.copy_(source);
        loaded.insert(t.name);
    }
    for (const auto& [name, tensor] : targets)
        if (!loaded.count(name))
            throw InvalidArgument("tokenizer weights: the checkpoint has no tensor \"" + name + "\"");
}

torch::Tensor S4TokenEncoderImpl::tokens(const torch::Tensor& features, const torch::Tensor& valid,
                                         const torch::Tensor& centres, const torch::Tensor& radius) {
    const torch::Tensor t = pointnet->forward(features, valid);
    if (centres.dim() != 3 || centres.size(0) != t.size(0) || centres.size(1) != t.size(1))
        throw InvalidArgument("S4TokenEncoder: centres must be B×N×3 matching the patches, got " +
                              clip::formatShape(centres.sizes().vec()));
    return t + sinCosPositionEmbedding(centres.to(t.device()), radius.to(t.device()),
                                       config_.positionEmbedding, config_.pointnet.output);
}

S4TokenEncoderOutput S4TokenEncoderImpl::forward(const torch::Tensor& features, const torch::Tensor& valid,
                                                 const torch::Tensor& centres, const torch::Tensor& radius) {
    // Θ runs in float32; the frozen ViT may be float16 (CUDA), so the tokens take its type.
    const auto vitType = visual_->parameters().front().scalar_type();
    const torch::Tensor encoded = visual_->encodeTokens(tokens(features, valid, centres, radius).to(vitType));
    return {encoded.select(1, 0), encoded.slice(1, 1)};
}

S4TokenEncoder loadS4TokenEncoder(const std::filesystem::path& checkpoint, clip::VisionTransformer visual) {
    const TokenizerCheckpoint loaded = readTokenizerCheckpoint(checkpoint);
    if (loaded.config.untrained())
        logger("model")->warn(
            "tokenizer checkpoint {} is UNTRAINED (random weights): its features carry no "
            "learned meaning; use it only to try the pipeline",
            checkpoint.string());
    S4TokenEncoder encoder(loaded.config, std::move(visual));
    encoder->loadWeights(loaded);
    encoder->eval();
    return encoder;
}

}  // namespace s4::encoder
