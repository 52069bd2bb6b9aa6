#include "gui/PromptEngine.h"

#include "core/common/Error.h"

#include <QObject>
#include <QSettings>
#include <QStringList>

#include <algorithm>

namespace s4::gui {
namespace {

class SessionEngine : public PromptEngine {
public:
    explicit SessionEngine(OpenVocabSession session) : session_(std::move(session)) {}
    std::string description() const override { return session_.description(); }
    void encodeScene(const Scene& scene, const Progress& progress) override { session_.encodeScene(scene, progress); }
    OpenVocabLabels segment(const OpenVocabQuery& query, const Progress& progress) const override {
        return session_.segment(query, progress);
    }
    std::vector<float> heatmap(const std::string& prompt, const std::vector<std::string>& templates) const override {
        return session_.heatmap(prompt, templates);
    }

private:
    OpenVocabSession session_;
};

}  // namespace

PromptModelSettings PromptModelSettings::load(const QSettings& settings) {
    PromptModelSettings s;
    s.clipModel = settings.value("openvocab/clipModel").toString();
    s.mergesFile = settings.value("openvocab/mergesFile").toString();
    s.tokenizerCheckpoint = settings.value("openvocab/tokenizerCheckpoint").toString();
    s.device = settings.value("openvocab/device", "cpu").toString();
    if (s.device != "cpu" && s.device != "cuda") s.device = "cpu";
    s.precision = settings.value("openvocab/precision", "auto").toString();
    if (!QStringList{"auto", "fp32", "fp16", "bf16"}.contains(s.precision)) s.precision = "auto";
    s.threads = std::max(0, settings.value("openvocab/threads", 0).toInt());
    return s;
}

void PromptModelSettings::save(QSettings& settings) const {
    settings.setValue("openvocab/clipModel", clipModel);
    settings.setValue("openvocab/mergesFile", mergesFile);
    settings.setValue("openvocab/tokenizerCheckpoint", tokenizerCheckpoint);
    settings.setValue("openvocab/device", device);
    settings.setValue("openvocab/precision", precision);
    settings.setValue("openvocab/threads", threads);
}

std::unique_ptr<PromptEngine> loadPromptEngine(const PromptModelSettings& settings) {
    if (!settings.configured())
        throw InvalidArgument("no CLIP model or tokenizer checkpoint is set (Edit ▸ CLIP Model Settings…)");
    OpenVocabModelPaths paths;
    paths.clipModel = settings.clipModel.toStdString();
    paths.mergesFile = settings.mergesFile.toStdString();
    paths.tokenizerCheckpoint = settings.tokenizerCheckpoint.toStdString();
    ComputeOptions compute;
    compute.device = settings.device == "cuda" ? ComputeDevice::Cuda : ComputeDevice::Cpu;
    compute.precision = parseComputePrecision(settings.precision.toStdString());
    compute.threads = settings.threads;
    return std::make_unique<SessionEngine>(OpenVocabSession(paths, compute));
}

QString promptEngineHelp() { return QString::fromStdString(OpenVocabSession::missingModelHelp()); }

}  // namespace s4::gui
