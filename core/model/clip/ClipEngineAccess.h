#pragma once
// The torch side of a ClipEngine, for torch code only (the S4Token encoder runs its own tokens
// through the engine's VisionTransformer). Includes LibTorch module headers.

#include "core/model/clip/ClipModules.h"
#include "core/model/engine/ClipEngine.h"

#include <c10/core/Device.h>

namespace s4::clip {

struct ClipEngineAccess {
    /// The loaded model (eval mode, requires_grad off), on device(engine).
    static ClipModel& model(const ClipEngine& engine);
    /// Where the model's parameters live.
    static c10::Device device(const ClipEngine& engine);
};

/// Shorthands.
inline ClipModel& clipModelOf(const ClipEngine& engine) {
    return ClipEngineAccess::model(engine);
}
inline VisionTransformer& visionTransformerOf(const ClipEngine& engine) {
    return clipModelOf(engine)->visual;
}

}  // namespace s4::clip
