#pragma once
// The versioned S4Token tokenizer checkpoint (docs/CHECKPOINT_FORMAT.md): what the pretraining job writes
// and every consumer reads. A folder holding
//   tokenizer.json         format, version, the CLIP it was trained against, the Θ architecture, the
//                          position embedding, every parameter of the tokenization (superpoints, WFPS,
//                          grouping, propagation) and free-form training provenance;
//   tokenizer.safetensors  Θ's weights under the names tokenizerTensorSpecs() lists.
// Reading validates everything against the declared architecture and throws IoError naming the file and
// the key or tensor; writing is atomic. Torch-free: the encoder turns the float vectors into tensors.

#include "core/pipeline/TokenizationPipeline.h"
#include "core/tokenize/FeaturePropagation.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace s4 {

inline constexpr const char* kTokenizerCheckpointFormat = "s4token-tokenizer";
/// The newest version this build reads and writes. 2 added superpoints.planar_merge (version-1 files are
/// read with the planar merge off, which is how they were made).
inline constexpr int kTokenizerCheckpointVersion = 2;
inline constexpr const char* kTokenizerConfigFileName = "tokenizer.json";
inline constexpr const char* kTokenizerWeightsFileName = "tokenizer.safetensors";
/// Most tokens N a checkpoint may ask for: all N tokens pass the ViT together, and its attention holds
/// heads × N² scores per layer (12 × 8192² floats = 3.2 GB at this limit).
inline constexpr int kMaxCheckpointTokens = 8192;

/// The CLIP vision tower the tokenizer was trained against; Θ's output width must equal visionWidth.
struct TokenizerClipShape {
    int embedDim = 512;     ///< E: the joint image/text space
    int visionWidth = 768;  ///< W: the ViT's token width
    int imageSize = 224;
    int patchSize = 16;
    int layers = 12;
    int heads = 12;
    bool operator==(const TokenizerClipShape&) const = default;
};

/// Normalisation after each hidden layer of Θ's MLPs (before the ReLU).
enum class PointNetNorm {
    None,
    LayerNorm,  ///< per point over channels, eps 1e-5
    BatchNorm,  ///< Point-BERT's choice; inference uses the running statistics, eps 1e-5
};
const char* pointNetNormName(PointNetNorm norm);  ///< "none", "layer_norm", "batch_norm"

/// Θ, the mini-PointNet of S4TOKEN.md §4. firstMlp: inputDim → firstMlp[0] → … → F = firstMlp.back();
/// max-pool over valid members; [pooled, per-point] (2F) → secondMlp[0] → … → output; max-pool.
/// Every layer but the last of each MLP is followed by the norm and a ReLU.
struct PointNetConfig {
    int inputDim = 3;  ///< 3: RPN offsets z_j; 6: offsets and normals
    std::vector<int> firstMlp = {128, 256};
    std::vector<int> secondMlp = {512};
    int output = 768;  ///< W, must equal the CLIP vision width
    PointNetNorm norm = PointNetNorm::LayerNorm;
    bool operator==(const PointNetConfig&) const = default;
};

/// Sin-cos embedding of the centre positions (S4TOKEN.md §4, App. A.2); layout in PositionEmbedding.h.
struct PositionEmbeddingConfig {
    int bands = 128;             ///< B frequencies per axis; 6B ≤ W values, the rest of the W are 0
    bool scaleByRadius = true;   ///< Δp = (p_t − mean p)/r [project choice], else p_t − mean p
    double maxPeriod = 10000.0;  ///< T: ω_k = T^(−k/B), k = 0..B−1
    bool operator==(const PositionEmbeddingConfig&) const = default;
};

/// Everything tokenizer.json says.
struct TokenizerCheckpointConfig {
    int version = kTokenizerCheckpointVersion;
    TokenizerClipShape clip;
    PointNetConfig pointnet;
    PositionEmbeddingConfig positionEmbedding;
    /// The whole tokenization; one "seed" sets sampling, grouping and eigen-feature seeds alike; thread
    /// counts are not stored (they do not change results).
    TokenizationParams tokenization;
    PropagationParams propagation;
    nlohmann::json training = nlohmann::json::object();  ///< free-form provenance

    /// True when "training" says {"untrained": true} (writeRandomTokenizerCheckpoint).
    bool untrained() const;
};

/// One Θ tensor: its name and shape.
struct TokenizerTensorSpec {
    std::string name;
    std::vector<std::int64_t> shape;
};

/// The tensors a checkpoint of this architecture holds, in file order (docs/CHECKPOINT_FORMAT.md):
/// pointnet.{first,second}_mlp.{i}.{weight [out, in], bias [out]} and, after hidden layers,
/// pointnet.{first,second}_mlp.{i}.norm.{weight, bias[, running_mean, running_var]}.
std::vector<TokenizerTensorSpec> tokenizerTensorSpecs(const PointNetConfig& pointnet);

/// One tensor's values, float32 row-major.
struct TokenizerTensor {
    std::string name;
    std::vector<std::int64_t> shape;
    std::vector<float> values;
};

struct TokenizerCheckpoint {
    TokenizerCheckpointConfig config;
    std::vector<TokenizerTensor> tensors;  ///< in tokenizerTensorSpecs() order
};

/// The two files of a checkpoint given as a folder (folder/tokenizer.json, folder/tokenizer.safetensors)
/// or as its .json file (the .safetensors of the same stem beside it).
struct TokenizerCheckpointFiles {
    std::filesystem::path config;
    std::filesystem::path weights;
};
TokenizerCheckpointFiles tokenizerCheckpointFiles(const std::filesystem::path& checkpoint);

/// Parses tokenizer.json text; `fileName` names the file in errors. Throws IoError for a wrong format,
/// a newer version ("written by a newer S4Studio"), a missing, unknown or mistyped key, or a value out of
/// range, each naming the key.
TokenizerCheckpointConfig parseTokenizerConfig(const std::string& text, const std::string& fileName);
/// The JSON text of a config (every key written, pretty-printed). Throws InvalidArgument if the config
/// would not read back (checkTokenizerConfig).
std::string tokenizerConfigJson(const TokenizerCheckpointConfig& config);
/// Throws InvalidArgument naming the first parameter that parseTokenizerConfig would refuse.
void checkTokenizerConfig(const TokenizerCheckpointConfig& config);

/// Reads tokenizer.json only (cheap: for showing what a checkpoint does). Throws IoError.
TokenizerCheckpointConfig readTokenizerConfig(const std::filesystem::path& checkpoint);
/// Reads and validates both files: every tensor of tokenizerTensorSpecs() present with its shape and a
/// floating-point dtype, no other tensor, all values finite, running variances ≥ 0. Throws IoError.
TokenizerCheckpoint readTokenizerCheckpoint(const std::filesystem::path& checkpoint);
/// Writes folder/tokenizer.safetensors then folder/tokenizer.json, each atomically (the folder is
/// created). Throws InvalidArgument if the tensors do not match the config, IoError on a write failure.
void writeTokenizerCheckpoint(const std::filesystem::path& folder, const TokenizerCheckpoint& checkpoint);

}  // namespace s4
