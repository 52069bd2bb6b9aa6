#include "core/model/engine/ClipEngine.h"

#include "core/common/Error.h"
#include "core/model/clip/ClipEngineAccess.h"
#include "core/model/clip/ClipWeightLoader.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <cmath>
#include <cstring>
#include <sstream>

namespace s4 {

namespace {

// Bounded batches keep the attention matrices (B×H×L×L) small whatever the caller passes.
constexpr std::size_t kTextBatch = 64;
constexpr std::size_t kImageBatch = 16;

at::Tensor normalized(const at::Tensor& x) {
    return x / x.norm(2, -1, /*keepdim=*/true).clamp_min(1e-12);
}

std::vector<std::vector<float>> toRows(const at::Tensor& matrix) {
    const auto cpu = matrix.to(at::kCPU, at::kFloat).contiguous();
    const std::int64_t rows = cpu.size(0), cols = cpu.size(1);
    std::vector<std::vector<float>> out(static_cast<std::size_t>(rows),
                                        std::vector<float>(static_cast<std::size_t>(cols)));
    const float* data = cpu.data_ptr<float>();
    for (std::int64_t r = 0; r < rows; ++r)
        std::memcpy(out[std::size_t(r)].data(), data + r * cols, std::size_t(cols) * 4);
    return out;
}

}  // namespace

struct ClipEngine::Impl {
    clip::LoadedClip loaded;
    c10::Device device{c10::kCPU};
    /// float32 on the CPU and float16 on CUDA by default (halves memory and uses the tensor cores; CLIP
    /// itself was trained in mixed precision, so its weights are fp16-safe); bfloat16 on request.
    ComputePrecision precision = ComputePrecision::Float32;
    at::ScalarType dtype = at::kFloat;
    std::int64_t parameterCount = 0;

    void checkImage(const std::vector<float>& image, std::size_t index) const {
        const std::int64_t s = loaded.config.vision.imageSize;
        if (std::int64_t(image.size()) != 3 * s * s)
            throw InvalidArgument("CLIP image " + std::to_string(index) + " has " +
                                  std::to_string(image.size()) + " values; the model takes 3×" +
                                  std::to_string(s) + "×" + std::to_string(s) + " = " +
                                  std::to_string(3 * s * s));
        for (float v : image)
            if (!std::isfinite(v))
                throw InvalidArgument("CLIP image " + std::to_string(index) +
                                      " holds NaN or infinite values");
    }

    // Images [first, first + count) as a B×3×S×S tensor on the model's device.
    at::Tensor imageBatch(const std::vector<std::vector<float>>& images, std::size_t first,
                          std::size_t count) const {
        const std::int64_t s = loaded.config.vision.imageSize;
        auto batch = at::empty({std::int64_t(count), 3, s, s}, at::kFloat);
        for (std::size_t i = 0; i < count; ++i) {
            checkImage(images[first + i], first + i);
            std::memcpy(batch[std::int64_t(i)].data_ptr<float>(), images[first + i].data(),
                        images[first + i].size() * 4);
        }
        return batch.to(device, dtype);
    }
};

ClipEngine::ClipEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ClipEngine::ClipEngine(ClipEngine&&) noexcept = default;
ClipEngine& ClipEngine::operator=(ClipEngine&&) noexcept = default;
ClipEngine::~ClipEngine() = default;

ClipEngine ClipEngine::load(const std::filesystem::path& path, const ClipEngineOptions& options) {
    requireComputeDevice(options.device);
    const ComputePrecision precision = resolveComputePrecision(options.device, options.precision);  // before any loading
    setTorchThreads(options.threads);
    auto impl = std::make_unique<Impl>();
    impl->loaded = clip::loadClipModel(path, clip::ClipLoadOptions{options.mergesPath});
    impl->device = options.device == ComputeDevice::Cuda ? c10::Device(c10::kCUDA) : c10::Device(c10::kCPU);
    impl->precision = precision;
    impl->dtype = impl->precision == ComputePrecision::Float16    ? at::kHalf
                  : impl->precision == ComputePrecision::BFloat16 ? at::kBFloat16
                                                                  : at::kFloat;
    impl->loaded.model->to(impl->device, impl->dtype);
    for (const auto& p : impl->loaded.model->parameters()) impl->parameterCount += p.numel();
    return ClipEngine(std::move(impl));
}

const clip::ClipConfig& ClipEngine::config() const {
    return impl_->loaded.config;
}

std::string ClipEngine::description() const {
    std::ostringstream s;
    s.precision(3);
    s << clip::describeClipConfig(impl_->loaded.config) << "; " << impl_->loaded.source.string() << " ("
      << clip::clipWeightFormatName(impl_->loaded.format) << ", " << double(impl_->parameterCount) / 1e6
      << " M parameters); tokenizer " << (hasTokenizer() ? "loaded" : "missing") << "; device "
      << impl_->device.str() << ", " << computePrecisionName(impl_->precision);
    return s.str();
}

ComputePrecision ClipEngine::precision() const {
    return impl_->precision;
}

bool ClipEngine::hasTokenizer() const {
    return impl_->loaded.tokenizer.has_value();
}

std::vector<std::vector<std::int32_t>> ClipEngine::tokenize(const std::vector<std::string>& texts) const {
    if (!impl_->loaded.tokenizer)
        throw InvalidArgument(
            "the CLIP model " + impl_->loaded.source.string() +
            " came without a tokenizer: give the BPE merges file (bpe_simple_vocab_16e6.txt.gz, "
            "or a folder with vocab.json + merges.txt) as the merges path");
    return impl_->loaded.tokenizer->tokenize(texts, impl_->loaded.config.text.contextLength);
}

std::vector<std::vector<float>> ClipEngine::embedText(const std::vector<std::string>& texts,
                                                      bool normalize) const {
    const auto rows = tokenize(texts);
    const std::int64_t embed = impl_->loaded.config.embedDim;
    std::vector<std::vector<float>> out;
    out.reserve(rows.size());
    c10::InferenceMode inference;
    for (std::size_t first = 0; first < rows.size(); first += kTextBatch) {
        const std::size_t count = std::min(kTextBatch, rows.size() - first);
        const std::int64_t length = std::int64_t(rows[first].size());
        auto ids = at::empty({std::int64_t(count), length}, at::kLong);
        auto* data = ids.data_ptr<std::int64_t>();
        for (std::size_t i = 0; i < count; ++i)
            for (std::int64_t j = 0; j < length; ++j)
                data[std::int64_t(i) * length + j] = rows[first + i][std::size_t(j)];
        // Normalised in float32 whatever the model's precision (a half-precision norm of a 512-vector
        // loses digits the caller would see).
        auto features = impl_->loaded.model->encodeText(ids.to(impl_->device)).to(at::kFloat);
        if (normalize) features = normalized(features);
        for (auto& row : toRows(features.reshape({std::int64_t(count), embed})))
            out.push_back(std::move(row));
    }
    return out;
}

std::vector<std::vector<float>> ClipEngine::embedImages(const std::vector<std::vector<float>>& images,
                                                        bool normalize) const {
    std::vector<std::vector<float>> out;
    out.reserve(images.size());
    c10::InferenceMode inference;
    for (std::size_t first = 0; first < images.size(); first += kImageBatch) {
        const std::size_t count = std::min(kImageBatch, images.size() - first);
        auto features = impl_->loaded.model->encodeImage(impl_->imageBatch(images, first, count)).to(at::kFloat);
        if (normalize) features = normalized(features);
        for (auto& row : toRows(features)) out.push_back(std::move(row));
    }
    return out;
}

std::vector<float> ClipEngine::denseImageFeatures(const std::vector<float>& image, bool normalize) const {
    c10::InferenceMode inference;
    auto features = impl_->loaded.model->visual->denseFeatures(impl_->imageBatch({image}, 0, 1))[0].to(at::kFloat);
    if (normalize) features = normalized(features);
    const auto cpu = features.to(at::kCPU, at::kFloat).contiguous();
    return std::vector<float>(cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
}

int ClipEngine::patchGridSize() const {
    return clip::patchGridSize(impl_->loaded.config.vision);
}

float ClipEngine::logitScale() const {
    return float(impl_->loaded.model->logitScaleValue());
}

namespace clip {

ClipModel& ClipEngineAccess::model(const ClipEngine& engine) {
    return engine.impl_->loaded.model;
}

c10::Device ClipEngineAccess::device(const ClipEngine& engine) {
    return engine.impl_->device;
}

}  // namespace clip

}  // namespace s4
