#pragma once
// Which models the prompt panel uses and where they run (Edit ▸ CLIP Model Settings…), stored in QSettings
// under "openvocab/", and the one function that loads them into an OpenVocabSession
// (core/model/engine/OpenVocabSession.h, whose header includes no torch).

#include "core/model/engine/OpenVocabSession.h"

#include <QString>

#include <memory>

class QSettings;

namespace s4::gui {

/// What Edit ▸ CLIP Model Settings… holds.
struct PromptModelSettings {
    QString clipModel;            ///< Hugging Face CLIP folder or OpenAI TorchScript .pt
    QString mergesFile;           ///< BPE merges for a .pt (empty: beside it)
    QString tokenizerCheckpoint;  ///< S4Token tokenizer checkpoint
    QString device = "cpu";       ///< "cpu" or "cuda"
    QString precision = "auto";   ///< "auto" (fp16 on CUDA, fp32 on the CPU), "fp32", "fp16" or "bf16"
    int threads = 0;              ///< LibTorch CPU threads; 0 = all cores

    /// Both models named (the engine checks that the files are usable).
    bool configured() const { return !clipModel.isEmpty() && !tokenizerCheckpoint.isEmpty(); }
    static PromptModelSettings load(const QSettings& settings);
    void save(QSettings& settings) const;
    bool operator==(const PromptModelSettings&) const = default;
};

/// Loads the models of settings (seconds for a real CLIP: call it on the CoreWorker thread). Throws
/// s4::Error (or std::exception) with a user-facing sentence: a missing or unreadable file or an
/// unsupported device.
std::shared_ptr<OpenVocabSession> loadPromptModels(const PromptModelSettings& settings);
/// How to provide the models (OpenVocabSession::missingModelHelp()).
QString promptModelHelp();

}  // namespace s4::gui
