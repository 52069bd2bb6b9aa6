#pragma once
// TorchScript archives (.pt written by torch.jit.save, as OpenAI distributes CLIP) as plain named
// tensors. The only place that touches torch::jit (a heavy include). Only tensors are taken from the
// archive and none of its methods is called here, but torch::jit::load itself runs an archive's own
// __setstate__ methods while deserialising it, so a crafted archive can execute TorchScript code on
// load: safetensors is the format to use for models from untrusted sources.

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace s4::clip {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

/// Every parameter and buffer of a TorchScript module tree under its dotted name
/// ("visual.conv1.weight"), on the CPU, in the archive's dtype. Throws IoError naming the file when it
/// is not a TorchScript archive; a pickled state dict (torch.save(model.state_dict())) gets its own
/// message saying to convert it to safetensors, since unpickling can run arbitrary code.
NamedTensors readTorchScriptTensors(const std::filesystem::path& file);

/// Writes a method-less TorchScript module tree whose parameters are `tensors` under their dotted
/// names (a submodule per name component, e.g. visual → transformer → resblocks → 0 → attn), the way
/// an OpenAI archive nests them. Atomic. Throws InvalidArgument for an empty or malformed name.
void writeTorchScriptTensors(const std::filesystem::path& file, const NamedTensors& tensors);

/// Writes `tensors` as torch.save(state_dict) does (a zip archive holding data.pkl): what users
/// sometimes have instead of TorchScript. Atomic.
void writePickledStateDict(const std::filesystem::path& file, const NamedTensors& tensors);

}  // namespace s4::clip
