#pragma once
// The S4Token encoder behind a torch-free header (S4TOKEN.md §4–§5): loads a tokenizer checkpoint
// (docs/CHECKPOINT_FORMAT.md) against a loaded CLIP, and turns a tokenized cloud (its Patches) into
// factored per-point CLIP-space features: the encoder's [cls] and N patch features, spread back to
// every point by superpoint-aware propagation. Tokenize with checkpoint().tokenization so the patches
// are what Θ was trained on.

#include "core/common/Progress.h"
#include "core/model/encoder/TokenizerCheckpoint.h"
#include "core/openvocab/PointFeatureField.h"
#include "core/tokenize/PatchGrouping.h"

#include <Eigen/Core>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

namespace s4 {

class ClipEngine;

class PointCloudEncoder {
public:
    /// Reads and validates the checkpoint and binds it to `clip`'s vision transformer (which it keeps
    /// alive; `clip` itself may go). Throws IoError for the files, InvalidArgument when the checkpoint
    /// was trained for another CLIP ("tokenizer checkpoint was trained for a CLIP with width 768, this
    /// model has 64"). Logs a warning for an untrained checkpoint.
    static PointCloudEncoder load(const std::filesystem::path& checkpoint, const ClipEngine& clip);

    PointCloudEncoder(PointCloudEncoder&&) noexcept;
    PointCloudEncoder& operator=(PointCloudEncoder&&) noexcept;
    ~PointCloudEncoder();

    /// What the checkpoint says, tokenization parameters included.
    const TokenizerCheckpointConfig& checkpoint() const;

    /// Encodes one cloud in one batch (no gradients) and propagates the N patch features to every
    /// point (runFeaturePropagation with the checkpoint's propagation parameters). `superpoints` is
    /// empty or one label per point; `patches` come from runPatchGrouping on these points. The field's
    /// dim is the CLIP embedding dimension and it carries the [cls] feature. Throws InvalidArgument
    /// for inconsistent inputs or patches grouped with/without RPN against the checkpoint, Cancelled.
    PointFeatureField encode(const std::vector<Eigen::Vector3f>& points,
                             const std::vector<std::int32_t>& superpoints, const Patches& patches,
                             const Progress& progress = {}) const;

private:
    struct Impl;
    explicit PointCloudEncoder(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace s4
