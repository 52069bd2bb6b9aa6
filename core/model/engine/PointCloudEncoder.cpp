#include "core/model/engine/PointCloudEncoder.h"

#include "core/common/Error.h"
#include "core/model/clip/ClipEngineAccess.h"
#include "core/model/encoder/S4TokenEncoder.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <string>

namespace s4 {

struct PointCloudEncoder::Impl {
    encoder::S4TokenEncoder encoder{nullptr};
    c10::Device device = c10::kCPU;
};

PointCloudEncoder::PointCloudEncoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PointCloudEncoder::PointCloudEncoder(PointCloudEncoder&&) noexcept = default;
PointCloudEncoder& PointCloudEncoder::operator=(PointCloudEncoder&&) noexcept = default;
PointCloudEncoder::~PointCloudEncoder() = default;

PointCloudEncoder PointCloudEncoder::load(const std::filesystem::path& checkpoint, const ClipEngine& clip) {
    auto impl = std::make_unique<Impl>();
    impl->device = clip::ClipEngineAccess::device(clip);
    impl->encoder = encoder::loadS4TokenEncoder(checkpoint, clip::visionTransformerOf(clip));
    impl->encoder->to(impl->device);
    return PointCloudEncoder(std::move(impl));
}

const TokenizerCheckpointConfig& PointCloudEncoder::checkpoint() const {
    return impl_->encoder->config();
}

PointFeatureField PointCloudEncoder::encode(const std::vector<Eigen::Vector3f>& points,
                                            const std::vector<std::int32_t>& superpoints,
                                            const Patches& patches, const Progress& progress) const {
    const TokenizerCheckpointConfig& config = checkpoint();
    const std::size_t n = patches.count;
    const std::size_t m = std::size_t(patches.groupSize > 0 ? patches.groupSize : 0);
    if (n == 0 || m == 0) throw InvalidArgument("PointCloudEncoder: no patches to encode");
    if (patches.offsets.size() != n * m || patches.valid.size() != n * m || patches.centres.size() != n ||
        patches.centrePositions.size() != n)
        throw InvalidArgument("PointCloudEncoder: the patch tables do not have N = " + std::to_string(n) +
                              " rows of M = " + std::to_string(m) + " members");
    if (!superpoints.empty() && superpoints.size() != points.size())
        throw InvalidArgument("PointCloudEncoder: " + std::to_string(superpoints.size()) +
                              " superpoint labels for " + std::to_string(points.size()) + " points");
    if (config.pointnet.inputDim != 3)
        throw InvalidArgument(
            "PointCloudEncoder: the tokenizer checkpoint expects per-member normals (input_dim " +
            std::to_string(config.pointnet.inputDim) + "), which this version does not supply");
    const bool rpn = config.tokenization.grouping.relativeNormalisation;
    if (patches.normalised != rpn)
        throw InvalidArgument(std::string("PointCloudEncoder: the patches were grouped ") +
                              (patches.normalised ? "with" : "without") +
                              " relative position normalisation, but the tokenizer checkpoint was trained " +
                              (rpn ? "with" : "without") + " it");
    if (config.positionEmbedding.scaleByRadius && !(patches.radius > 0.0f))
        throw InvalidArgument(
            "PointCloudEncoder: the patch radius r is 0; the position embedding divides by it");
    progress.check();

    std::vector<float> centreFeatures;
    std::vector<float> cls;
    int dim = 0;
    {
        c10::InferenceMode inference;
        const auto n64 = std::int64_t(n), m64 = std::int64_t(m);
        // Eigen::Vector3f is three packed floats, so the tables are N×M×3 / N×3 float arrays as they are.
        static_assert(sizeof(Eigen::Vector3f) == 3 * sizeof(float));
        const torch::Tensor offsets =
            at::from_blob(const_cast<Eigen::Vector3f*>(patches.offsets.data()), {1, n64, m64, 3}, at::kFloat);
        const torch::Tensor valid =
            at::from_blob(const_cast<std::uint8_t*>(patches.valid.data()), {1, n64, m64}, at::kByte);
        const torch::Tensor centres = at::from_blob(
            const_cast<Eigen::Vector3f*>(patches.centrePositions.data()), {1, n64, 3}, at::kFloat);
        const torch::Tensor radius = at::full({1}, patches.radius, at::kFloat);

        const auto out = impl_->encoder->forward(offsets.to(impl_->device), valid.to(impl_->device),
                                                 centres.to(impl_->device), radius.to(impl_->device));
        const torch::Tensor patchRows = out.patches[0].to(at::kCPU, at::kFloat).contiguous();
        const torch::Tensor clsRow = out.cls[0].to(at::kCPU, at::kFloat).contiguous();
        dim = int(patchRows.size(1));
        centreFeatures.assign(patchRows.data_ptr<float>(), patchRows.data_ptr<float>() + patchRows.numel());
        cls.assign(clsRow.data_ptr<float>(), clsRow.data_ptr<float>() + clsRow.numel());
    }
    progress.report(0.5);
    progress.check();

    PropagationWeights weights = runFeaturePropagation(points, superpoints, patches.centres,
                                                       config.propagation, progress.sub(0.5, 1.0));
    return makePointFeatureField(std::move(weights), std::move(centreFeatures), dim, std::move(cls));
}

}  // namespace s4
