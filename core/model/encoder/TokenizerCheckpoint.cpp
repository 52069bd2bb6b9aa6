#include "core/model/encoder/TokenizerCheckpoint.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/common/JsonInput.h"
#include "core/model/clip/ClipConfig.h"
#include "core/model/weights/SafeTensors.h"

#include <array>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

namespace s4 {

namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// tokenizer.json is a few kilobytes; the training provenance may carry logs, but nothing legitimate comes
// near this, and the JSON tree costs several times the text.
constexpr std::uintmax_t kMaxConfigBytes = 16u << 20;
constexpr int kMaxWidth = 1 << 16;

// Names of the enum values as tokenizer.json spells them.
template <class E>
struct Named {
    E value;
    const char* name;
};

constexpr Named<ExponentConvention> kConventions[] = {{ExponentConvention::Described, "described"},
                                                      {ExponentConvention::Printed, "printed"}};
constexpr Named<NormalSign> kNormalSigns[] = {
    {NormalSign::LargestComponentPositive, "largest_component_positive"},
    {NormalSign::AbsoluteValue, "absolute_value"}};
constexpr Named<EdgeWeighting> kEdgeWeightings[] = {{EdgeWeighting::InverseDistance, "inverse_distance"},
                                                    {EdgeWeighting::Gaussian, "gaussian"},
                                                    {EdgeWeighting::Uniform, "uniform"}};
constexpr Named<SmallMergeRule> kMergeRules[] = {{SmallMergeRule::Energy, "energy"},
                                                 {SmallMergeRule::SharedWeight, "shared_weight"}};
constexpr Named<PointNetNorm> kNorms[] = {{PointNetNorm::None, "none"},
                                          {PointNetNorm::LayerNorm, "layer_norm"},
                                          {PointNetNorm::BatchNorm, "batch_norm"}};
constexpr Named<TokenizerKind> kKinds[] = {
    {TokenizerKind::Knn, "knn"}, {TokenizerKind::Ball, "ball"}, {TokenizerKind::S4Token, "s4token"}};

template <class E, std::size_t N>
const char* nameOf(const Named<E> (&table)[N], E value) {
    for (const auto& [v, name] : table)
        if (v == value) return name;
    throw InvalidArgument("tokenizer checkpoint: enum value without a name");
}

// One JSON object of tokenizer.json, read key by key; every error names the file and the dotted key.
class Section {
public:
    Section(const Json& object, std::string path, const std::string& file, int version = kTokenizerCheckpointVersion)
        : object_(object), path_(std::move(path)), file_(file), version_(version) {}

    /// The file's version, once read: it decides which keys exist.
    void setVersion(int version) { version_ = version; }
    int version() const { return version_; }

    [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
        throw IoError(file_, "key \"" + dotted(key) + "\"", problem);
    }

    bool has(const char* key) const { return object_.contains(key); }

    const Json& require(const char* key) {
        used_.insert(key);
        const auto it = object_.find(key);
        if (it == object_.end())
            throw IoError(file_, path_.empty() ? "top level" : "key \"" + path_ + "\"",
                          std::string("lacks the required key \"") + key + "\"");
        return *it;
    }

    long long integer(const char* key, long long lo, long long hi) {
        const Json& v = require(key);
        if (!v.is_number_integer()) fail(key, "must be an integer, found " + v.dump());
        if (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(hi)) outOfRange(key, v, lo, hi);
        const long long x = v.get<long long>();
        if (x < lo || x > hi) outOfRange(key, v, lo, hi);
        return x;
    }

    std::uint64_t unsignedInteger(const char* key) {
        const Json& v = require(key);
        if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<long long>() >= 0))
            fail(key, "must be a non-negative integer, found " + v.dump());
        return v.get<std::uint64_t>();
    }

    double number(const char* key, double lo, double hi) {
        const Json& v = require(key);
        if (!v.is_number()) fail(key, "must be a number, found " + v.dump());
        const double x = v.get<double>();
        if (!std::isfinite(x) || x < lo || x > hi)
            fail(key, "must be in [" + fmt(lo) + ", " + fmt(hi) + "], found " + v.dump());
        return x;
    }

    bool boolean(const char* key) {
        const Json& v = require(key);
        if (!v.is_boolean()) fail(key, "must be true or false, found " + v.dump());
        return v.get<bool>();
    }

    std::string string(const char* key) {
        const Json& v = require(key);
        if (!v.is_string()) fail(key, "must be a string, found " + v.dump());
        return v.get<std::string>();
    }

    template <class E, std::size_t N>
    E choice(const char* key, const Named<E> (&table)[N]) {
        const std::string s = string(key);
        std::string accepted;
        for (const auto& [value, name] : table) {
            if (s == name) return value;
            accepted += (accepted.empty() ? "" : ", ") + std::string(name);
        }
        fail(key, "is \"" + s + "\"; accepted: " + accepted);
    }

    std::vector<int> widths(const char* key, std::size_t minCount, std::size_t maxCount) {
        const Json& v = require(key);
        if (!v.is_array() || v.size() < minCount || v.size() > maxCount)
            fail(key, "must be an array of " + std::to_string(minCount) + " to " + std::to_string(maxCount) +
                          " layer widths, found " + v.dump());
        std::vector<int> out;
        for (const Json& w : v) {
            if (!w.is_number_integer() || w.get<long long>() < 1 || w.get<long long>() > kMaxWidth)
                fail(key,
                     "must hold integer widths in [1, " + std::to_string(kMaxWidth) + "], found " + v.dump());
            out.push_back(w.get<int>());
        }
        return out;
    }

    Section object(const char* key) {
        const Json& v = require(key);
        if (!v.is_object()) fail(key, std::string("must be an object, found ") + v.type_name());
        return Section(v, dotted(key), file_, version_);
    }

    /// Unknown keys are errors: in a versioned format they are typos or a newer writer's additions.
    void finish() const {
        for (const auto& [key, value] : object_.items())
            if (!used_.count(key))
                fail(key, "is not a key of a version-" + std::to_string(version_) + " tokenizer checkpoint");
    }

private:
    std::string dotted(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
    [[noreturn]] void outOfRange(const char* key, const Json& v, long long lo, long long hi) const {
        fail(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], found " + v.dump());
    }
    static std::string fmt(double x) {
        std::ostringstream s;
        s << x;
        return s.str();
    }

    const Json& object_;
    std::string path_;
    const std::string& file_;
    std::set<std::string> used_;
    int version_;
};

void parseSuperpoints(Section s, SuperpointParams& p) {
    p.useDatasetSuperpoints = s.boolean("use_dataset_superpoints");
    p.normals.k = int(s.integer("normal_neighbours", 1, 1024));
    p.normals.sign = s.choice("normal_sign", kNormalSigns);
    p.eigenFeatures.anchorCount = std::size_t(s.integer("eigen_anchor_count", 0, 1ll << 40));
    p.eigenFeatures.anchorRatio = s.number("eigen_anchor_ratio", 0.0, 1.0);
    if (p.eigenFeatures.anchorCount == 0 && p.eigenFeatures.anchorRatio <= 0.0)
        s.fail("eigen_anchor_ratio", "must be positive when eigen_anchor_count is 0");
    p.eigenFeatures.k = int(s.integer("eigen_neighbours", 1, 1024));
    p.graphNeighbours = int(s.integer("graph_neighbours", 1, 1024));
    p.edgeWeighting = s.choice("edge_weighting", kEdgeWeightings);
    p.normalWeight = float(s.number("normal_weight", 0.0, 1e6));
    p.geometryWeight = float(s.number("geometry_weight", 0.0, 1e6));
    p.colorWeight = float(s.number("color_weight", 0.0, 1e6));
    p.regularization = s.number("regularization", 0.0, 1e12);
    p.minSuperpointSize = std::size_t(s.integer("min_superpoint_size", 0, 1ll << 40));
    p.smallMergeRule = s.choice("small_merge_rule", kMergeRules);
    if (s.version() >= 2) {
        Section pm = s.object("planar_merge");
        p.planarMerge.penalty = pm.number("penalty", 0.0, 1e6);
        p.planarMerge.featureWeight = pm.number("feature_weight", 0.0, 1e6);
        pm.finish();
    } else {
        p.planarMerge.penalty = 0.0;  // version 1 had no planar merge
    }
    Section cp = s.object("cut_pursuit");
    p.cutPursuit.maxIterations = int(cp.integer("max_iterations", 1, 10000));
    p.cutPursuit.tolerance = cp.number("tolerance", 0.0, 1.0);
    p.cutPursuit.kmeansIterations = int(cp.integer("kmeans_iterations", 1, 10000));
    p.cutPursuit.flowSteps = int(cp.integer("flow_steps", 1, 10000));
    p.cutPursuit.merge = cp.boolean("merge");
    p.cutPursuit.blockSize = std::size_t(cp.integer("block_size", 0, 1ll << 40));
    p.cutPursuit.regularization = p.regularization;
    cp.finish();
    s.finish();
}

void parseTokenizer(Section s, TokenizationParams& p) {
    p.tokenizer = s.choice("kind", kKinds);
    p.sampling.count = std::size_t(s.integer("num_tokens", 1, kMaxCheckpointTokens));
    p.grouping.groupSize = int(s.integer("group_size", 1, 4096));
    p.grouping.alpha = s.number("alpha", 1.0, 1e6);
    p.sampling.gamma = s.number("gamma", 0.0, 1.0);
    p.sampling.convention = s.choice("convention", kConventions);
    p.grouping.relativeNormalisation = s.boolean("rpn");
    p.sampling.minSuperpointSize = std::size_t(s.integer("sampling_min_superpoint_size", 0, 1ll << 40));
    const std::uint64_t seed = s.unsignedInteger("seed");
    p.sampling.seed = seed;
    p.sampling.firstIndex = -1;
    p.grouping.seed = seed;
    p.superpoints.eigenFeatures.seed = seed;
    // The pipeline sets the same mode from the kind; set here too so the struct is complete on its own.
    p.grouping.mode = p.tokenizer == TokenizerKind::Knn    ? GroupingMode::Knn
                      : p.tokenizer == TokenizerKind::Ball ? GroupingMode::Ball
                                                           : GroupingMode::SuperpointBall;
    parseSuperpoints(s.object("superpoints"), p.superpoints);
    s.finish();
}

OrderedJson configToJson(const TokenizerCheckpointConfig& c) {
    const TokenizationParams& t = c.tokenization;
    const SuperpointParams& sp = t.superpoints;
    OrderedJson j;
    j["format"] = kTokenizerCheckpointFormat;
    j["version"] = c.version;
    j["clip"] = {{"embed_dim", c.clip.embedDim},   {"vision_width", c.clip.visionWidth},
                 {"image_size", c.clip.imageSize}, {"patch_size", c.clip.patchSize},
                 {"layers", c.clip.layers},        {"heads", c.clip.heads}};
    j["pointnet"] = {{"input_dim", c.pointnet.inputDim},
                     {"first_mlp", c.pointnet.firstMlp},
                     {"second_mlp", c.pointnet.secondMlp},
                     {"output", c.pointnet.output},
                     {"norm", pointNetNormName(c.pointnet.norm)}};
    j["position_embedding"] = {{"bands", c.positionEmbedding.bands},
                               {"scale_by_radius", c.positionEmbedding.scaleByRadius},
                               {"max_period", c.positionEmbedding.maxPeriod}};
    OrderedJson superpoints = {{"use_dataset_superpoints", sp.useDatasetSuperpoints},
                               {"normal_neighbours", sp.normals.k},
                               {"normal_sign", nameOf(kNormalSigns, sp.normals.sign)},
                               {"eigen_anchor_count", sp.eigenFeatures.anchorCount},
                               {"eigen_anchor_ratio", sp.eigenFeatures.anchorRatio},
                               {"eigen_neighbours", sp.eigenFeatures.k},
                               {"graph_neighbours", sp.graphNeighbours},
                               {"edge_weighting", nameOf(kEdgeWeightings, sp.edgeWeighting)},
                               {"normal_weight", sp.normalWeight},
                               {"geometry_weight", sp.geometryWeight},
                               {"color_weight", sp.colorWeight},
                               {"regularization", sp.regularization},
                               {"min_superpoint_size", sp.minSuperpointSize},
                               {"small_merge_rule", nameOf(kMergeRules, sp.smallMergeRule)},
                               {"cut_pursuit",
                                {{"max_iterations", sp.cutPursuit.maxIterations},
                                 {"tolerance", sp.cutPursuit.tolerance},
                                 {"kmeans_iterations", sp.cutPursuit.kmeansIterations},
                                 {"flow_steps", sp.cutPursuit.flowSteps},
                                 {"merge", sp.cutPursuit.merge},
                                 {"block_size", sp.cutPursuit.blockSize}}}};
    if (c.version >= 2)
        superpoints["planar_merge"] = {{"penalty", sp.planarMerge.penalty},
                                       {"feature_weight", sp.planarMerge.featureWeight}};
    else if (sp.planarMerge.penalty > 0.0)
        throw InvalidArgument("a version-1 tokenizer checkpoint cannot hold the planar merge (penalty " +
                              std::to_string(sp.planarMerge.penalty) + "); write version " +
                              std::to_string(kTokenizerCheckpointVersion));
    j["tokenizer"] = {{"kind", nameOf(kKinds, t.tokenizer)},
                      {"num_tokens", t.sampling.count},
                      {"group_size", t.grouping.groupSize},
                      {"alpha", t.grouping.alpha},
                      {"gamma", t.sampling.gamma},
                      {"convention", nameOf(kConventions, t.sampling.convention)},
                      {"rpn", t.grouping.relativeNormalisation},
                      {"sampling_min_superpoint_size", t.sampling.minSuperpointSize},
                      {"seed", t.sampling.seed},
                      {"superpoints", std::move(superpoints)}};
    j["propagation"] = {{"epsilon", c.propagation.epsilon},
                        {"fallback_neighbours", c.propagation.fallbackNeighbours}};
    j["training"] = OrderedJson::parse(c.training.is_object() ? c.training.dump() : std::string("{}"));
    return j;
}

std::uint64_t elementCount(const std::vector<std::int64_t>& shape) {
    std::uint64_t n = 1;
    for (std::int64_t d : shape) n *= std::uint64_t(d);
    return n;
}

bool isFloatType(SafeTensorDType t) {
    return t == SafeTensorDType::F64 || t == SafeTensorDType::F32 || t == SafeTensorDType::F16 ||
           t == SafeTensorDType::BF16;
}

}  // namespace

const char* pointNetNormName(PointNetNorm norm) {
    return nameOf(kNorms, norm);
}

bool TokenizerCheckpointConfig::untrained() const {
    const auto it = training.is_object() ? training.find("untrained") : training.end();
    return training.is_object() && it != training.end() && it->is_boolean() && it->get<bool>();
}

std::vector<TokenizerTensorSpec> tokenizerTensorSpecs(const PointNetConfig& p) {
    std::vector<TokenizerTensorSpec> specs;
    auto mlp = [&](const std::string& prefix, int in, const std::vector<int>& outs) {
        for (std::size_t i = 0; i < outs.size(); ++i) {
            const std::string layer = prefix + "." + std::to_string(i);
            const std::int64_t out = outs[i];
            specs.push_back({layer + ".weight", {out, in}});
            specs.push_back({layer + ".bias", {out}});
            if (i + 1 < outs.size() && p.norm != PointNetNorm::None) {
                specs.push_back({layer + ".norm.weight", {out}});
                specs.push_back({layer + ".norm.bias", {out}});
                if (p.norm == PointNetNorm::BatchNorm) {
                    specs.push_back({layer + ".norm.running_mean", {out}});
                    specs.push_back({layer + ".norm.running_var", {out}});
                }
            }
            in = int(out);
        }
    };
    mlp("pointnet.first_mlp", p.inputDim, p.firstMlp);
    std::vector<int> second = p.secondMlp;
    second.push_back(p.output);
    mlp("pointnet.second_mlp", 2 * (p.firstMlp.empty() ? 0 : p.firstMlp.back()), second);
    return specs;
}

TokenizerCheckpointFiles tokenizerCheckpointFiles(const std::filesystem::path& checkpoint) {
    const auto ext = checkpoint.extension();
    if (ext == ".json" && !std::filesystem::is_directory(checkpoint))
        return {checkpoint, std::filesystem::path(checkpoint).replace_extension(".safetensors")};
    if (ext == ".safetensors" && !std::filesystem::is_directory(checkpoint))
        return {std::filesystem::path(checkpoint).replace_extension(".json"), checkpoint};
    return {checkpoint / kTokenizerConfigFileName, checkpoint / kTokenizerWeightsFileName};
}

TokenizerCheckpointConfig parseTokenizerConfig(const std::string& text, const std::string& fileName) {
    const Json root = parseGuardedJson(text, {fileName});
    if (!root.is_object())
        throw IoError(fileName, std::string("must hold a JSON object, found ") + root.type_name());

    Section top(root, "", fileName);
    // Format and version first: a newer file may have other keys, and its version is the useful message.
    const std::string format = top.string("format");
    if (format != kTokenizerCheckpointFormat)
        top.fail("format", "is \"" + format + "\", not \"" + kTokenizerCheckpointFormat +
                               "\": this is not an S4Token tokenizer checkpoint");
    const Json& version = top.require("version");
    if (!version.is_number_integer() || version.get<long long>() < 1)
        top.fail("version", "must be a positive integer, found " + version.dump());
    if (version.is_number_unsigned()
            ? version.get<std::uint64_t>() > std::uint64_t(kTokenizerCheckpointVersion)
            : version.get<long long>() > kTokenizerCheckpointVersion)
        top.fail("version",
                 "is " + version.dump() +
                     ": this checkpoint was written by a newer S4Studio (this build reads versions up to " +
                     std::to_string(kTokenizerCheckpointVersion) + "); update S4Studio to use it");

    TokenizerCheckpointConfig c;
    c.version = version.get<int>();
    top.setVersion(c.version);

    Section clip = top.object("clip");
    c.clip.embedDim = int(clip.integer("embed_dim", 1, kMaxWidth));
    c.clip.visionWidth = int(clip.integer("vision_width", 1, kMaxWidth));
    c.clip.imageSize = int(clip.integer("image_size", 1, kMaxWidth));
    c.clip.patchSize = int(clip.integer("patch_size", 1, c.clip.imageSize));
    c.clip.layers = int(clip.integer("layers", 1, 1024));
    c.clip.heads = int(clip.integer("heads", 1, c.clip.visionWidth));
    if (c.clip.visionWidth % c.clip.heads != 0)
        clip.fail("heads", "is " + std::to_string(c.clip.heads) + ", which does not divide vision_width " +
                               std::to_string(c.clip.visionWidth));
    clip.finish();

    Section pn = top.object("pointnet");
    c.pointnet.inputDim = int(pn.integer("input_dim", 3, 6));
    if (c.pointnet.inputDim != 3 && c.pointnet.inputDim != 6)
        pn.fail("input_dim", "must be 3 (offsets) or 6 (offsets and normals), found " +
                                 std::to_string(c.pointnet.inputDim));
    c.pointnet.firstMlp = pn.widths("first_mlp", 1, 16);
    c.pointnet.secondMlp = pn.widths("second_mlp", 0, 16);
    c.pointnet.output = int(pn.integer("output", 1, kMaxWidth));
    if (c.pointnet.output != c.clip.visionWidth)
        pn.fail("output", "is " + std::to_string(c.pointnet.output) +
                              " but the tokens must have the CLIP width " +
                              "clip.vision_width = " + std::to_string(c.clip.visionWidth));
    c.pointnet.norm = pn.choice("norm", kNorms);
    pn.finish();

    Section pe = top.object("position_embedding");
    c.positionEmbedding.bands =
        int(pe.integer("bands", 1, c.pointnet.output / 6 < 1 ? 1 : c.pointnet.output / 6));
    if (6 * c.positionEmbedding.bands > c.pointnet.output)
        pe.fail("bands", "needs 6 × bands ≤ the token width " + std::to_string(c.pointnet.output));
    c.positionEmbedding.scaleByRadius = pe.boolean("scale_by_radius");
    c.positionEmbedding.maxPeriod = pe.number("max_period", 1.0, 1e12);
    pe.finish();

    parseTokenizer(top.object("tokenizer"), c.tokenization);

    Section prop = top.object("propagation");
    c.propagation.epsilon = float(prop.number("epsilon", 1e-30, 1e6));
    c.propagation.fallbackNeighbours = int(prop.integer("fallback_neighbours", 1, 1024));
    prop.finish();

    if (top.has("training")) {
        const Json& training = top.require("training");
        if (!training.is_object())
            top.fail("training", std::string("must be an object, found ") + training.type_name());
        c.training = training;
    }
    top.finish();
    return c;
}

std::string tokenizerConfigJson(const TokenizerCheckpointConfig& config) {
    const std::string text = configToJson(config).dump(2) + "\n";
    // One validator for both directions: what this writes must read back.
    try {
        parseTokenizerConfig(text, "tokenizer checkpoint");
    } catch (const IoError& e) {
        throw InvalidArgument(e.what());
    }
    return text;
}

void checkTokenizerConfig(const TokenizerCheckpointConfig& config) {
    (void)tokenizerConfigJson(config);
}

TokenizerCheckpointConfig readTokenizerConfig(const std::filesystem::path& checkpoint) {
    const std::filesystem::path file = tokenizerCheckpointFiles(checkpoint).config;
    const std::string name = file.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
        throw IoError(name, "does not exist or is not a file (a tokenizer checkpoint is a folder with " +
                                std::string(kTokenizerConfigFileName) + " and " + kTokenizerWeightsFileName +
                                ")");
    const std::uintmax_t size = std::filesystem::file_size(file, ec);
    if (ec) throw IoError(name, "cannot be read: " + ec.message());
    if (size > kMaxConfigBytes)
        throw IoError(name, "is " + formatBytes(size) + "; a tokenizer description is at most " +
                                formatBytes(kMaxConfigBytes));
    std::ifstream in(file, std::ios::binary);
    if (!in) throw IoError(name, "cannot be opened");
    std::string text(std::size_t(size), '\0');
    in.read(text.data(), std::streamsize(size));
    if (in.gcount() != std::streamsize(size)) throw IoError(name, "could not be read completely");
    return parseTokenizerConfig(text, name);
}

TokenizerCheckpoint readTokenizerCheckpoint(const std::filesystem::path& checkpoint) {
    const TokenizerCheckpointFiles files = tokenizerCheckpointFiles(checkpoint);
    TokenizerCheckpoint result;
    result.config = readTokenizerConfig(checkpoint);

    const SafeTensorsFile weights(files.weights);
    const std::string& name = weights.fileName();
    const std::vector<TokenizerTensorSpec> specs = tokenizerTensorSpecs(result.config.pointnet);
    std::set<std::string> expected;
    for (const TokenizerTensorSpec& spec : specs) {
        expected.insert(spec.name);
        const std::string where = "tensor \"" + spec.name + "\"";
        if (!weights.contains(spec.name))
            throw IoError(name, where,
                          "is missing; the architecture declared in " + files.config.filename().string() +
                              " needs it with shape " + clip::formatShape(spec.shape));
        const SafeTensorInfo& info = weights.info(spec.name);
        if (info.shape != spec.shape)
            throw IoError(name, where,
                          "has shape " + clip::formatShape(info.shape) + " but the architecture declared in " +
                              files.config.filename().string() + " needs " + clip::formatShape(spec.shape));
        if (!isFloatType(info.dtype))
            throw IoError(name, where,
                          "has dtype " + std::string(safeTensorDTypeName(info.dtype)) +
                              "; weights must be F32, F16, BF16 or F64");
        TokenizerTensor tensor{spec.name, spec.shape, weights.toFloat32(spec.name)};
        for (std::size_t i = 0; i < tensor.values.size(); ++i) {
            if (!std::isfinite(tensor.values[i]))
                throw IoError(name, where, "holds a non-finite value at element " + std::to_string(i));
            if (spec.name.ends_with(".running_var") && tensor.values[i] < 0.0f)
                throw IoError(name, where, "holds a negative variance at element " + std::to_string(i));
        }
        result.tensors.push_back(std::move(tensor));
    }
    for (const std::string& n : weights.names())
        if (!expected.count(n))
            throw IoError(name, "tensor \"" + n + "\"",
                          "is not part of the architecture declared in " + files.config.filename().string());
    return result;
}

void writeTokenizerCheckpoint(const std::filesystem::path& folder, const TokenizerCheckpoint& checkpoint) {
    const std::string json = tokenizerConfigJson(checkpoint.config);
    const std::vector<TokenizerTensorSpec> specs = tokenizerTensorSpecs(checkpoint.config.pointnet);
    if (checkpoint.tensors.size() != specs.size())
        throw InvalidArgument("tokenizer checkpoint: " + std::to_string(checkpoint.tensors.size()) +
                              " tensors given, the architecture has " + std::to_string(specs.size()));
    std::vector<SafeTensorData> data;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const TokenizerTensor& t = checkpoint.tensors[i];
        if (t.name != specs[i].name || t.shape != specs[i].shape)
            throw InvalidArgument("tokenizer checkpoint: tensor " + std::to_string(i) + " is \"" + t.name +
                                  "\" " + clip::formatShape(t.shape) + ", the architecture expects \"" +
                                  specs[i].name + "\" " + clip::formatShape(specs[i].shape));
        if (t.values.size() != elementCount(t.shape))
            throw InvalidArgument("tokenizer checkpoint: tensor \"" + t.name + "\" has " +
                                  std::to_string(t.values.size()) + " values for shape " +
                                  clip::formatShape(t.shape));
        for (float v : t.values)
            if (!std::isfinite(v))
                throw InvalidArgument("tokenizer checkpoint: tensor \"" + t.name +
                                      "\" holds a non-finite value");
        data.push_back(SafeTensorData::fromFloat32(t.name, t.shape, t.values));
    }

    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) throw IoError(folder.string(), "cannot create the checkpoint folder: " + ec.message());
    // Weights first: tokenizer.json is what marks a folder as a checkpoint, so it goes last. An older
    // tokenizer.json is removed before the weights change, so that a write that fails half-way leaves a
    // folder that is not a checkpoint rather than the old configuration beside the new weights.
    std::filesystem::remove(folder / kTokenizerConfigFileName, ec);
    if (ec) throw IoError((folder / kTokenizerConfigFileName).string(), "cannot replace it: " + ec.message());
    writeSafeTensors(
        folder / kTokenizerWeightsFileName, data,
        {{"format", kTokenizerCheckpointFormat}, {"version", std::to_string(checkpoint.config.version)}});
    AtomicFileWriter out(folder / kTokenizerConfigFileName);
    out.write(json);
    out.commit();
}

}  // namespace s4
