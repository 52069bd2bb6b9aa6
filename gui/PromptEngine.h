#pragma once
// The prompt panel's view of the open-vocabulary engine (core/model/engine/OpenVocabSession.h), kept
// behind one interface and one loading function: the panel compiles and runs (showing how to provide a
// model) in builds without the engine, and tests can use the panel without LibTorch models.
// Settings: where the models are and where they run, stored in QSettings under "openvocab/".

#include "core/common/Progress.h"
#include "core/model/engine/OpenVocabSession.h"
#include "core/scene/Scene.h"

#include <QString>

#include <memory>
#include <string>
#include <vector>

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

/// A loaded engine. Its methods run on the CoreWorker thread, one job at a time.
class PromptEngine {
public:
    virtual ~PromptEngine() = default;
    /// One line: models and device.
    virtual std::string description() const = 0;
    virtual void encodeScene(const Scene& scene, const Progress& progress) = 0;
    virtual OpenVocabLabels segment(const OpenVocabQuery& query, const Progress& progress) const = 0;
    virtual std::vector<float> heatmap(const std::string& prompt, const std::vector<std::string>& templates) const = 0;
};

/// Loads the models of settings. Throws s4::Error (or std::exception) with a user-facing sentence: a
/// missing or unreadable file or an unsupported device.
std::unique_ptr<PromptEngine> loadPromptEngine(const PromptModelSettings& settings);
/// How to provide the models (OpenVocabSession::missingModelHelp()).
QString promptEngineHelp();

}  // namespace s4::gui
