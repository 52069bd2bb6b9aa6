#pragma once
// The shape of a CLIP model (vision transformer, text transformer, joint embedding) and the two ways
// users' files describe it: a Hugging Face config.json, or nothing but the tensor shapes of an OpenAI
// checkpoint (clip/model.py build_model()). Torch-free so facades and the app can show it.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace s4::clip {

/// The MLP non-linearity: OpenAI's QuickGELU x·σ(1.702x), or the exact (erf) GELU.
enum class Activation { QuickGelu, Gelu };

struct VisionConfig {
    int imageSize = 224;
    int patchSize = 16;
    int width = 768;
    int layers = 12;
    int heads = 12;
    int mlpWidth = 3072;
    Activation activation = Activation::QuickGelu;
    double layerNormEps = 1e-5;
    bool operator==(const VisionConfig&) const = default;
};

struct TextConfig {
    int vocabSize = 49408;
    int contextLength = 77;
    int width = 512;
    int layers = 12;
    int heads = 8;
    int mlpWidth = 2048;
    Activation activation = Activation::QuickGelu;
    double layerNormEps = 1e-5;
    bool operator==(const TextConfig&) const = default;
};

struct ClipConfig {
    VisionConfig vision;
    TextConfig text;
    int embedDim = 512;
    bool operator==(const ClipConfig&) const = default;
};

/// "quick_gelu" / "gelu" (Hugging Face's hidden_act names).
std::string activationName(Activation activation);

/// Patches per image side (imageSize / patchSize).
int patchGridSize(const VisionConfig& vision);

/// Throws InvalidArgument naming the first impossible value: a non-positive size, a width not divisible
/// by the head count, an image size not divisible by the patch size, a context shorter than 2 tokens,
/// or sizes beyond what any CLIP uses (widths over 16384, more than 256 layers, images over 4096 px),
/// which would only allocate memory no file can back.
void validateClipConfig(const ClipConfig& config);

/// "ViT-B/16 224 px (vision 768×12, text 512×12, embed 512)" style one-line summary.
std::string describeClipConfig(const ClipConfig& config);

/// Every parameter of the model under OpenAI's state_dict names (visual.conv1.weight, ...,
/// logit_scale) with its shape, in the order OpenAI's model registers them.
std::vector<std::pair<std::string, std::vector<std::int64_t>>> clipParameterShapes(const ClipConfig& config);

/// A Hugging Face CLIPConfig (config.json of a CLIPModel). Keys HF gives defaults for may be missing
/// and then take HF's defaults (CLIP ViT-B/32: 224 px, patch 32, 768/12/12, text 512/12/8, embed 512).
/// Throws IoError naming the file for a config that is not CLIP's (model_type other than "clip", no
/// vision_config and no text_config), a value of the wrong type, an unsupported hidden_act, or a
/// shape validateClipConfig rejects.
ClipConfig parseHuggingFaceClipConfig(const nlohmann::json& json, const std::string& fileNameForErrors);

/// The configuration of an OpenAI-named state dict, derived from tensor shapes as OpenAI's
/// build_model() does: widths from conv1 / ln_final, patch size from conv1, image size from the
/// positional embedding, layers from the resblock count, heads = width / 64, MLP width from c_fc,
/// embed dim from text_projection, QuickGELU, LayerNorm eps 1e-5. Throws IoError (naming
/// fileNameForErrors) when a needed tensor is missing, the model is a ResNet CLIP (not supported), or
/// the shapes contradict each other.
ClipConfig inferOpenAiClipConfig(const std::map<std::string, std::vector<std::int64_t>>& shapes,
                                 const std::string& fileNameForErrors = "checkpoint");

/// "[768, 3, 16, 16]".
std::string formatShape(const std::vector<std::int64_t>& shape);

}  // namespace s4::clip
