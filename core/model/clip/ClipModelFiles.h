#pragma once
// What a CLIP model's files say without building the model, behind a torch-free header: its configuration
// (checked against every tensor's shape) and its tokenizer, found by the same rules loadClipModel
// (ClipWeightLoader.h) uses. For the commands that need only these: tokenize-text reads no weights at all,
// init-tokenizer needs the widths and depths, not a model in memory.

#include "core/model/clip/ClipConfig.h"
#include "core/model/text/ClipTokenizer.h"

#include <filesystem>
#include <optional>
#include <string>

namespace s4::clip {

enum class ClipWeightFormat { HuggingFaceFolder, TorchScript, OpenAiSafeTensors };

/// "Hugging Face folder", "TorchScript archive", "safetensors (OpenAI names)".
std::string clipWeightFormatName(ClipWeightFormat format);

struct ClipModelInfo {
    ClipConfig config;
    ClipWeightFormat format = ClipWeightFormat::HuggingFaceFolder;
};

/// The configuration of the model at path (a Hugging Face folder, a TorchScript .pt/.pth or an
/// OpenAI-named .safetensors file) after checking that every tensor the model needs is there with the
/// right shape; the weights are not converted and no model is built. Safetensors are read by their
/// headers only; a TorchScript archive has no header, so its tensors are read (and its warning logged).
/// Throws the same IoErrors as loadClipModel.
ClipModelInfo inspectClipModel(const std::filesystem::path& path);

/// The tokenizer of the model at path: mergesPath when given (a BPE merges file
/// bpe_simple_vocab_16e6.txt[.gz], or a folder with vocab.json + merges.txt), else the one beside the
/// weights (a Hugging Face folder's vocab.json + merges.txt; for a file, vocab.json + merges.txt or
/// bpe_simple_vocab_16e6.txt[.gz] in its folder). nullopt when there is none; throws IoError for a
/// missing model path or an unreadable tokenizer file.
std::optional<ClipTokenizer> findClipTokenizer(const std::filesystem::path& path,
                                               const std::filesystem::path& mergesPath = {});

}  // namespace s4::clip
