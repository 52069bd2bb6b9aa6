#pragma once
// The pretraining job's public face. The job itself (masking, query decoder, Sinkhorn K-means,
// KL + distillation, EMA teacher) arrives with the training issue; this header fixes its usage text.

#include <string>

namespace s4::training {

/// Usage text printed by `s4train --help`.
std::string usage();

} // namespace s4::training
