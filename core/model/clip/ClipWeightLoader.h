#pragma once
// Loading a pretrained CLIP from the files users have: a Hugging Face CLIP folder (config.json +
// model.safetensors, optionally sharded, + vocab.json/merges.txt), an OpenAI TorchScript archive
// (ViT-B-16.pt with bpe_simple_vocab_16e6.txt.gz), or a single safetensors file under OpenAI's names
// (open_clip's export; its open_clip_config.json beside it gives the head width and the activation,
// which the shapes do not show — without it OpenAI's layout is assumed, with a warning). Every tensor is checked against the configuration before any memory is
// allocated for the model; weights come in as float32 (F32, F16, BF16, F64 accepted).

#include "core/model/clip/ClipModelFiles.h"
#include "core/model/clip/ClipModules.h"
#include "core/model/text/ClipTokenizer.h"

#include <filesystem>
#include <optional>
#include <string>

namespace s4::clip {

struct ClipLoadOptions {
    /// A BPE merges file (bpe_simple_vocab_16e6.txt[.gz]) or a folder with vocab.json + merges.txt.
    /// Empty: the tokenizer beside the weights, if any (findClipTokenizer in ClipModelFiles.h).
    std::filesystem::path mergesPath;
};

struct LoadedClip {
    ClipConfig config;
    ClipModel model{nullptr};                ///< on the CPU, eval mode, requires_grad off everywhere
    std::optional<ClipTokenizer> tokenizer;  ///< absent when no vocabulary was found
    ClipWeightFormat format = ClipWeightFormat::HuggingFaceFolder;
    std::filesystem::path source;
};

/// Loads a CLIP model from a Hugging Face folder, a TorchScript .pt/.pth or an OpenAI-named .safetensors
/// file. Throws IoError naming the file: for a missing path, a folder without config.json or weights,
/// a pytorch_model.bin-only folder or pickled state dict (convert to safetensors), a non-TorchScript
/// .pt, non-float or non-finite weights, and — in one message — every tensor that is missing or has the
/// wrong shape (expected vs found). Unexpected extra tensors are logged and ignored. A TorchScript
/// archive logs a warning: loading it can run code it carries (torch::jit::load runs its __setstate__
/// methods); safetensors is recommended.
LoadedClip loadClipModel(const std::filesystem::path& path, const ClipLoadOptions& options = {});

}  // namespace s4::clip
