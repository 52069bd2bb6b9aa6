#include "training/TrainingJob.h"

namespace s4::training {

std::string usage() {
    return "usage: s4train --config CONFIG.json [--resume CHECKPOINT] [--metrics METRICS.jsonl]\n"
           "\n"
           "Self-supervised pretraining of the S4Token tokenizer against a frozen CLIP (S4TOKEN.md section 7).\n"
           "This build does not contain the training job yet: it prints this text and exits with status 2.\n";
}

} // namespace s4::training
