#pragma once
// Small random CLIP models written in the formats users have (Hugging Face folder, OpenAI TorchScript
// archive, and a pickled state dict that must be refused), with a tiny but valid BPE vocabulary. For
// tests and demos that must not depend on downloaded weights. The same seed gives the same parameter
// values in every format, so loaders can be checked against each other. Torch-free header.

#include "core/model/clip/ClipConfig.h"
#include "core/model/weights/SafeTensors.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace s4::clip {

/// A float32 tensor on the host.
struct HostTensor {
    std::string name;
    std::vector<std::int64_t> shape;
    std::vector<float> values;  ///< row-major
};

/// The words the tiny vocabulary merges into single tokens ("a", "photo", "of", "chair", "table", ...).
std::vector<std::string> tinyClipWords();
/// Its merges in rank order (("c", "h"), ("ch", "a"), ..., ("chai", "r</w>")).
std::vector<std::pair<std::string, std::string>> tinyClipMerges();
/// Its vocabulary in id order, built as OpenAI's tokenizer does: the 256 byte characters, the same with
/// "</w>", the merged pairs, then <|startoftext|> and <|endoftext|> as the last two ids.
std::vector<std::string> tinyClipVocabulary();

/// Image 32 px, patch 8, vision width 128 × 2 layers × 2 heads, text width 128 × 2 layers × 2 heads,
/// context 77, vocabulary = tinyClipVocabulary().size(), embedding 32, QuickGELU. Widths are multiples
/// of 64 so OpenAI's heads = width / 64 rule gives the same model from a TorchScript archive.
ClipConfig tinyClipConfig();

/// Every parameter under OpenAI's names (clipParameterShapes order), drawn from a seeded generator:
/// weights ~ N(0, 1/fan_in), LayerNorm gains near 1, small non-zero biases, logit_scale near log(100).
std::vector<HostTensor> randomClipParameters(const ClipConfig& config, std::uint64_t seed);

/// The Hugging Face config.json of a configuration.
std::string huggingFaceClipConfigJson(const ClipConfig& config);

/// config.json, model.safetensors (Hugging Face names, q/k/v split, projections transposed, plus the
/// position_ids buffers older checkpoints carry) in `dtype` (F32, F16 or BF16), vocab.json and
/// merges.txt. Creates the folder. Throws InvalidArgument if the config's vocabulary is smaller than
/// the tiny vocabulary or the dtype is another one.
void writeRandomClipHuggingFaceFolder(const std::filesystem::path& dir, const ClipConfig& config,
                                      std::uint64_t seed, SafeTensorDType dtype = SafeTensorDType::F32);

/// A TorchScript archive nesting the parameters like OpenAI's (visual.transformer.resblocks.0.attn…),
/// plus bpe_simple_vocab_16e6.txt (the tiny merges) beside it. Throws InvalidArgument unless both
/// widths are multiples of 64 with heads = width / 64 (what a loader infers from an archive).
void writeRandomClipTorchScript(const std::filesystem::path& file, const ClipConfig& config,
                                std::uint64_t seed);

/// The same parameters pickled as torch.save(state_dict) would: a file loaders must refuse.
void writeRandomClipStateDict(const std::filesystem::path& file, const ClipConfig& config,
                              std::uint64_t seed);

/// vocab.json + merges.txt of the tiny vocabulary into a folder.
void writeTinyClipVocabulary(const std::filesystem::path& dir);
/// The tiny merges as an OpenAI merges file (header line, then one merge per line).
void writeTinyClipMerges(const std::filesystem::path& file);

}  // namespace s4::clip
