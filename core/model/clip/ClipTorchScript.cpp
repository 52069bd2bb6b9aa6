#include "core/model/clip/ClipTorchScript.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"

#include <ATen/ATen.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace s4::clip {

namespace fs = std::filesystem;

namespace {

std::string firstLine(const std::string& text) {
    const auto end = text.find('\n');
    return text.substr(0, std::min<std::size_t>(end == std::string::npos ? text.size() : end, 300));
}

// Reads the first `head` bytes and the last `tail` bytes (a zip's central directory, which names every
// entry, sits at the end).
std::pair<std::string, std::string> headAndTail(const fs::path& file, std::size_t head, std::size_t tail) {
    std::ifstream in(file, std::ios::binary);
    std::string first(head, '\0');
    in.read(first.data(), std::streamsize(head));
    first.resize(std::size_t(in.gcount()));
    in.clear();
    in.seekg(0, std::ios::end);
    const auto size = std::uint64_t(in.tellg());
    const auto start = size > tail ? size - tail : 0;
    in.seekg(std::streamoff(start));
    std::string last(std::size_t(size - start), '\0');
    in.read(last.data(), std::streamsize(last.size()));
    last.resize(std::size_t(in.gcount()));
    return {first, last};
}

[[noreturn]] void throwNotTorchScript(const fs::path& file, const std::string& loaderMessage) {
    const std::string name = file.string();
    const std::string convert =
        "; unpickling can execute arbitrary code, so S4Studio does not read it: convert it to safetensors in "
        "Python (safetensors.torch.save_file(torch.load(f, weights_only=True), 'model.safetensors')) or use "
        "a "
        "Hugging Face CLIP folder";
    const auto [head, tail] = headAndTail(file, 4, 4u << 20);
    if (head.size() >= 4 && head.compare(0, 4, "PK\x03\x04") == 0) {
        // torch.save writes <archive>/data.pkl; torch.jit.save adds constants.pkl and code/.
        if (tail.find("data.pkl") != std::string::npos && tail.find("constants.pkl") == std::string::npos)
            throw IoError(
                name, "is a pickled PyTorch state dict (torch.save), not a TorchScript archive" + convert);
        throw IoError(name, "is a zip archive but not a loadable TorchScript archive (" +
                                firstLine(loaderMessage) + ")");
    }
    if (!head.empty() && static_cast<unsigned char>(head[0]) == 0x80)
        throw IoError(
            name,
            "is a legacy pickled PyTorch file (torch.save before 1.6), not a TorchScript archive" + convert);
    throw IoError(name, "is not a TorchScript archive (" + firstLine(loaderMessage) + ")");
}

void writeAtomically(const fs::path& file, const char* data, std::size_t size) {
    AtomicFileWriter out(file);
    out.write(data, size);
    out.commit();
}

}  // namespace

NamedTensors readTorchScriptTensors(const fs::path& file) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
        throw IoError(file.string(), "does not exist or is not a regular file");
    torch::jit::Module module;
    try {
        // Tensors saved on a GPU come back on the CPU; no method of the archive is run.
        module = torch::jit::load(file.string(), c10::Device(c10::kCPU));
    } catch (const std::exception& e) {
        throwNotTorchScript(file, e.what());
    }
    NamedTensors tensors;
    for (const auto& parameter : module.named_parameters(/*recurse=*/true))
        tensors.emplace_back(parameter.name, parameter.value.detach());
    for (const auto& buffer : module.named_buffers(/*recurse=*/true))
        tensors.emplace_back(buffer.name, buffer.value.detach());
    return tensors;
}

void writeTorchScriptTensors(const fs::path& file, const NamedTensors& tensors) {
    torch::jit::Module root(c10::QualifiedName("__torch__.s4clip.Model"));
    std::map<std::string, torch::jit::Module> modules;
    for (const auto& [name, tensor] : tensors) {
        std::vector<std::string> parts;
        std::stringstream split(name);
        for (std::string part; std::getline(split, part, '.');) parts.push_back(part);
        if (name.empty() || name.back() == '.' ||
            std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); }))
            throw InvalidArgument("TorchScript writer: malformed tensor name \"" + name + "\"");
        torch::jit::Module parent = root;
        std::string path;
        for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
            path += (i ? "." : "") + parts[i];
            auto it = modules.find(path);
            if (it == modules.end()) {
                // A class per path: types with different attribute sets must not share a name.
                torch::jit::Module child(
                    c10::QualifiedName("__torch__.s4clip.M" + std::to_string(modules.size())));
                parent.register_module(parts[i], child);
                it = modules.emplace(path, child).first;
            }
            parent = it->second;
        }
        parent.register_parameter(parts.back(), tensor.detach().contiguous(), /*is_buffer=*/false);
    }
    std::ostringstream bytes;
    root.save(bytes);
    const std::string data = bytes.str();
    writeAtomically(file, data.data(), data.size());
}

void writePickledStateDict(const fs::path& file, const NamedTensors& tensors) {
    c10::Dict<std::string, at::Tensor> dict;
    for (const auto& [name, tensor] : tensors) dict.insert(name, tensor.detach().contiguous());
    const std::vector<char> data = torch::jit::pickle_save(c10::IValue(dict));
    writeAtomically(file, data.data(), data.size());
}

}  // namespace s4::clip
