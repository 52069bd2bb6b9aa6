#include "gui/PromptModelSettings.h"

#include "core/common/Error.h"

#include <QObject>
#include <QSettings>
#include <QStringList>

#include <algorithm>

namespace s4::gui {

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

std::shared_ptr<OpenVocabSession> loadPromptModels(const PromptModelSettings& settings) {
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
    return std::make_shared<OpenVocabSession>(paths, compute);
}

QString promptModelHelp() { return QString::fromStdString(OpenVocabSession::missingModelHelp()); }

}  // namespace s4::gui
