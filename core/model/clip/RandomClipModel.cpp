#include "core/model/clip/RandomClipModel.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/model/clip/ClipTorchScript.h"
#include "core/model/text/ClipTokenizer.h"

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <set>

namespace s4::clip {

namespace fs = std::filesystem;

namespace {

const char* const kWordEnd = "</w>";

std::string utf8(char32_t c) {
    std::string s;
    if (c < 0x80) {
        s.push_back(char(c));
    } else {  // byte characters stay below U+0800
        s.push_back(char(0xC0 | (c >> 6)));
        s.push_back(char(0x80 | (c & 0x3F)));
    }
    return s;
}

// bytes_to_unicode()'s order: the printable bytes first, then the rest ascending.
std::vector<std::uint8_t> bytesInVocabularyOrder() {
    auto printable = [](unsigned b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
    };
    std::vector<std::uint8_t> order;
    for (unsigned b = 0; b < 256; ++b)
        if (printable(b)) order.push_back(std::uint8_t(b));
    for (unsigned b = 0; b < 256; ++b)
        if (!printable(b)) order.push_back(std::uint8_t(b));
    return order;
}

void writeText(const fs::path& file, const std::string& text) {
    AtomicFileWriter out(file);
    out.write(text);
    out.commit();
}

// q/k/v rows [part·n, (part+1)·n) of a [3n, ...] tensor.
HostTensor rows(const HostTensor& t, const std::string& name, int part) {
    const std::int64_t n = t.shape[0] / 3;
    const std::size_t rowSize = t.values.size() / std::size_t(t.shape[0]);
    HostTensor out{name, t.shape, {}};
    out.shape[0] = n;
    out.values.assign(t.values.begin() + std::ptrdiff_t(part * n * rowSize),
                      t.values.begin() + std::ptrdiff_t((part + 1) * n * rowSize));
    return out;
}

HostTensor transposed(const HostTensor& t, const std::string& name) {
    const std::int64_t r = t.shape[0], c = t.shape[1];
    HostTensor out{name, {c, r}, std::vector<float>(t.values.size())};
    for (std::int64_t i = 0; i < r; ++i)
        for (std::int64_t j = 0; j < c; ++j)
            out.values[std::size_t(j * r + i)] = t.values[std::size_t(i * c + j)];
    return out;
}

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

// Hugging Face's names for one OpenAI parameter (three for a packed q/k/v projection).
std::vector<HostTensor> toHuggingFace(const HostTensor& t) {
    static const std::vector<std::pair<std::string, std::string>> renamed = {
        {"visual.conv1.weight", "vision_model.embeddings.patch_embedding.weight"},
        {"visual.class_embedding", "vision_model.embeddings.class_embedding"},
        {"visual.positional_embedding", "vision_model.embeddings.position_embedding.weight"},
        {"visual.ln_pre.weight", "vision_model.pre_layrnorm.weight"},
        {"visual.ln_pre.bias", "vision_model.pre_layrnorm.bias"},
        {"visual.ln_post.weight", "vision_model.post_layernorm.weight"},
        {"visual.ln_post.bias", "vision_model.post_layernorm.bias"},
        {"token_embedding.weight", "text_model.embeddings.token_embedding.weight"},
        {"positional_embedding", "text_model.embeddings.position_embedding.weight"},
        {"ln_final.weight", "text_model.final_layer_norm.weight"},
        {"ln_final.bias", "text_model.final_layer_norm.bias"},
        {"logit_scale", "logit_scale"}};
    for (const auto& [ours, theirs] : renamed)
        if (t.name == ours) return {HostTensor{theirs, t.shape, t.values}};
    if (t.name == "visual.proj") return {transposed(t, "visual_projection.weight")};
    if (t.name == "text_projection") return {transposed(t, "text_projection.weight")};

    std::string rest, prefix;
    if (startsWith(t.name, "visual.transformer.resblocks.")) {
        rest = t.name.substr(std::string("visual.transformer.resblocks.").size());
        prefix = "vision_model.encoder.layers.";
    } else if (startsWith(t.name, "transformer.resblocks.")) {
        rest = t.name.substr(std::string("transformer.resblocks.").size());
        prefix = "text_model.encoder.layers.";
    } else {
        throw InvalidArgument("no Hugging Face name for \"" + t.name + "\"");
    }
    const auto dot = rest.find('.');
    const std::string layer = prefix + rest.substr(0, dot) + ".", field = rest.substr(dot + 1);
    if (field == "attn.in_proj_weight" || field == "attn.in_proj_bias") {
        const std::string kind = field == "attn.in_proj_weight" ? "weight" : "bias";
        return {rows(t, layer + "self_attn.q_proj." + kind, 0),
                rows(t, layer + "self_attn.k_proj." + kind, 1),
                rows(t, layer + "self_attn.v_proj." + kind, 2)};
    }
    static const std::vector<std::pair<std::string, std::string>> fields = {
        {"ln_1.", "layer_norm1."},
        {"ln_2.", "layer_norm2."},
        {"attn.out_proj.", "self_attn.out_proj."},
        {"mlp.c_fc.", "mlp.fc1."},
        {"mlp.c_proj.", "mlp.fc2."}};
    for (const auto& [ours, theirs] : fields)
        if (startsWith(field, ours))
            return {HostTensor{layer + theirs + field.substr(ours.size()), t.shape, t.values}};
    throw InvalidArgument("no Hugging Face name for \"" + t.name + "\"");
}

SafeTensorData encode(const HostTensor& t, SafeTensorDType dtype) {
    if (dtype == SafeTensorDType::F32) return SafeTensorData::fromFloat32(t.name, t.shape, t.values);
    auto source =
        at::from_blob(const_cast<float*>(t.values.data()), {std::int64_t(t.values.size())}, at::kFloat);
    const auto converted = source.to(dtype == SafeTensorDType::F16 ? at::kHalf : at::kBFloat16).contiguous();
    SafeTensorData data{t.name, dtype, t.shape, std::vector<std::uint8_t>(t.values.size() * 2)};
    if (!data.bytes.empty())
        std::memcpy(data.bytes.data(), converted.data_ptr(), data.bytes.size());  // little-endian host
    return data;
}

SafeTensorData positionIds(const std::string& name, std::int64_t count) {
    SafeTensorData data{
        name, SafeTensorDType::I64, {1, count}, std::vector<std::uint8_t>(std::size_t(count) * 8)};
    for (std::int64_t i = 0; i < count; ++i) std::memcpy(data.bytes.data() + i * 8, &i, 8);
    return data;
}

at::Tensor toTensor(const HostTensor& t) {
    return at::from_blob(const_cast<float*>(t.values.data()), t.shape, at::kFloat).clone();
}

NamedTensors toTensors(const std::vector<HostTensor>& tensors) {
    NamedTensors out;
    for (const auto& t : tensors) out.emplace_back(t.name, toTensor(t));
    return out;
}

}  // namespace

std::vector<std::string> tinyClipWords() {
    return {"a",    "photo",  "of",   "the",   "chair", "table",   "sofa", "bed",  "wall", "floor",
            "door", "window", "lamp", "plant", "desk",  "cabinet", "an",   "room", "with", "picture"};
}

std::vector<std::pair<std::string, std::string>> tinyClipMerges() {
    // Left-to-right chains: "chair" = c·h → ch·a → cha·i → chai·r</w>. A merged string always comes from
    // its prefix and last character, so no two merges make the same token.
    std::vector<std::pair<std::string, std::string>> merges;
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& word : tinyClipWords()) {
        if (word.size() < 2) continue;
        std::string left(1, word[0]);
        for (std::size_t i = 1; i < word.size(); ++i) {
            std::string right(1, word[i]);
            if (i + 1 == word.size()) right += kWordEnd;
            if (seen.emplace(left, right).second) merges.emplace_back(left, right);
            left += right;
        }
    }
    return merges;
}

std::vector<std::string> tinyClipVocabulary() {
    std::vector<std::string> vocab;
    const auto order = bytesInVocabularyOrder();
    for (std::uint8_t b : order) vocab.push_back(utf8(clipByteToUnicode(b)));
    for (std::uint8_t b : order) vocab.push_back(utf8(clipByteToUnicode(b)) + kWordEnd);
    for (const auto& [left, right] : tinyClipMerges()) vocab.push_back(left + right);
    vocab.emplace_back("<|startoftext|>");
    vocab.emplace_back("<|endoftext|>");
    return vocab;
}

ClipConfig tinyClipConfig() {
    ClipConfig c;
    c.vision = VisionConfig{32, 8, 128, 2, 2, 512, Activation::QuickGelu, 1e-5};
    c.text = TextConfig{int(tinyClipVocabulary().size()), 77, 128, 2, 2, 512, Activation::QuickGelu, 1e-5};
    c.embedDim = 32;
    return c;
}

std::vector<HostTensor> randomClipParameters(const ClipConfig& config, std::uint64_t seed) {
    validateClipConfig(config);
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<HostTensor> out;
    for (const auto& [name, shape] : clipParameterShapes(config)) {
        std::size_t count = 1;
        for (auto d : shape) count *= std::size_t(d);
        const bool layerNorm = name.find("ln_") != std::string::npos;
        const bool bias = name.size() > 4 && name.compare(name.size() - 4, 4, "bias") == 0;
        float mean = 0.0f, std = 0.0f;
        if (name == "logit_scale") {
            mean = std::log(100.0f), std = 0.01f;
        } else if (layerNorm && !bias) {
            mean = 1.0f, std = 0.1f;
        } else if (bias) {
            std = 0.05f;
        } else if (name == "token_embedding.weight" || name == "visual.class_embedding") {
            std = 0.5f;
        } else if (name == "positional_embedding" || name == "visual.positional_embedding") {
            std = 0.1f;
        } else if (name == "visual.proj" || name == "text_projection") {
            std = 1.0f / std::sqrt(float(shape[0]));  // [W, E]: fan-in W
        } else {
            std::int64_t fanIn = 1;  // [out, in] or [W, 3, p, p]
            for (std::size_t i = 1; i < shape.size(); ++i) fanIn *= shape[i];
            std = 1.0f / std::sqrt(float(fanIn));
        }
        HostTensor t{name, shape, std::vector<float>(count)};
        for (float& v : t.values) v = mean + std * normal(rng);
        out.push_back(std::move(t));
    }
    return out;
}

std::string huggingFaceClipConfigJson(const ClipConfig& c) {
    const auto vocabulary = std::int64_t(c.text.vocabSize);
    nlohmann::json json = {{"architectures", {"CLIPModel"}},
                           {"model_type", "clip"},
                           {"projection_dim", c.embedDim},
                           {"logit_scale_init_value", 2.6592},
                           {"torch_dtype", "float32"},
                           {"vision_config",
                            {{"model_type", "clip_vision_model"},
                             {"image_size", c.vision.imageSize},
                             {"patch_size", c.vision.patchSize},
                             {"num_channels", 3},
                             {"hidden_size", c.vision.width},
                             {"num_hidden_layers", c.vision.layers},
                             {"num_attention_heads", c.vision.heads},
                             {"intermediate_size", c.vision.mlpWidth},
                             {"hidden_act", activationName(c.vision.activation)},
                             {"layer_norm_eps", c.vision.layerNormEps},
                             {"projection_dim", c.embedDim}}},
                           {"text_config",
                            {{"model_type", "clip_text_model"},
                             {"vocab_size", c.text.vocabSize},
                             {"max_position_embeddings", c.text.contextLength},
                             {"hidden_size", c.text.width},
                             {"num_hidden_layers", c.text.layers},
                             {"num_attention_heads", c.text.heads},
                             {"intermediate_size", c.text.mlpWidth},
                             {"hidden_act", activationName(c.text.activation)},
                             {"layer_norm_eps", c.text.layerNormEps},
                             {"bos_token_id", vocabulary - 2},
                             {"eos_token_id", vocabulary - 1},
                             {"pad_token_id", 1},
                             {"projection_dim", c.embedDim}}}};
    return json.dump(2) + "\n";
}

void writeTinyClipVocabulary(const fs::path& dir) {
    fs::create_directories(dir);
    nlohmann::json vocab = nlohmann::json::object();
    const auto tokens = tinyClipVocabulary();
    for (std::size_t id = 0; id < tokens.size(); ++id) vocab[tokens[id]] = id;
    writeText(dir / "vocab.json", vocab.dump() + "\n");
    writeTinyClipMerges(dir / "merges.txt");
}

void writeTinyClipMerges(const fs::path& file) {
    std::string text = "#version: 0.2\n";
    for (const auto& [left, right] : tinyClipMerges()) text += left + " " + right + "\n";
    writeText(file, text);
}

void writeRandomClipHuggingFaceFolder(const fs::path& dir, const ClipConfig& config, std::uint64_t seed,
                                      SafeTensorDType dtype) {
    if (dtype != SafeTensorDType::F32 && dtype != SafeTensorDType::F16 && dtype != SafeTensorDType::BF16)
        throw InvalidArgument("random CLIP folder: dtype must be F32, F16 or BF16");
    if (config.text.vocabSize < std::int64_t(tinyClipVocabulary().size()))
        throw InvalidArgument("random CLIP folder: the vocabulary must hold the tiny vocabulary's " +
                              std::to_string(tinyClipVocabulary().size()) + " tokens");
    fs::create_directories(dir);
    std::vector<SafeTensorData> tensors;
    for (const auto& parameter : randomClipParameters(config, seed))
        for (const auto& t : toHuggingFace(parameter)) tensors.push_back(encode(t, dtype));
    const auto grid = std::int64_t(patchGridSize(config.vision));
    tensors.push_back(positionIds("vision_model.embeddings.position_ids", grid * grid + 1));
    tensors.push_back(positionIds("text_model.embeddings.position_ids", config.text.contextLength));
    writeSafeTensors(dir / "model.safetensors", tensors, {{"format", "pt"}});
    writeText(dir / "config.json", huggingFaceClipConfigJson(config));
    writeTinyClipVocabulary(dir);
}

void writeRandomClipTorchScript(const fs::path& file, const ClipConfig& config, std::uint64_t seed) {
    if (config.vision.width % 64 != 0 || config.vision.heads != config.vision.width / 64 ||
        config.text.width % 64 != 0 || config.text.heads != config.text.width / 64)
        throw InvalidArgument(
            "TorchScript CLIP: OpenAI's archives imply heads = width / 64, so both widths must be "
            "multiples of 64 with that many heads");
    if (!file.parent_path().empty()) fs::create_directories(file.parent_path());
    writeTorchScriptTensors(file, toTensors(randomClipParameters(config, seed)));
    writeTinyClipMerges(file.parent_path() / "bpe_simple_vocab_16e6.txt");
}

void writeRandomClipStateDict(const fs::path& file, const ClipConfig& config, std::uint64_t seed) {
    if (!file.parent_path().empty()) fs::create_directories(file.parent_path());
    writePickledStateDict(file, toTensors(randomClipParameters(config, seed)));
}

}  // namespace s4::clip
