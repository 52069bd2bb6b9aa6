#include "gui/PromptPanel.h"

#include "core/common/Log.h"
#include "core/openvocab/PromptLabels.h"
#include "core/openvocab/PromptTemplates.h"
#include "core/scene/ClassSet.h"
#include "gui/ColorLegend.h"
#include "gui/ColorModes.h"
#include "gui/ColorSwatch.h"
#include "gui/LegendPanel.h"
#include "gui/MainWindow.h"
#include "gui/PointCloudViewport.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPainter>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSlider>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace s4::gui {
namespace {

// Worker channels: a new request supersedes only older requests of its own kind.
constexpr int kLoadChannel = 1;
constexpr int kEncodeChannel = 2;
constexpr int kQueryChannel = 3;
constexpr int kThresholdSteps = 100;

QString escaped(const QString& text) {
    return text.toHtmlEscaped().replace('\n', "<br>");
}

}  // namespace

Rgb8 PromptPanel::promptColor(int k) {
    // The label palette colour of id k + 1: id 0 would be the grey of "unknown".
    return labelColor(k + 1);
}

PromptPanel::PromptPanel(MainWindow* window)
    : QWidget(window), window_(window), worker_(new CoreWorker(this)) {
    setObjectName("promptPanel");
    buildControls();
    connect(worker_, &CoreWorker::taskFinished, this, &PromptPanel::onTaskFinished);
    connect(worker_, &CoreWorker::failed, this, &PromptPanel::onFailed);
    connect(worker_, &CoreWorker::progress, this, &PromptPanel::onProgress);
    connect(worker_, &CoreWorker::cancelled, this, [this](quint64 job) {
        if (job != loadJob_ && job != encodeJob_ && job != queryJob_) return;
        setBusy(false);
        if (job == loadJob_) {
            loadJob_ = 0;
            modelFailed_ = true;
            showModelHelp(tr("Loading was cancelled."));
        }
        if (job == encodeJob_) encodeJob_ = 0;
        if (job == queryJob_) queryJob_ = 0;
        status_->setText(tr("Cancelled"));
        pending_ = Query::None;
        refreshButtons();
    });
    connect(window_, &MainWindow::sceneShown, this, [this] {
        // Features and results belong to the previous scene; encode again on the next query.
        worker_->cancelChannel(kEncodeChannel);
        worker_->cancelChannel(kQueryChannel);
        encodeJob_ = queryJob_ = 0;  // their late "cancelled" or results must not touch the new state
        encodedScene_.reset();
        segmentation_.reset();
        replacedScene_.reset();
        pending_ = Query::None;
        status_->clear();
        refreshButtons();
    });
    connect(window_, &MainWindow::sceneReplaced, this, &PromptPanel::onSceneReplaced);
    connect(window_, &MainWindow::sceneLoadStarted, this, [this] {
        // Its labels could only be stored into a scene that is about to be replaced.
        if (encodeJob_ == 0 && queryJob_ == 0 && pending_ == Query::None) return;
        worker_->cancelChannel(kEncodeChannel);
        worker_->cancelChannel(kQueryChannel);
        encodeJob_ = queryJob_ = 0;
        pending_ = Query::None;
        if (loadJob_ == 0) setBusy(false);
        status_->setText(tr("Stopped: another scene is loading."));
    });
    showModelSettings();
}

PromptPanel::~PromptPanel() = default;

void PromptPanel::buildControls() {
    auto* layout = new QVBoxLayout(this);

    auto* modelBox = new QGroupBox(tr("Model"), this);
    auto* model = new QVBoxLayout(modelBox);
    modelStatus_ = new QLabel(modelBox);
    modelStatus_->setObjectName("promptModelStatus");
    modelStatus_->setWordWrap(true);
    modelStatus_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    model->addWidget(modelStatus_);
    auto* modelButtons = new QHBoxLayout;
    settingsButton_ = new QPushButton(tr("CLIP Model Settings…"), modelBox);
    settingsButton_->setObjectName("promptSettingsButton");
    connect(settingsButton_, &QPushButton::clicked, window_, &MainWindow::showClipSettings);
    loadButton_ = new QPushButton(tr("Load Again"), modelBox);
    loadButton_->setObjectName("promptLoadButton");
    connect(loadButton_, &QPushButton::clicked, this, &PromptPanel::reloadModel);
    modelButtons->addWidget(settingsButton_);
    modelButtons->addWidget(loadButton_);
    modelButtons->addStretch(1);
    model->addLayout(modelButtons);
    layout->addWidget(modelBox);

    auto* promptBox = new QGroupBox(tr("Prompts"), this);
    auto* form = new QFormLayout(promptBox);
    classSet_ = new QComboBox(promptBox);
    classSet_->setObjectName("promptClassSet");
    classSet_->addItem(tr("(your own prompts)"), QString());
    for (const std::string& name : builtinClassSetNames())
        classSet_->addItem(QString::fromStdString(name), QString::fromStdString(name));
    connect(classSet_, &QComboBox::activated, this, [this] {
        if (const QString name = classSet_->currentData().toString(); !name.isEmpty()) setClassSet(name);
    });
    form->addRow(tr("Class set"), classSet_);
    promptsEdit_ = new QPlainTextEdit(promptBox);
    promptsEdit_->setObjectName("promptsEdit");
    promptsEdit_->setPlaceholderText(tr("One prompt per line or comma separated: chair, table, lamp"));
    promptsEdit_->setFixedHeight(70);
    connect(promptsEdit_, &QPlainTextEdit::textChanged, this, [this] {
        refreshClassList();
        refreshButtons();
    });
    form->addRow(tr("Prompts"), promptsEdit_);
    classList_ = new QListWidget(promptBox);
    classList_->setObjectName("promptClassList");
    classList_->setMinimumHeight(90);
    connect(classList_, &QListWidget::itemSelectionChanged, this, &PromptPanel::refreshButtons);
    form->addRow(tr("Classes"), classList_);
    templatesEdit_ = new QPlainTextEdit(promptBox);
    templatesEdit_->setObjectName("templatesEdit");
    QStringList defaults;
    for (const std::string& t : defaultPromptTemplates()) defaults << QString::fromStdString(t);
    templatesEdit_->setPlainText(defaults.join('\n'));
    templatesEdit_->setToolTip(
        tr("One template per line with {} where the prompt goes; empty: the defaults"));
    templatesEdit_->setFixedHeight(60);
    form->addRow(tr("Templates"), templatesEdit_);
    auto* thresholdRow = new QHBoxLayout;
    threshold_ = new QSlider(Qt::Horizontal, promptBox);
    threshold_->setObjectName("unknownThreshold");
    threshold_->setRange(0, kThresholdSteps);
    threshold_->setToolTip(tr("Points whose best prompt has a lower probability are labelled unknown"));
    thresholdValue_ = new QLabel("0.00", promptBox);
    connect(threshold_, &QSlider::valueChanged, this, [this](int v) {
        thresholdValue_->setText(QString::number(double(v) / kThresholdSteps, 'f', 2));
    });
    thresholdRow->addWidget(threshold_, 1);
    thresholdRow->addWidget(thresholdValue_);
    form->addRow(tr("Unknown below"), thresholdRow);
    layout->addWidget(promptBox);

    auto* actions = new QHBoxLayout;
    segmentButton_ = new QPushButton(tr("Segment"), this);
    segmentButton_->setObjectName("segmentButton");
    connect(segmentButton_, &QPushButton::clicked, this, &PromptPanel::segment);
    heatmapButton_ = new QPushButton(tr("Heatmap"), this);
    heatmapButton_->setObjectName("heatmapButton");
    heatmapButton_->setToolTip(tr("Similarity of every point to the selected prompt"));
    connect(heatmapButton_, &QPushButton::clicked, this, &PromptPanel::heatmap);
    confidenceButton_ = new QPushButton(tr("Confidence"), this);
    confidenceButton_->setObjectName("confidenceButton");
    confidenceButton_->setToolTip(
        tr("Probability of the winning prompt at every point of the last segmentation"));
    connect(confidenceButton_, &QPushButton::clicked, this, &PromptPanel::showConfidence);
    exportLabelsButton_ = new QPushButton(tr("Export Labels…"), this);
    exportLabelsButton_->setObjectName("exportLabelsButton");
    exportLabelsButton_->setToolTip(
        tr("Write the stored labels alone (text, SemanticKITTI, ScanNet ids, PLY)"));
    connect(exportLabelsButton_, &QPushButton::clicked, window_, &MainWindow::exportLabels);
    actions->addWidget(segmentButton_);
    actions->addWidget(heatmapButton_);
    actions->addWidget(confidenceButton_);
    actions->addWidget(exportLabelsButton_);
    layout->addLayout(actions);

    auto* progressRow = new QHBoxLayout;
    progress_ = new QProgressBar(this);
    progress_->setRange(0, 100);
    progress_->setVisible(false);
    cancelButton_ = new QPushButton(tr("Cancel"), this);
    cancelButton_->setVisible(false);
    connect(cancelButton_, &QPushButton::clicked, this, &PromptPanel::cancel);
    progressRow->addWidget(progress_, 1);
    progressRow->addWidget(cancelButton_);
    layout->addLayout(progressRow);
    status_ = new QLabel(this);
    status_->setObjectName("promptStatus");
    status_->setWordWrap(true);
    layout->addWidget(status_);
    layout->addStretch(1);
    refreshButtons();
}

QStringList PromptPanel::parsePrompts(const QString& text) {
    static const QRegularExpression separators("[,\\n\\r]+");
    QStringList prompts;
    for (const QString& part : text.split(separators, Qt::SkipEmptyParts)) {
        const QString p = part.simplified();
        if (!p.isEmpty() && !prompts.contains(p)) prompts << p;
    }
    return prompts;
}

void PromptPanel::setPromptText(const QString& text) {
    promptsEdit_->setPlainText(text);
}

QStringList PromptPanel::prompts() const {
    return parsePrompts(promptsEdit_->toPlainText());
}

void PromptPanel::setClassSet(const QString& name) {
    try {
        QStringList lines;
        for (const std::string& prompt : classSetPrompts(builtinClassSet(name.toStdString())).prompts)
            lines << QString::fromStdString(prompt);
        promptsEdit_->setPlainText(lines.join('\n'));
        if (const int i = classSet_->findData(name); i >= 0) classSet_->setCurrentIndex(i);
    } catch (const std::exception& e) {
        status_->setText(QString::fromUtf8(e.what()));
    }
}

std::vector<std::string> PromptPanel::templates() const {
    std::vector<std::string> out;
    for (const QString& line : templatesEdit_->toPlainText().split('\n', Qt::SkipEmptyParts))
        if (const QString t = line.trimmed(); !t.isEmpty()) out.push_back(t.toStdString());
    return out;
}

double PromptPanel::unknownThreshold() const {
    return double(threshold_->value()) / kThresholdSteps;
}

QString PromptPanel::modelStatusText() const {
    return modelStatus_->text();
}

QStringList PromptPanel::classListNames() const {
    QStringList names;
    for (int i = 0; i < classList_->count(); ++i) names << classList_->item(i)->text();
    return names;
}

void PromptPanel::refreshClassList() {
    const QString selected = classList_->currentItem() ? classList_->currentItem()->text() : QString();
    classList_->clear();
    const QStringList names = prompts();
    for (int k = 0; k < names.size(); ++k) {
        auto* item = new QListWidgetItem(colorSwatch(promptColor(k)), names[k], classList_);
        if (names[k] == selected) classList_->setCurrentItem(item);
    }
}

void PromptPanel::refreshButtons() {
    // Usable models: loaded, or set and not failed (a query then loads them first).
    const bool usable = session_ || (modelConfigured_ && !modelFailed_);
    const bool ready = usable && window_->scene();
    const int count = static_cast<int>(prompts().size());
    segmentButton_->setEnabled(ready && count > 0);
    heatmapButton_->setEnabled(ready && (count == 1 || classList_->currentItem()));
    const auto scene = window_->scene();
    confidenceButton_->setEnabled(scene && colorModeAvailable(*scene, {ColorMode::Scalar, "confidence"}));
    exportLabelsButton_->setEnabled(scene && colorModeAvailable(*scene, {ColorMode::Labels, {}}));
}

QString PromptPanel::statusText() const {
    return status_->text();
}

bool PromptPanel::fitsShownScene(const std::shared_ptr<const Scene>& scene) const {
    return scene && (scene == window_->scene() || scene == replacedScene_.lock());
}

void PromptPanel::onSceneReplaced(std::shared_ptr<const Scene> previous) {
    // The copy has the same positions: the engine's encoded features and the last labels still fit it.
    replacedScene_ = previous;
    const auto scene = window_->scene();
    if (encodedScene_ == previous) encodedScene_ = scene;
    if (segmentation_ && segmentation_->scene == previous) {
        auto rebased = std::make_shared<PromptSegmentation>(*segmentation_);
        rebased->scene = scene;
        segmentation_ = std::move(rebased);
    }
    refreshButtons();
}

void PromptPanel::showModelHelp(const QString& error) {
    QString text;
    if (!error.isEmpty())
        text += "<p><b>" + tr("The models could not be loaded:") + "</b> " + escaped(error) + "</p>";
    text += "<p>" + escaped(promptModelHelp()) + "</p>";
    modelStatus_->setText(text);
    settingsButton_->setVisible(true);
    loadButton_->setText(tr("Load Again"));
    loadButton_->setVisible(!error.isEmpty());
    refreshButtons();
}

void PromptPanel::showModelSettings() {
    // Read also in scripted runs (persistSettings off): which models to use is configuration, like the
    // --model of --batch, not window state; a scripted --view prompts screenshot shows the configured ones.
    const PromptModelSettings settings = PromptModelSettings::load(QSettings());
    modelConfigured_ = settings.configured();
    if (!modelConfigured_) {
        showModelHelp({});
        return;
    }
    modelStatus_->setText(tr("CLIP: %1<br>Tokenizer: %2<br>Loaded when the panel is first used.")
                              .arg(QFileInfo(settings.clipModel).fileName().toHtmlEscaped(),
                                   QFileInfo(settings.tokenizerCheckpoint).fileName().toHtmlEscaped()));
    loadButton_->setText(tr("Load Now"));
    loadButton_->setVisible(true);
    refreshButtons();
}

void PromptPanel::loadModelIfNeeded() {
    if (session_ || loadJob_ != 0 || modelFailed_) return;
    const PromptModelSettings settings = PromptModelSettings::load(QSettings());
    modelConfigured_ = settings.configured();
    if (modelConfigured_) startLoading(settings);
}

void PromptPanel::reloadModel() {
    worker_->cancelAll();
    // Jobs of the old models may still report (cancellation is cooperative): forget their ids so that
    // nothing they say reaches the new load or a query queued behind it.
    loadJob_ = encodeJob_ = queryJob_ = 0;
    status_->clear();
    session_.reset();
    modelFailed_ = false;
    encodedScene_.reset();
    pending_ = Query::None;
    const PromptModelSettings settings = PromptModelSettings::load(QSettings());
    modelConfigured_ = settings.configured();
    if (!modelConfigured_) {
        showModelHelp({});
        return;
    }
    startLoading(settings);
}

void PromptPanel::startLoading(const PromptModelSettings& settings) {
    modelStatus_->setText(tr("Loading %1 …").arg(QFileInfo(settings.clipModel).fileName().toHtmlEscaped()));
    loadButton_->setVisible(false);
    setBusy(true);
    refreshButtons();
    loadJob_ = worker_->requestTask(kLoadChannel, [settings](const Progress&) -> std::shared_ptr<void> {
        return loadPromptModels(settings);
    });
}

void PromptPanel::setBusy(bool busy) {
    if (busy) progress_->setValue(0);
    progress_->setVisible(busy);
    cancelButton_->setVisible(busy);
}

void PromptPanel::cancel() {
    worker_->cancelAll();
}

void PromptPanel::requestEncode() {
    auto scene = window_->scene();
    auto session = session_;
    status_->setText(
        tr("Encoding the scene (%1 points)…").arg(QLocale().toString(qulonglong(scene->pointCount()))));
    setBusy(true);
    encodeJob_ = worker_->requestTask(kEncodeChannel,
                                      [session, scene](const Progress& progress) -> std::shared_ptr<void> {
                                          session->encodeScene(*scene, progress);
                                          return std::const_pointer_cast<Scene>(scene);
                                      });
}

void PromptPanel::segment() {
    if (!window_->scene() || prompts().isEmpty()) return;
    startQuery(Query::Segment);
}

void PromptPanel::heatmap() {
    if (!window_->scene()) return;
    const QStringList names = prompts();
    if (classList_->currentItem())
        heatmapPrompt_ = classList_->currentItem()->text();
    else if (names.size() == 1)
        heatmapPrompt_ = names.front();
    else
        return;
    startQuery(Query::Heatmap);
}

void PromptPanel::startQuery(Query query) {
    if (!session_) {
        loadModelIfNeeded();
        if (loadJob_ == 0) return;  // no usable models: the model box says why
        pending_ = query;           // the query runs when the models are loaded
        status_->setText(tr("Loading the models first…"));
        return;
    }
    pending_ = query;
    if (encodedScene_ != window_->scene())
        requestEncode();  // the query runs when the scene is encoded
    else
        runPendingQuery();
}

void PromptPanel::runPendingQuery() {
    auto session = session_;
    auto scene = encodedScene_;
    const std::vector<std::string> templ = templates();
    setBusy(true);
    if (pending_ == Query::Segment) {
        const QStringList names = prompts();
        OpenVocabQuery query;
        for (const QString& n : names) query.classNames.push_back(n.toStdString());
        query.templates = templ;
        query.unknownThreshold = static_cast<float>(unknownThreshold());
        status_->setText(tr("Segmenting with %1 prompts…").arg(names.size()));
        queryJob_ = worker_->requestTask(
            kQueryChannel, [session, scene, names, query](const Progress& progress) -> std::shared_ptr<void> {
                auto result = std::make_shared<PromptSegmentation>();
                result->scene = scene;
                result->prompts = names;
                result->labels = session->segment(query, progress);
                return result;
            });
    } else if (pending_ == Query::Heatmap) {
        const std::string prompt = heatmapPrompt_.toStdString();
        status_->setText(tr("Heatmap of “%1”…").arg(heatmapPrompt_));
        queryJob_ = worker_->requestTask(
            kQueryChannel, [session, prompt, templ](const Progress&) -> std::shared_ptr<void> {
                return std::make_shared<std::vector<float>>(session->heatmap(prompt, templ));
            });
    }
}

void PromptPanel::onProgress(quint64 job, double fraction) {
    if (job == loadJob_ || job == encodeJob_ || job == queryJob_)
        progress_->setValue(static_cast<int>(std::lround(fraction * 100)));
}

void PromptPanel::onTaskFinished(quint64 job, std::shared_ptr<void> result) {
    if (job == loadJob_) {
        loadJob_ = 0;
        session_ = std::static_pointer_cast<OpenVocabSession>(result);
        setBusy(false);
        modelStatus_->setText(QString::fromStdString(session_->description()).toHtmlEscaped());
        loadButton_->setText(tr("Load Again"));
        loadButton_->setVisible(true);
        refreshButtons();
        emit modelLoaded();
        // A query asked for during the load runs now, checked again (the prompts may have changed).
        const Query queued = std::exchange(pending_, Query::None);
        status_->clear();
        if (queued == Query::Segment) segment();
        if (queued == Query::Heatmap && window_->scene()) startQuery(Query::Heatmap);
        return;
    }
    if (job == encodeJob_) {
        encodeJob_ = 0;
        auto scene = std::static_pointer_cast<const Scene>(result);
        if (!fitsShownScene(scene)) return;  // a scene that is no longer shown
        encodedScene_ = window_->scene();
        if (pending_ != Query::None) {
            runPendingQuery();
        } else {
            setBusy(false);
        }
        return;
    }
    if (job != queryJob_) return;
    queryJob_ = 0;
    setBusy(false);
    const Query query = pending_;
    pending_ = Query::None;
    if (query == Query::Segment) {
        auto segmentation = std::static_pointer_cast<const PromptSegmentation>(result);
        if (!fitsShownScene(segmentation->scene)) return;
        segmentation_ = std::move(segmentation);
        storeSegmentation();
        refreshButtons();
        emit segmentationShown();
    } else if (query == Query::Heatmap) {
        const auto values = std::static_pointer_cast<const std::vector<float>>(result);
        showScalarLayer(*values, tr("Heatmap: %1").arg(heatmapPrompt_));
        status_->setText(tr("Heatmap of “%1” (cosine similarity)").arg(heatmapPrompt_));
        emit heatmapShown();
    }
}

void PromptPanel::onFailed(quint64 job, const QString& message) {
    if (job != loadJob_ && job != encodeJob_ && job != queryJob_) return;
    setBusy(false);
    pending_ = Query::None;
    if (job == encodeJob_) encodeJob_ = 0;
    if (job == queryJob_) queryJob_ = 0;
    if (job == loadJob_) {
        loadJob_ = 0;
        modelFailed_ = true;
        session_.reset();
        status_->clear();  // a query waiting for the models ("Loading the models first…") is dropped
        showModelHelp(message);
        emit modelFailed(message);
        return;
    }
    status_->setText(tr("Failed: %1").arg(message));
    emit queryFailed(message);
}

void PromptPanel::storeSegmentation() {
    const auto segmentation = segmentation_;  // storing rebases segmentation_ onto the new scene
    const std::size_t points = window_->scene() ? window_->scene()->pointCount() : 0;
    const OpenVocabLabels& labels = segmentation->labels;
    if (labels.label.size() != points || labels.confidence.size() != points) {
        status_->setText(tr("The engine returned %1 labels and %2 confidences for %3 points.")
                             .arg(labels.label.size())
                             .arg(labels.confidence.size())
                             .arg(points));
        return;
    }
    const int classes = static_cast<int>(segmentation->prompts.size());
    std::vector<Rgb8> colors;
    for (int k = 0; k < classes; ++k) colors.push_back(promptColor(k));
    std::uint64_t unknown = 0;
    for (std::int32_t k : labels.label) unknown += k >= 0 && k < classes ? 0 : 1;
    // Stored in (a copy of) the scene: the label colour mode, the Legend and Save Scene As take it from
    // there. The window swaps the copy in; onSceneReplaced() follows it.
    if (!window_->storePromptLabels(segmentation->prompts, colors, labels.label, labels.confidence)) {
        status_->setText(tr("The labels could not be stored in the scene."));
        return;
    }
    status_->setText(tr("%1 points labelled with %2 prompts; %3 unknown. Stored as the scene's “label” and "
                        "“confidence” (not saved yet).")
                         .arg(QLocale().toString(qulonglong(labels.label.size())))
                         .arg(classes)
                         .arg(QLocale().toString(qulonglong(unknown))));
}

void PromptPanel::showConfidence() {
    window_->chooseColorSpec({ColorMode::Scalar, "confidence"});
}

void PromptPanel::showScalarLayer(const std::vector<float>& values, const QString& title) {
    const auto scene = window_->scene();
    if (!scene || values.size() != scene->pointCount()) {
        status_->setText(tr("The engine returned %1 values for %2 points.")
                             .arg(values.size())
                             .arg(scene ? scene->pointCount() : 0));
        return;
    }
    double lo = 0.0, hi = 0.0;
    window_->viewport()->setColors(scalarColors(std::vector<double>(values.begin(), values.end()), &lo, &hi));
    if (lo <= hi) window_->legendPanel()->showScalar({title.toStdString(), lo, hi});
}

}  // namespace s4::gui
