#include "core/model/clip/ClipConfig.h"

#include "core/common/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

namespace s4::clip {

namespace {

// Beyond these no released CLIP goes (ViT-bigG: width 1664, 48 layers); a config asking for more would
// only make us allocate memory before any file has proved it holds that many weights.
constexpr int kMaxWidth = 16384;
constexpr int kMaxLayers = 256;
constexpr int kMaxImageSize = 4096;
constexpr int kMaxVocab = 10'000'000;
constexpr int kMaxContext = 65536;

std::string positive(const char* what, int value, int limit) {
    if (value <= 0) return std::string(what) + " must be positive, not " + std::to_string(value);
    if (value > limit)
        return std::string(what) + " is " + std::to_string(value) + ", more than the supported " +
               std::to_string(limit);
    return {};
}

// The first impossible value of a config, or "" when it is usable.
std::string configProblem(const ClipConfig& c) {
    const VisionConfig& v = c.vision;
    const TextConfig& t = c.text;
    for (const std::string& p :
         {positive("vision image size", v.imageSize, kMaxImageSize),
          positive("vision patch size", v.patchSize, kMaxImageSize),
          positive("vision width", v.width, kMaxWidth), positive("vision layers", v.layers, kMaxLayers),
          positive("vision heads", v.heads, kMaxWidth),
          positive("vision MLP width", v.mlpWidth, 8 * kMaxWidth),
          positive("text vocabulary size", t.vocabSize, kMaxVocab),
          positive("text context length", t.contextLength, kMaxContext),
          positive("text width", t.width, kMaxWidth), positive("text layers", t.layers, kMaxLayers),
          positive("text heads", t.heads, kMaxWidth), positive("text MLP width", t.mlpWidth, 8 * kMaxWidth),
          positive("embedding size", c.embedDim, kMaxWidth)})
        if (!p.empty()) return p;
    if (v.imageSize % v.patchSize != 0)
        return "the image size " + std::to_string(v.imageSize) + " is not a multiple of the patch size " +
               std::to_string(v.patchSize);
    if (v.width % v.heads != 0)
        return "the vision width " + std::to_string(v.width) + " is not divisible by its " +
               std::to_string(v.heads) + " heads";
    if (t.width % t.heads != 0)
        return "the text width " + std::to_string(t.width) + " is not divisible by its " +
               std::to_string(t.heads) + " heads";
    if (t.contextLength < 2) return "the text context must hold at least the start and end tokens (2)";
    if (!(v.layerNormEps > 0.0) || !(t.layerNormEps > 0.0) || !std::isfinite(v.layerNormEps) ||
        !std::isfinite(t.layerNormEps))
        return "layer_norm_eps must be a positive finite number";
    return {};
}

// ---- Hugging Face config.json ----

class HfSection {
public:
    HfSection(const nlohmann::json* object, std::string prefix, const std::string& file)
        : object_(object), prefix_(std::move(prefix)), file_(file) {}

    int integer(const char* key, int fallback) const {
        const nlohmann::json* value = find(key);
        if (!value) return fallback;
        if (value->is_number_integer()) {
            const auto n = value->get<std::int64_t>();
            if (n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max())
                fail(key, "is out of range: " + value->dump());
            return int(n);
        }
        // Some exporters write 768.0; accept whole numbers only.
        if (value->is_number_float()) {
            const double d = value->get<double>();
            if (std::isfinite(d) && d == std::floor(d) && std::abs(d) < 1e9) return int(d);
        }
        fail(key, "must be an integer, found " + value->dump());
    }

    double real(const char* key, double fallback) const {
        const nlohmann::json* value = find(key);
        if (!value) return fallback;
        if (!value->is_number()) fail(key, "must be a number, found " + value->dump());
        return value->get<double>();
    }

    Activation activation(const char* key) const {
        const nlohmann::json* value = find(key);
        if (!value) return Activation::QuickGelu;  // CLIPTextConfig / CLIPVisionConfig default
        if (!value->is_string()) fail(key, "must be a string, found " + value->dump());
        const auto name = value->get<std::string>();
        if (name == "quick_gelu") return Activation::QuickGelu;
        if (name == "gelu") return Activation::Gelu;
        fail(key, "is \"" + name + "\"; supported activations are \"quick_gelu\" and \"gelu\"");
    }

    const nlohmann::json* find(const char* key) const {
        if (!object_) return nullptr;
        auto it = object_->find(key);
        if (it == object_->end() || it->is_null()) return nullptr;
        return &*it;
    }

    [[noreturn]] void fail(const char* key, const std::string& problem) const {
        throw IoError(file_, prefix_ + key + " " + problem);
    }

private:
    const nlohmann::json* object_;
    std::string prefix_;
    const std::string& file_;
};

// vision_config / text_config, or the *_dict spelling of transformers < 4.21.
const nlohmann::json* subConfig(const nlohmann::json& root, const char* key, const std::string& file) {
    for (const std::string& name : {std::string(key), std::string(key) + "_dict"}) {
        auto it = root.find(name);
        if (it == root.end() || it->is_null()) continue;
        if (!it->is_object()) throw IoError(file, name + " must be a JSON object, found " + it->dump());
        return &*it;
    }
    return nullptr;
}

// The block index of "<prefix><N>.<rest>" keys, or nullopt.
std::optional<int> blockIndex(const std::string& name, const std::string& prefix) {
    if (name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
    std::size_t i = prefix.size();
    int n = 0;
    std::size_t digits = 0;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9' && digits < 6) {
        n = n * 10 + (name[i] - '0');
        ++i;
        ++digits;
    }
    if (digits == 0 || i >= name.size() || name[i] != '.') return std::nullopt;
    return n;
}

}  // namespace

std::string activationName(Activation activation) {
    return activation == Activation::QuickGelu ? "quick_gelu" : "gelu";
}

int patchGridSize(const VisionConfig& vision) {
    return vision.imageSize / vision.patchSize;
}

void validateClipConfig(const ClipConfig& config) {
    if (auto problem = configProblem(config); !problem.empty())
        throw InvalidArgument("invalid CLIP configuration: " + problem);
}

std::string describeClipConfig(const ClipConfig& c) {
    std::ostringstream s;
    s << "CLIP ViT " << c.vision.imageSize << " px, patch " << c.vision.patchSize << ", vision "
      << c.vision.width << "×" << c.vision.layers << " (" << c.vision.heads << " heads), text "
      << c.text.width << "×" << c.text.layers << " (" << c.text.heads << " heads, vocabulary "
      << c.text.vocabSize << ", context " << c.text.contextLength << "), embedding " << c.embedDim;
    return s.str();
}

std::vector<std::pair<std::string, std::vector<std::int64_t>>> clipParameterShapes(const ClipConfig& c) {
    using Shape = std::vector<std::int64_t>;
    std::vector<std::pair<std::string, Shape>> out;
    auto blocks = [&out](const std::string& prefix, std::int64_t w, std::int64_t m, int layers) {
        for (int i = 0; i < layers; ++i) {
            const std::string b = prefix + std::to_string(i) + ".";
            out.push_back({b + "ln_1.weight", {w}});
            out.push_back({b + "ln_1.bias", {w}});
            out.push_back({b + "attn.in_proj_weight", {3 * w, w}});
            out.push_back({b + "attn.in_proj_bias", {3 * w}});
            out.push_back({b + "attn.out_proj.weight", {w, w}});
            out.push_back({b + "attn.out_proj.bias", {w}});
            out.push_back({b + "ln_2.weight", {w}});
            out.push_back({b + "ln_2.bias", {w}});
            out.push_back({b + "mlp.c_fc.weight", {m, w}});
            out.push_back({b + "mlp.c_fc.bias", {m}});
            out.push_back({b + "mlp.c_proj.weight", {w, m}});
            out.push_back({b + "mlp.c_proj.bias", {w}});
        }
    };
    const std::int64_t vw = c.vision.width, p = c.vision.patchSize, g = patchGridSize(c.vision);
    out.push_back({"visual.conv1.weight", {vw, 3, p, p}});
    out.push_back({"visual.class_embedding", {vw}});
    out.push_back({"visual.positional_embedding", {1 + g * g, vw}});
    out.push_back({"visual.ln_pre.weight", {vw}});
    out.push_back({"visual.ln_pre.bias", {vw}});
    blocks("visual.transformer.resblocks.", vw, c.vision.mlpWidth, c.vision.layers);
    out.push_back({"visual.ln_post.weight", {vw}});
    out.push_back({"visual.ln_post.bias", {vw}});
    out.push_back({"visual.proj", {vw, c.embedDim}});

    const std::int64_t tw = c.text.width;
    out.push_back({"token_embedding.weight", {c.text.vocabSize, tw}});
    out.push_back({"positional_embedding", {c.text.contextLength, tw}});
    blocks("transformer.resblocks.", tw, c.text.mlpWidth, c.text.layers);
    out.push_back({"ln_final.weight", {tw}});
    out.push_back({"ln_final.bias", {tw}});
    out.push_back({"text_projection", {tw, c.embedDim}});
    out.push_back({"logit_scale", {}});
    return out;
}

ClipConfig parseHuggingFaceClipConfig(const nlohmann::json& json, const std::string& file) {
    if (!json.is_object()) throw IoError(file, "must be a JSON object (a Hugging Face CLIPConfig)");
    if (auto it = json.find("model_type"); it != json.end() && !it->is_null()) {
        if (!it->is_string() || it->get<std::string>() != "clip")
            throw IoError(file, "model_type is " + it->dump() +
                                    ", not \"clip\"; only CLIPModel folders (both towers) are supported");
    }
    const nlohmann::json* vision = subConfig(json, "vision_config", file);
    const nlohmann::json* text = subConfig(json, "text_config", file);
    if (!vision && !text)
        throw IoError(file,
                      "has neither vision_config nor text_config; this is not a Hugging Face CLIP config");

    // Defaults are transformers' CLIPVisionConfig / CLIPTextConfig / CLIPConfig defaults.
    const HfSection v(vision, "vision_config.", file), t(text, "text_config.", file), root(&json, "", file);
    ClipConfig c;
    if (const int channels = v.integer("num_channels", 3); channels != 3)
        v.fail("num_channels", "is " + std::to_string(channels) + "; CLIP images have 3 channels");
    c.vision.imageSize = v.integer("image_size", 224);
    c.vision.patchSize = v.integer("patch_size", 32);
    c.vision.width = v.integer("hidden_size", 768);
    c.vision.layers = v.integer("num_hidden_layers", 12);
    c.vision.heads = v.integer("num_attention_heads", 12);
    c.vision.mlpWidth = v.integer("intermediate_size", 3072);
    c.vision.activation = v.activation("hidden_act");
    c.vision.layerNormEps = v.real("layer_norm_eps", 1e-5);

    c.text.vocabSize = t.integer("vocab_size", 49408);
    c.text.contextLength = t.integer("max_position_embeddings", 77);
    c.text.width = t.integer("hidden_size", 512);
    c.text.layers = t.integer("num_hidden_layers", 12);
    c.text.heads = t.integer("num_attention_heads", 8);
    c.text.mlpWidth = t.integer("intermediate_size", 2048);
    c.text.activation = t.activation("hidden_act");
    c.text.layerNormEps = t.real("layer_norm_eps", 1e-5);

    c.embedDim = root.integer("projection_dim", 512);
    if (auto problem = configProblem(c); !problem.empty()) throw IoError(file, problem);
    return c;
}

ClipConfig inferOpenAiClipConfig(const std::map<std::string, std::vector<std::int64_t>>& shapes,
                                 const std::string& file) {
    if (shapes.count("visual.attnpool.positional_embedding") || shapes.count("visual.layer1.0.conv1.weight"))
        throw IoError(
            file, "holds a ResNet CLIP (visual.attnpool); only Vision Transformer CLIP models are supported");
    auto need = [&](const std::string& name, std::size_t rank) -> const std::vector<std::int64_t>& {
        auto it = shapes.find(name);
        if (it == shapes.end())
            throw IoError(file,
                          "has no tensor \"" + name + "\"; it does not look like an OpenAI CLIP checkpoint");
        if (it->second.size() != rank)
            throw IoError(file, "tensor \"" + name + "\" has shape " + formatShape(it->second) +
                                    ", expected " + std::to_string(rank) + " dimensions");
        for (std::int64_t d : it->second)
            if (d <= 0 || d > std::numeric_limits<int>::max())
                throw IoError(file,
                              "tensor \"" + name + "\" has an impossible shape " + formatShape(it->second));
        return it->second;
    };
    auto layerCount = [&](const std::string& prefix) {
        int count = 0;
        for (const auto& [name, shape] : shapes)
            if (auto index = blockIndex(name, prefix)) count = std::max(count, *index + 1);
        return count;
    };
    auto headsOf = [&](int width, const char* tower) {
        if (width % 64 != 0)
            throw IoError(file,
                          std::string("the ") + tower + " width " + std::to_string(width) +
                              " is not a multiple of 64, so OpenAI's rule heads = width / 64 does not apply");
        return width / 64;
    };

    ClipConfig c;
    const auto& conv = need("visual.conv1.weight", 4);
    if (conv[1] != 3 || conv[2] != conv[3])
        throw IoError(file,
                      "visual.conv1.weight has shape " + formatShape(conv) + ", expected [width, 3, p, p]");
    c.vision.width = int(conv[0]);
    c.vision.patchSize = int(conv[3]);
    const auto& visualPositions = need("visual.positional_embedding", 2);
    const auto grid = std::int64_t(std::llround(std::sqrt(double(visualPositions[0] - 1))));
    if (grid < 1 || grid * grid + 1 != visualPositions[0])
        throw IoError(file, "visual.positional_embedding has " + std::to_string(visualPositions[0]) +
                                " rows, which is not 1 + a square number of patches");
    if (grid * c.vision.patchSize > kMaxImageSize)
        throw IoError(file, "visual.positional_embedding implies images of " +
                                std::to_string(grid * c.vision.patchSize) + " px, more than supported");
    c.vision.imageSize = int(grid * c.vision.patchSize);
    c.vision.layers = layerCount("visual.transformer.resblocks.");
    c.vision.heads = headsOf(c.vision.width, "vision");
    c.vision.mlpWidth = shapes.count("visual.transformer.resblocks.0.mlp.c_fc.weight")
                            ? int(need("visual.transformer.resblocks.0.mlp.c_fc.weight", 2)[0])
                            : 4 * c.vision.width;

    c.text.width = int(need("ln_final.weight", 1)[0]);
    c.text.vocabSize = int(need("token_embedding.weight", 2)[0]);
    c.text.contextLength = int(need("positional_embedding", 2)[0]);
    c.text.layers = layerCount("transformer.resblocks.");
    c.text.heads = headsOf(c.text.width, "text");
    c.text.mlpWidth = shapes.count("transformer.resblocks.0.mlp.c_fc.weight")
                          ? int(need("transformer.resblocks.0.mlp.c_fc.weight", 2)[0])
                          : 4 * c.text.width;
    c.embedDim = int(need("text_projection", 2)[1]);
    if (c.vision.layers == 0) throw IoError(file, "has no visual.transformer.resblocks.* tensors");
    if (c.text.layers == 0) throw IoError(file, "has no transformer.resblocks.* tensors (the text tower)");
    if (auto problem = configProblem(c); !problem.empty()) throw IoError(file, problem);
    return c;
}

std::string formatShape(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

}  // namespace s4::clip
