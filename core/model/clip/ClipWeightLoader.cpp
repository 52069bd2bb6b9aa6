#include "core/model/clip/ClipWeightLoader.h"

#include "core/common/Error.h"
#include "core/common/JsonInput.h"
#include "core/common/Log.h"
#include "core/io/MappedFile.h"
#include "core/model/clip/ClipTorchScript.h"
#include "core/model/weights/SafeTensors.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <nlohmann/json.hpp>

#include <cstring>
#include <map>
#include <set>
#include <unordered_map>

namespace s4::clip {

namespace fs = std::filesystem;
using Shape = std::vector<std::int64_t>;

namespace {

constexpr std::size_t kMaxJsonBytes = 64u << 20;

// ---- Where tensors come from: safetensors files (one or sharded) or a TorchScript archive ----

class TensorStore {
public:
    virtual ~TensorStore() = default;
    virtual std::vector<std::string> names() const = 0;
    virtual std::optional<Shape> shape(const std::string& name) const = 0;
    /// "" when the dtype is a floating-point one, else its name.
    virtual std::string nonFloatDType(const std::string& name) const = 0;
    /// The tensor as a contiguous CPU float32 tensor.
    virtual at::Tensor float32(const std::string& name) const = 0;
    /// The file that holds a tensor, for messages.
    virtual std::string fileOf(const std::string& name) const = 0;
};

class SafeTensorsStore : public TensorStore {
public:
    void add(const fs::path& file) {
        files_.push_back(std::make_unique<SafeTensorsFile>(file));
        const auto& f = *files_.back();
        for (const auto& name : f.names()) {
            if (!index_.emplace(name, files_.size() - 1).second)
                throw IoError(f.fileName(), "repeats the tensor \"" + name + "\" already in " +
                                                files_[index_.at(name)]->fileName());
            order_.push_back(name);
        }
    }
    std::vector<std::string> names() const override { return order_; }
    std::optional<Shape> shape(const std::string& name) const override {
        auto it = index_.find(name);
        if (it == index_.end()) return std::nullopt;
        return files_[it->second]->info(name).shape;
    }
    std::string nonFloatDType(const std::string& name) const override {
        const auto dtype = file(name).info(name).dtype;
        if (dtype == SafeTensorDType::F32 || dtype == SafeTensorDType::F16 ||
            dtype == SafeTensorDType::BF16 || dtype == SafeTensorDType::F64)
            return {};
        return std::string(safeTensorDTypeName(dtype));
    }
    at::Tensor float32(const std::string& name) const override {
        const auto& f = file(name);
        const std::vector<float> values = f.toFloat32(name);
        auto tensor = at::empty(f.info(name).shape, at::kFloat);
        if (!values.empty())
            std::memcpy(tensor.data_ptr<float>(), values.data(), values.size() * sizeof(float));
        return tensor;
    }
    std::string fileOf(const std::string& name) const override { return file(name).fileName(); }

private:
    const SafeTensorsFile& file(const std::string& name) const { return *files_[index_.at(name)]; }

    std::vector<std::unique_ptr<SafeTensorsFile>> files_;
    std::unordered_map<std::string, std::size_t> index_;
    std::vector<std::string> order_;
};

class TorchScriptStore : public TensorStore {
public:
    explicit TorchScriptStore(const fs::path& file) : file_(file.string()) {
        for (auto& [name, tensor] : readTorchScriptTensors(file)) {
            if (tensors_.emplace(name, tensor).second) order_.push_back(name);
        }
    }
    std::vector<std::string> names() const override { return order_; }
    std::optional<Shape> shape(const std::string& name) const override {
        auto it = tensors_.find(name);
        if (it == tensors_.end()) return std::nullopt;
        return Shape(it->second.sizes().begin(), it->second.sizes().end());
    }
    std::string nonFloatDType(const std::string& name) const override {
        const auto& t = tensors_.at(name);
        return at::isFloatingType(t.scalar_type()) ? std::string()
                                                   : std::string(c10::toString(t.scalar_type()));
    }
    at::Tensor float32(const std::string& name) const override {
        return tensors_.at(name).to(at::kCPU, at::kFloat).contiguous();
    }
    std::string fileOf(const std::string&) const override { return file_; }

private:
    std::string file_;
    std::unordered_map<std::string, at::Tensor> tensors_;
    std::vector<std::string> order_;
};

// ---- How a model parameter is made from stored tensors ----

enum class Assembly {
    Copy,        // same shape
    ConcatRows,  // [q; k; v] along dim 0 (PyTorch's packed in_proj)
    Transpose    // HF Linear weight [E, W] → OpenAI projection [W, E]
};

struct ParameterSource {
    std::string parameter;           // OpenAI name
    std::vector<std::string> parts;  // stored names
    Assembly assembly = Assembly::Copy;
};

std::vector<ParameterSource> openAiSources(const ClipConfig& config) {
    std::vector<ParameterSource> sources;
    for (const auto& [name, shape] : clipParameterShapes(config))
        sources.push_back({name, {name}, Assembly::Copy});
    return sources;
}

std::vector<ParameterSource> huggingFaceSources(const ClipConfig& config) {
    std::vector<ParameterSource> s;
    auto copy = [&s](std::string parameter, std::string stored) {
        s.push_back({std::move(parameter), {std::move(stored)}, Assembly::Copy});
    };
    auto blocks = [&](const std::string& ours, const std::string& theirs, int layers) {
        for (int i = 0; i < layers; ++i) {
            const std::string o = ours + std::to_string(i) + ".", t = theirs + std::to_string(i) + ".";
            for (const char* p : {"weight", "bias"}) {
                copy(o + "ln_1." + p, t + "layer_norm1." + p);
                copy(o + "ln_2." + p, t + "layer_norm2." + p);
                copy(o + "attn.out_proj." + p, t + "self_attn.out_proj." + p);
                copy(o + "mlp.c_fc." + p, t + "mlp.fc1." + p);
                copy(o + "mlp.c_proj." + p, t + "mlp.fc2." + p);
            }
            s.push_back({o + "attn.in_proj_weight",
                         {t + "self_attn.q_proj.weight", t + "self_attn.k_proj.weight",
                          t + "self_attn.v_proj.weight"},
                         Assembly::ConcatRows});
            s.push_back(
                {o + "attn.in_proj_bias",
                 {t + "self_attn.q_proj.bias", t + "self_attn.k_proj.bias", t + "self_attn.v_proj.bias"},
                 Assembly::ConcatRows});
        }
    };
    copy("visual.conv1.weight", "vision_model.embeddings.patch_embedding.weight");
    copy("visual.class_embedding", "vision_model.embeddings.class_embedding");
    copy("visual.positional_embedding", "vision_model.embeddings.position_embedding.weight");
    for (const char* p : {"weight", "bias"}) {
        copy(std::string("visual.ln_pre.") + p,
             std::string("vision_model.pre_layrnorm.") + p);  // sic, HF's name
        copy(std::string("visual.ln_post.") + p, std::string("vision_model.post_layernorm.") + p);
        copy(std::string("ln_final.") + p, std::string("text_model.final_layer_norm.") + p);
    }
    blocks("visual.transformer.resblocks.", "vision_model.encoder.layers.", config.vision.layers);
    s.push_back({"visual.proj", {"visual_projection.weight"}, Assembly::Transpose});
    copy("token_embedding.weight", "text_model.embeddings.token_embedding.weight");
    copy("positional_embedding", "text_model.embeddings.position_embedding.weight");
    blocks("transformer.resblocks.", "text_model.encoder.layers.", config.text.layers);
    s.push_back({"text_projection", {"text_projection.weight"}, Assembly::Transpose});
    copy("logit_scale", "logit_scale");
    return s;
}

// The stored shape each part must have for the parameter to come out as `shape`.
Shape partShape(const Shape& shape, Assembly assembly, std::size_t partCount) {
    Shape part = shape;
    if (assembly == Assembly::ConcatRows) part[0] /= std::int64_t(partCount);
    if (assembly == Assembly::Transpose) std::swap(part[0], part[1]);
    return part;
}

std::string joinNames(const std::vector<std::string>& names) {
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
    return s;
}

// Checks every stored part against the configuration; one IoError lists all problems.
void checkTensors(const TensorStore& store, const std::vector<ParameterSource>& sources,
                  const ClipConfig& config, const std::string& file) {
    std::map<std::string, Shape> expected;
    for (const auto& [name, shape] : clipParameterShapes(config)) expected[name] = shape;
    std::vector<std::string> missing, wrong;
    for (const auto& source : sources) {
        const Shape want = partShape(expected.at(source.parameter), source.assembly, source.parts.size());
        for (const auto& part : source.parts) {
            const auto found = store.shape(part);
            if (!found) {
                missing.push_back(part);
            } else if (*found != want) {
                wrong.push_back(part + " (expected " + formatShape(want) + ", found " + formatShape(*found) +
                                ")");
            } else if (auto dtype = store.nonFloatDType(part); !dtype.empty()) {
                wrong.push_back(part + " (dtype " + dtype + ", expected a floating-point type)");
            }
        }
    }
    if (missing.empty() && wrong.empty()) return;
    std::string problem = "does not hold the weights of a " + describeClipConfig(config) + ":";
    if (!missing.empty())
        problem.append(" ")
            .append(std::to_string(missing.size()))
            .append(" missing tensor(s): ")
            .append(joinNames(missing))
            .append(";");
    if (!wrong.empty())
        problem.append(" ")
            .append(std::to_string(wrong.size()))
            .append(" tensor(s) of the wrong shape or type: ")
            .append(joinNames(wrong))
            .append(";");
    problem.pop_back();
    throw IoError(file, problem);
}

void warnAboutExtras(const TensorStore& store, const std::vector<ParameterSource>& sources,
                     const std::string& file) {
    std::set<std::string> used;
    for (const auto& source : sources) used.insert(source.parts.begin(), source.parts.end());
    std::vector<std::string> extra;
    for (const auto& name : store.names()) {
        // HF's position_ids buffers are index ranges, not weights.
        const bool positionIds = name.size() >= 12 && name.compare(name.size() - 12, 12, "position_ids") == 0;
        if (!used.count(name) && !positionIds) extra.push_back(name);
    }
    if (extra.empty()) return;
    const std::size_t shown = std::min<std::size_t>(extra.size(), 10);
    logger("model")->warn(
        "{}: ignoring {} tensor(s) that are not part of CLIP: {}{}", file, extra.size(),
        joinNames(std::vector<std::string>(extra.begin(), extra.begin() + std::ptrdiff_t(shown))),
        extra.size() > shown ? ", ..." : "");
}

// Builds the model (only after checkTensors proved the file holds every weight) and fills it.
ClipModel assemble(const TensorStore& store, const std::vector<ParameterSource>& sources,
                   const ClipConfig& config) {
    torch::NoGradGuard noGrad;
    ClipModel model(config);
    std::unordered_map<std::string, at::Tensor> parameters;
    for (const auto& item : model->named_parameters()) parameters.emplace(item.key(), item.value());
    for (const auto& source : sources) {
        std::vector<at::Tensor> parts;
        for (const auto& part : source.parts) {
            auto tensor = store.float32(part);
            if (!at::isfinite(tensor).all().item<bool>())
                throw IoError(store.fileOf(part), "tensor \"" + part + "\" holds NaN or infinite values");
            parts.push_back(std::move(tensor));
        }
        at::Tensor& target = parameters.at(source.parameter);
        switch (source.assembly) {
            case Assembly::Copy:
                target.copy_(parts[0]);
                break;
            case Assembly::ConcatRows:
                target.copy_(at::cat(parts, 0));
                break;
            case Assembly::Transpose:
                target.copy_(parts[0].t());
                break;
        }
    }
    for (auto& parameter : model->parameters()) parameter.set_requires_grad(false);
    model->eval();
    return model;
}

nlohmann::json readJson(const fs::path& path) {
    MappedFile file(path);
    if (file.size() > kMaxJsonBytes)
        throw IoError(file.name(),
                      "is " + formatBytes(file.size()) + ", far larger than a configuration file");
    return parseGuardedJson(file.text(), {file.name()});
}

// model.safetensors, or the shards a model.safetensors.index.json names.
void openHuggingFaceWeights(const fs::path& folder, SafeTensorsStore& store) {
    if (fs::is_regular_file(folder / "model.safetensors")) {
        store.add(folder / "model.safetensors");
        return;
    }
    const fs::path index = folder / "model.safetensors.index.json";
    if (fs::is_regular_file(index)) {
        const auto json = readJson(index);
        const auto map = json.find("weight_map");
        if (!json.is_object() || map == json.end() || !map->is_object())
            throw IoError(index.string(), "has no \"weight_map\" object");
        std::set<std::string> shards;
        for (const auto& [name, shard] : map->items()) {
            if (!shard.is_string())
                throw IoError(index.string(), "the shard of \"" + name + "\" is not a file name");
            const auto file = shard.get<std::string>();
            // Only plain names inside the folder: an index must not point elsewhere on the disk.
            if (file.empty() || file.find('/') != std::string::npos || file.find('\\') != std::string::npos ||
                file == "." || file == "..")
                throw IoError(index.string(),
                              "names the shard \"" + file + "\", which is not a file in the folder");
            shards.insert(file);
        }
        for (const auto& file : shards) store.add(folder / file);
        return;
    }
    const std::string name = folder.string();
    if (fs::exists(folder / "pytorch_model.bin"))
        throw IoError(name,
                      "holds only pytorch_model.bin, a pickle that S4Studio does not read because unpickling "
                      "can execute code; download the model.safetensors of the same model or convert it "
                      "(safetensors.torch.save_file)");
    throw IoError(name, "has config.json but no model.safetensors (or model.safetensors.index.json)");
}

// The tokenizer beside a weights file, if any.
std::optional<ClipTokenizer> tokenizerBeside(const fs::path& folder) {
    if (fs::is_regular_file(folder / "vocab.json") && fs::is_regular_file(folder / "merges.txt"))
        return ClipTokenizer::fromHuggingFaceFolder(folder);
    for (const char* name : {"bpe_simple_vocab_16e6.txt.gz", "bpe_simple_vocab_16e6.txt"})
        if (fs::is_regular_file(folder / name)) return ClipTokenizer::fromOpenAiMerges(folder / name);
    return std::nullopt;
}

void checkTokenizer(const ClipTokenizer& tokenizer, const ClipConfig& config, const std::string& source) {
    const auto size = std::int64_t(tokenizer.vocabularySize());
    if (size > config.text.vocabSize)
        throw IoError(source, "the tokenizer has " + std::to_string(size) +
                                  " tokens but the model's token embedding " + "only " +
                                  std::to_string(config.text.vocabSize) + " rows; they are not a pair");
    if (tokenizer.endOfTextId() != size - 1)
        logger("model")->warn(
            "{}: <|endoftext|> is not the tokenizer's last id; CLIP pools text at the largest id, "
            "so text embeddings may be wrong",
            source);
}

}  // namespace

std::string clipWeightFormatName(ClipWeightFormat format) {
    switch (format) {
        case ClipWeightFormat::HuggingFaceFolder:
            return "Hugging Face folder";
        case ClipWeightFormat::TorchScript:
            return "TorchScript archive";
        case ClipWeightFormat::OpenAiSafeTensors:
            return "safetensors (OpenAI names)";
    }
    return "unknown";
}

namespace {

void requireModelPath(const fs::path& path) {
    std::error_code ec;
    if (path.empty()) throw IoError("(no path)", "no CLIP model was given");
    if (!fs::exists(path, ec)) throw IoError(path.string(), "does not exist");
}

// OpenAI-named safetensors also come from open_clip, whose models are not all shaped like OpenAI's: the
// head count and the activation are not in the tensor shapes (ViT-H-14 has 80-wide heads, LAION models use
// the exact GELU). open_clip saves them in open_clip_config.json beside the weights; without it the
// OpenAI rules (heads = width / 64, QuickGELU) are assumed, which is right for OpenAI's own models only.
void applyOpenClipConfig(ClipConfig& config, const fs::path& weights) {
    const fs::path file = (weights.has_parent_path() ? weights.parent_path() : fs::path(".")) / "open_clip_config.json";
    const std::string name = file.string();
    if (!fs::is_regular_file(file)) {
        logger("model")->warn("{}: no open_clip_config.json beside it: assuming OpenAI's CLIP layout (heads = "
                              "width / 64, QuickGELU); a model from open_clip needs that file to load correctly",
                              weights.string());
        return;
    }
    const nlohmann::json root = readJson(file);
    const nlohmann::json& model = root.contains("model_cfg") ? root["model_cfg"] : root;
    const auto integer = [&](const nlohmann::json& object, const char* key) -> std::optional<int> {
        if (!object.is_object() || !object.contains(key)) return std::nullopt;
        const auto& v = object[key];
        if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 1 << 20)
            throw IoError(name, std::string("\"") + key + "\" must be a positive integer, found " + v.dump());
        return v.get<int>();
    };
    const nlohmann::json empty = nlohmann::json::object();
    const nlohmann::json& vision = model.is_object() && model.contains("vision_cfg") ? model["vision_cfg"] : empty;
    const nlohmann::json& text = model.is_object() && model.contains("text_cfg") ? model["text_cfg"] : empty;
    const int headWidth = integer(vision, "head_width").value_or(64);  // open_clip's default
    if (config.vision.width % headWidth != 0)
        throw IoError(name, "the vision width " + std::to_string(config.vision.width) +
                                " is not a multiple of head_width " + std::to_string(headWidth));
    config.vision.heads = config.vision.width / headWidth;
    if (const auto heads = integer(text, "heads")) {
        if (config.text.width % *heads != 0)
            throw IoError(name, "the text width " + std::to_string(config.text.width) + " is not a multiple of " +
                                    std::to_string(*heads) + " heads");
        config.text.heads = *heads;
    }
    // open_clip builds nn.GELU unless the model says quick_gelu (its OpenAI-compatible configs do).
    bool quickGelu = false;
    if (model.is_object() && model.contains("quick_gelu")) {
        if (!model["quick_gelu"].is_boolean()) throw IoError(name, "\"quick_gelu\" must be true or false");
        quickGelu = model["quick_gelu"].get<bool>();
    }
    config.vision.activation = config.text.activation = quickGelu ? Activation::QuickGelu : Activation::Gelu;
    try {
        validateClipConfig(config);
    } catch (const InvalidArgument& e) {
        throw IoError(name, e.what());
    }
}

// A model's files, opened and checked, before any weight is converted.
struct OpenedWeights {
    ClipModelInfo info;
    std::unique_ptr<TensorStore> store;
    std::vector<ParameterSource> sources;
    std::string weightsName;
};

OpenedWeights openClipWeights(const fs::path& path) {
    requireModelPath(path);
    const std::string name = path.string();
    OpenedWeights opened;
    opened.weightsName = name;
    if (fs::is_directory(path)) {
        const fs::path configFile = path / "config.json";
        if (!fs::is_regular_file(configFile))
            throw IoError(name,
                          "is a folder without config.json; a Hugging Face CLIP folder holds config.json and "
                          "model.safetensors (and vocab.json + merges.txt)");
        opened.info.format = ClipWeightFormat::HuggingFaceFolder;
        opened.info.config = parseHuggingFaceClipConfig(readJson(configFile), configFile.string());
        auto safeTensors = std::make_unique<SafeTensorsStore>();
        openHuggingFaceWeights(path, *safeTensors);
        opened.store = std::move(safeTensors);
        opened.sources = huggingFaceSources(opened.info.config);
        opened.weightsName = (path / "model.safetensors").string();
    } else {
        std::map<std::string, Shape> shapes;
        if (path.extension() == ".safetensors") {
            opened.info.format = ClipWeightFormat::OpenAiSafeTensors;
            auto safeTensors = std::make_unique<SafeTensorsStore>();
            safeTensors->add(path);
            if (safeTensors->shape("vision_model.embeddings.patch_embedding.weight"))
                throw IoError(
                    name,
                    "holds Hugging Face CLIP weights, which need their config.json: pass the folder "
                    "that holds both");
            opened.store = std::move(safeTensors);
        } else {
            opened.info.format = ClipWeightFormat::TorchScript;
            // Said before loading: loading is when the archive's code would run.
            logger("model")->warn(
                "{}: loading a TorchScript archive can run code it carries (its __setstate__ methods); prefer "
                "safetensors (a Hugging Face CLIP folder) for models from untrusted sources",
                name);
            opened.store = std::make_unique<TorchScriptStore>(path);
        }
        for (const auto& tensor : opened.store->names()) shapes[tensor] = *opened.store->shape(tensor);
        opened.info.config = inferOpenAiClipConfig(shapes, name);
        if (opened.info.format == ClipWeightFormat::OpenAiSafeTensors)
            applyOpenClipConfig(opened.info.config, path);
        opened.sources = openAiSources(opened.info.config);
    }

    checkTensors(*opened.store, opened.sources, opened.info.config, opened.weightsName);
    warnAboutExtras(*opened.store, opened.sources, opened.weightsName);
    return opened;
}

}  // namespace

ClipModelInfo inspectClipModel(const fs::path& path) {
    return openClipWeights(path).info;
}

std::optional<ClipTokenizer> findClipTokenizer(const fs::path& path, const fs::path& mergesPath) {
    requireModelPath(path);
    if (!mergesPath.empty()) return ClipTokenizer::load(mergesPath);
    const fs::path folder = fs::is_directory(path) ? path : path.parent_path();
    return tokenizerBeside(folder.empty() ? fs::path(".") : folder);
}

LoadedClip loadClipModel(const fs::path& path, const ClipLoadOptions& options) {
    const std::string name = path.string();
    OpenedWeights opened = openClipWeights(path);
    LoadedClip loaded;
    loaded.source = path;
    loaded.config = opened.info.config;
    loaded.format = opened.info.format;
    loaded.model = assemble(*opened.store, opened.sources, loaded.config);
    loaded.tokenizer = findClipTokenizer(path, options.mergesPath);
    if (loaded.tokenizer)
        checkTokenizer(*loaded.tokenizer, loaded.config, options.mergesPath.empty() ? name : options.mergesPath.string());
    if (!loaded.tokenizer)
        logger("model")->info(
            "{}: no CLIP tokenizer found beside the weights; text prompts need the BPE merges", name);
    return loaded;
}

}  // namespace s4::clip
