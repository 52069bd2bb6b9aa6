#include "gui/TokenizationPanel.h"

#include "core/common/Log.h"
#include "gui/AnchorOverlay.h"
#include "gui/AnchorSpheres.h"
#include "gui/LegendPanel.h"
#include "gui/MainWindow.h"
#include "gui/PointCloudViewport.h"
#include "gui/TokenizationColors.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace s4::gui {
namespace {

// Long enough to swallow the events of a slider drag, short enough to feel live.
constexpr int kDebounceMs = 150;
constexpr int kGammaSteps = 100;  // slider resolution: 0.01
constexpr const char* kAutoLimitKey = "tokenization/autoComputeLimit";
// Whole S4Token tokenization of the ScanNet scene: 1.21 s for 81,369 points (bench/README.md), about
// 15 µs per point, dominated by the superpoint stage, which grows about linearly.
constexpr double kSecondsPerPoint = 15e-6;

QString durationText(double seconds) {
    if (seconds < 90) return QObject::tr("%1 s").arg(std::max(1.0, std::round(seconds)));
    return QObject::tr("%1 min").arg(std::round(seconds / 60.0));
}

QString millis(double ms) {
    return QString::number(ms, 'f', ms < 10 ? 1 : 0);
}

}  // namespace

TokenizationPanel::TokenizationPanel(MainWindow* window)
    : QWidget(window), window_(window), worker_(new CoreWorker(this)), debounce_(new QTimer(this)) {
    setObjectName("tokenizationPanel");
    anchors_ = std::make_unique<AnchorOverlay>(window_->viewport());
    spheres_ = std::make_unique<AnchorSpheres>(window_->viewport());
    if (window_->options().persistSettings) {
        const qulonglong stored =
            QSettings().value(kAutoLimitKey, qulonglong(kDefaultAutoComputeLimit)).toULongLong();
        autoComputeLimit_ = static_cast<std::size_t>(stored);
    }
    debounce_->setSingleShot(true);
    debounce_->setInterval(kDebounceMs);
    connect(debounce_, &QTimer::timeout, this, &TokenizationPanel::recompute);

    buildControls();

    connect(window_, &MainWindow::sceneShown, this, &TokenizationPanel::onSceneShown);
    connect(window_, &MainWindow::sceneReplaced, this, &TokenizationPanel::onSceneReplaced);
    // A colour mode picked in the toolbar or menu takes the viewport back from the panel's colouring.
    connect(window_, &MainWindow::colorSpecChosen, this, [this] {
        if (coloring_ == Coloring::Scene) return;
        coloring_ = Coloring::Scene;
        if (QAbstractButton* b = coloringGroup_->button(static_cast<int>(Coloring::Scene)))
            b->setChecked(true);
    });
    connect(worker_, &CoreWorker::tokenizationFinished, this, &TokenizationPanel::onFinished);
    connect(worker_, &CoreWorker::failed, this, &TokenizationPanel::onFailed);
    connect(worker_, &CoreWorker::cancelled, this, [this](quint64 job) {
        if (job != worker_->latestJob()) return;  // superseded by a newer request, which reports itself
        computing_ = false;
        progress_->setVisible(false);
        status_->setText(tr("Cancelled"));
    });
    connect(worker_, &CoreWorker::progress, this, &TokenizationPanel::onProgress);
    connect(worker_, &CoreWorker::jobStarted, this, [this](quint64 job) {
        if (job != worker_->latestJob()) return;
        progress_->setValue(0);
        progress_->setVisible(true);
        status_->setText(tr("Computing…"));
    });
}

TokenizationPanel::~TokenizationPanel() = default;

void TokenizationPanel::buildControls() {
    const TokenizationParams defaults;
    auto* layout = new QVBoxLayout(this);

    auto* paramsBox = new QGroupBox(tr("Parameters"), this);
    auto* form = new QFormLayout(paramsBox);

    tokenizer_ = new QComboBox(paramsBox);
    tokenizer_->setObjectName("tokenizerCombo");
    tokenizer_->addItem(tr("kNN"), static_cast<int>(TokenizerKind::Knn));
    tokenizer_->addItem(tr("Ball"), static_cast<int>(TokenizerKind::Ball));
    tokenizer_->addItem(tr("S4Token"), static_cast<int>(TokenizerKind::S4Token));
    tokenizer_->setCurrentIndex(tokenizer_->findData(static_cast<int>(defaults.tokenizer)));
    tokenizer_->setToolTip(
        tr("kNN and ball sample centres by plain FPS; S4Token by WFPS over superpoints "
           "and groups by superpoint-constrained balls"));
    form->addRow(tr("Tokenizer"), tokenizer_);

    rpn_ = new QCheckBox(tr("Relative position normalisation (RPN)"), paramsBox);
    rpn_->setObjectName("rpnCheck");
    rpn_->setChecked(defaults.grouping.relativeNormalisation);
    form->addRow(rpn_);

    auto* gammaRow = new QHBoxLayout;
    gammaSlider_ = new QSlider(Qt::Horizontal, paramsBox);
    gammaSlider_->setObjectName("gammaSlider");
    gammaSlider_->setRange(0, kGammaSteps);
    gammaSlider_->setValue(static_cast<int>(std::lround(defaults.sampling.gamma * kGammaSteps)));
    gammaSpin_ = new QDoubleSpinBox(paramsBox);
    gammaSpin_->setObjectName("gammaSpin");
    gammaSpin_->setRange(0.0, 1.0);
    gammaSpin_->setSingleStep(0.01);
    gammaSpin_->setDecimals(2);
    gammaSpin_->setValue(defaults.sampling.gamma);
    gammaRow->addWidget(gammaSlider_, 1);
    gammaRow->addWidget(gammaSpin_);
    form->addRow(tr("γ (WFPS)"), gammaRow);
    connect(gammaSlider_, &QSlider::valueChanged, this, [this](int v) {
        const QSignalBlocker block(gammaSpin_);
        gammaSpin_->setValue(double(v) / kGammaSteps);
        scheduleRecompute();
    });
    connect(gammaSpin_, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        const QSignalBlocker block(gammaSlider_);
        gammaSlider_->setValue(static_cast<int>(std::lround(v * kGammaSteps)));
        scheduleRecompute();
    });

    convention_ = new QComboBox(paramsBox);
    convention_->setObjectName("conventionCombo");
    convention_->addItem(tr("Described: w^+γ"), static_cast<int>(ExponentConvention::Described));
    convention_->addItem(tr("Printed: w^−γ"), static_cast<int>(ExponentConvention::Printed));
    convention_->setToolTip(
        tr("Sign of the WFPS exponent: the paper's text (larger γ favours small "
           "superpoints) or its printed formula"));
    form->addRow(tr("Exponent"), convention_);

    numTokens_ = new QSpinBox(paramsBox);
    numTokens_->setObjectName("numTokensSpin");
    numTokens_->setRange(2, 1000000);
    numTokens_->setValue(static_cast<int>(defaults.sampling.count));
    form->addRow(tr("N (tokens)"), numTokens_);

    patchSize_ = new QSpinBox(paramsBox);
    patchSize_->setObjectName("patchSizeSpin");
    patchSize_->setRange(1, 4096);
    patchSize_->setValue(defaults.grouping.groupSize);
    form->addRow(tr("M (patch size)"), patchSize_);

    alpha_ = new QDoubleSpinBox(paramsBox);
    alpha_->setObjectName("alphaSpin");
    alpha_->setRange(1.0, 10.0);
    alpha_->setSingleStep(0.1);
    alpha_->setValue(defaults.grouping.alpha);
    alpha_->setToolTip(tr("Ball radius r = α·s, s = mean nearest-centre spacing"));
    form->addRow(tr("α"), alpha_);

    rho_ = new QDoubleSpinBox(paramsBox);
    rho_->setObjectName("rhoSpin");
    rho_->setDecimals(4);
    rho_->setRange(0.0001, 100.0);
    rho_->setSingleStep(0.01);
    rho_->setValue(defaults.superpoints.regularization);
    rho_->setToolTip(tr("Cut pursuit regularisation ρ: larger gives fewer, larger superpoints"));
    form->addRow(tr("ρ (superpoints)"), rho_);

    mergePenalty_ = new QDoubleSpinBox(paramsBox);
    mergePenalty_->setObjectName("mergePenaltySpin");
    mergePenalty_->setDecimals(3);
    mergePenalty_->setRange(0.0, 1000.0);
    mergePenalty_->setSingleStep(0.05);
    mergePenalty_->setValue(defaults.superpoints.planarMerge.penalty);
    mergePenalty_->setToolTip(
        tr("Piecewise-planar merge λ: coplanar pieces of similar colour are joined while a join costs less "
           "than λ; larger gives fewer, larger superpoints, 0 keeps the cut pursuit's pieces"));
    form->addRow(tr("λ (superpoint merge)"), mergePenalty_);

    seed_ = new QSpinBox(paramsBox);
    seed_->setObjectName("seedSpin");
    seed_->setRange(0, std::numeric_limits<int>::max());
    form->addRow(tr("Seed"), seed_);
    layout->addWidget(paramsBox);

    connect(tokenizer_, &QComboBox::currentIndexChanged, this, &TokenizationPanel::scheduleRecompute);
    connect(convention_, &QComboBox::currentIndexChanged, this, &TokenizationPanel::scheduleRecompute);
    connect(rpn_, &QCheckBox::toggled, this, &TokenizationPanel::scheduleRecompute);
    for (QSpinBox* spin : {numTokens_, patchSize_, seed_})
        connect(spin, &QSpinBox::valueChanged, this, &TokenizationPanel::scheduleRecompute);
    for (QDoubleSpinBox* spin : {alpha_, rho_, mergePenalty_})
        connect(spin, &QDoubleSpinBox::valueChanged, this, &TokenizationPanel::scheduleRecompute);

    auto* layersBox = new QGroupBox(tr("Layers"), this);
    auto* layers = new QVBoxLayout(layersBox);
    coloringGroup_ = new QButtonGroup(this);
    const std::pair<Coloring, QString> choices[] = {{Coloring::Scene, tr("Scene colours (toolbar mode)")},
                                                    {Coloring::Superpoints, tr("Superpoints")},
                                                    {Coloring::Patches, tr("Patches")}};
    for (const auto& [mode, title] : choices) {
        auto* button = new QRadioButton(title, layersBox);
        button->setObjectName(QString("coloring%1").arg(static_cast<int>(mode)));
        coloringGroup_->addButton(button, static_cast<int>(mode));
        layers->addWidget(button);
    }
    coloringGroup_->button(static_cast<int>(Coloring::Scene))->setChecked(true);
    connect(coloringGroup_, &QButtonGroup::idClicked, this,
            [this](int id) { setColoring(static_cast<Coloring>(id)); });
    showAnchors_ = new QCheckBox(tr("Anchors (patch centres)"), layersBox);
    showAnchors_->setObjectName("anchorsCheck");
    connect(showAnchors_, &QCheckBox::toggled, this, [this](bool on) { anchors_->setVisible(on); });
    layers->addWidget(showAnchors_);
    showSpheres_ = new QCheckBox(tr("Radius spheres (r around each anchor)"), layersBox);
    showSpheres_->setObjectName("spheresCheck");
    showSpheres_->setToolTip(tr("Wireframe spheres of the grouping radius r = α·s at every anchor"));
    connect(showSpheres_, &QCheckBox::toggled, this, [this](bool on) { spheres_->setVisible(on); });
    layers->addWidget(showSpheres_);
    layout->addWidget(layersBox);

    auto* statsBox = new QGroupBox(tr("Statistics"), this);
    auto* stats = new QFormLayout(statsBox);
    auto value = [statsBox](const char* name) {
        auto* label = new QLabel(statsBox);
        label->setObjectName(name);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        return label;
    };
    superpoints_ = value("superpointsValue");
    anchorsCount_ = value("anchorsValue");
    anchorsPerSuperpoint_ = value("anchorsPerSuperpointValue");
    radius_ = value("radiusValue");
    timings_ = value("timingsValue");
    timings_->setWordWrap(true);
    purity_ = value("purityValue");
    crossing_ = value("crossingValue");
    stats->addRow(tr("Superpoints"), superpoints_);
    stats->addRow(tr("Anchors"), anchorsCount_);
    stats->addRow(tr("Anchors / superpoint"), anchorsPerSuperpoint_);
    stats->addRow(tr("Radius r"), radius_);
    stats->addRow(tr("Time (ms, 0 = cached)"), timings_);
    stats->addRow(tr("Patch purity"), purity_);
    stats->addRow(tr("Crossing patches"), crossing_);
    auto* computeRow = new QHBoxLayout;
    auto* computeButton = new QPushButton(tr("Compute"), statsBox);
    computeButton->setObjectName("computeButton");
    computeButton->setToolTip(tr("Tokenize the scene now with these parameters"));
    connect(computeButton, &QPushButton::clicked, this, &TokenizationPanel::recompute);
    computeRow->addWidget(computeButton);
    computeRow->addWidget(new QLabel(tr("auto up to"), statsBox));
    autoLimit_ = new QSpinBox(statsBox);
    autoLimit_->setObjectName("autoLimitSpin");
    autoLimit_->setRange(0, 1000);
    autoLimit_->setSuffix(tr(" M points"));
    autoLimit_->setToolTip(
        tr("Larger scenes are not tokenized on load or when a parameter changes; press Compute"));
    autoLimit_->setValue(static_cast<int>(autoComputeLimit_ / 1'000'000));
    connect(autoLimit_, &QSpinBox::valueChanged, this,
            [this](int millions) { setAutoComputeLimit(static_cast<std::size_t>(millions) * 1'000'000); });
    computeRow->addWidget(autoLimit_, 1);
    stats->addRow(computeRow);
    progress_ = new QProgressBar(statsBox);
    progress_->setRange(0, 100);
    progress_->setVisible(false);
    stats->addRow(progress_);
    status_ = new QLabel(tr("No scene"), statsBox);
    status_->setObjectName("tokenizationStatus");
    status_->setWordWrap(true);
    stats->addRow(status_);
    layout->addWidget(statsBox);
    layout->addStretch(1);
    clearStatistics();
}

TokenizationParams TokenizationPanel::params() const {
    TokenizationParams p;
    p.tokenizer = static_cast<TokenizerKind>(tokenizer_->currentData().toInt());
    p.grouping.relativeNormalisation = rpn_->isChecked();
    p.sampling.gamma = gammaSpin_->value();
    p.sampling.convention = static_cast<ExponentConvention>(convention_->currentData().toInt());
    p.sampling.count = static_cast<std::size_t>(numTokens_->value());
    p.grouping.groupSize = patchSize_->value();
    p.grouping.alpha = alpha_->value();
    p.superpoints.regularization = rho_->value();
    p.superpoints.planarMerge.penalty = mergePenalty_->value();
    // One seed for every random choice, as `--batch tokenize --seed` does.
    const auto seed = static_cast<std::uint64_t>(seed_->value());
    p.sampling.seed = seed;
    p.grouping.seed = seed;
    p.superpoints.eigenFeatures.seed = seed;
    return p;
}

void TokenizationPanel::setTokenizer(TokenizerKind kind) {
    tokenizer_->setCurrentIndex(tokenizer_->findData(static_cast<int>(kind)));
}

void TokenizationPanel::setGamma(double gamma) {
    gammaSpin_->setValue(gamma);
}

void TokenizationPanel::setColoring(Coloring coloring) {
    coloring_ = coloring;
    if (QAbstractButton* b = coloringGroup_->button(static_cast<int>(coloring)); b && !b->isChecked())
        b->setChecked(true);
    if (coloring == Coloring::Scene) {
        if (window_->scene()) window_->setColorSpec(window_->colorSpec());  // give the viewport back
        return;
    }
    applyLayers();
}

void TokenizationPanel::setAnchorsVisible(bool visible) {
    showAnchors_->setChecked(visible);
    anchors_->setVisible(visible);
}

bool TokenizationPanel::anchorsVisible() const {
    return anchors_->isVisible();
}

QString TokenizationPanel::anchorsText() const {
    return anchorsCount_->text();
}

QString TokenizationPanel::superpointsText() const {
    return superpoints_->text();
}

QString TokenizationPanel::purityText() const {
    return purity_->text();
}

void TokenizationPanel::setRadiusSpheresVisible(bool visible) {
    showSpheres_->setChecked(visible);
    spheres_->setVisible(visible);
}

void TokenizationPanel::setAutoComputeLimit(std::size_t points) {
    autoComputeLimit_ = points;
    if (autoLimit_->value() != static_cast<int>(points / 1'000'000)) {
        const QSignalBlocker block(autoLimit_);
        autoLimit_->setValue(static_cast<int>(std::min<std::size_t>(points / 1'000'000, 1000)));
    }
    if (window_->options().persistSettings) QSettings().setValue(kAutoLimitKey, qulonglong(points));
}

bool TokenizationPanel::autoComputes() const {
    const auto scene = window_->scene();
    return scene && scene->pointCount() <= autoComputeLimit_;
}

QString TokenizationPanel::statusText() const {
    return status_->text();
}

void TokenizationPanel::showComputeHint() {
    const std::size_t n = window_->scene()->pointCount();
    status_->setText(tr("%1 points: tokenization takes ~%2 here; press Compute.")
                         .arg(QLocale().toString(static_cast<qulonglong>(n)))
                         .arg(durationText(double(n) * kSecondsPerPoint)));
}

void TokenizationPanel::scheduleRecompute() {
    if (!window_->scene()) return;
    if (autoComputes())
        debounce_->start();
    else
        showComputeHint();
}

void TokenizationPanel::recompute() {
    debounce_->stop();
    if (!window_->scene()) return;
    computing_ = true;
    status_->setText(tr("Queued…"));
    // After a prompt segmentation "label" holds prompt numbers; the dataset's labels, if it had any, were
    // kept as "dataset_label" (MainWindow::storePromptLabels), and purity is about those.
    const bool promptLabels = window_->assignedLabelClasses() || window_->scene()->find(attr::kDatasetLabel);
    worker_->requestTokenization(params(), true, promptLabels ? attr::kDatasetLabel : attr::kLabel);
}

void TokenizationPanel::onSceneShown() {
    debounce_->stop();  // a parameter change made during the load must not bypass the auto-compute limit
    // A computation of the previous scene is no longer shown, whether it ends or is cancelled.
    computing_ = false;
    progress_->setVisible(false);
    outcome_.reset();
    anchors_->setAnchors({});
    spheres_->setSpheres({}, 0.0);
    clearStatistics();
    worker_->setScene(window_->scene());
    // A huge cloud would keep a core busy for minutes (and hold gigabytes) before the user asked for it.
    if (autoComputes())
        recompute();
    else
        showComputeHint();
}

void TokenizationPanel::onSceneReplaced(std::shared_ptr<const Scene> previous) {
    const auto scene = window_->scene();
    // Through the queue: the pipeline is only touched on the worker thread, and jobs queued before this
    // one still finish on the scene they started with.
    worker_->replaceScene(scene);
    if (outcome_ && outcome_->scene == previous) {
        // Same positions, so anchors, patches and the point-to-patch map still describe the new scene.
        auto rebased = std::make_shared<TokenizationOutcome>(*outcome_);
        rebased->scene = scene;
        outcome_ = std::move(rebased);
    }
    // Refresh from the cache (superpoints, anchors and patches are kept; the statistics then say so) and
    // re-evaluate with the new labels. A result still in flight is for the previous scene and would be
    // dropped, so a computation the user started (Compute on a scene over the auto limit) is asked for
    // again: it is served from the cache once the running one has filled it.
    if (autoComputes() || computing_) recompute();
}

void TokenizationPanel::onProgress(quint64 job, double fraction) {
    if (job == worker_->latestJob()) progress_->setValue(static_cast<int>(std::lround(fraction * 100)));
}

void TokenizationPanel::onFinished(quint64 job, std::shared_ptr<const TokenizationOutcome> outcome) {
    // Results of superseded requests or of an earlier scene are never shown.
    if (job != worker_->latestJob() || !outcome || outcome->scene != window_->scene()) return;
    outcome_ = std::move(outcome);
    computing_ = false;
    progress_->setVisible(false);
    status_->setText(tr("Up to date"));
    showStatistics();
    applyLayers();
    emit resultShown();
}

void TokenizationPanel::onFailed(quint64 job, const QString& message) {
    if (job != worker_->latestJob()) return;
    computing_ = false;
    progress_->setVisible(false);
    status_->setText(tr("Failed: %1").arg(message));
    emit tokenizationFailed(message);
}

void TokenizationPanel::clearStatistics() {
    for (QLabel* label :
         {superpoints_, anchorsCount_, anchorsPerSuperpoint_, radius_, timings_, purity_, crossing_})
        label->setText("–");
    status_->setText(window_->scene() ? tr("Waiting…") : tr("No scene"));
}

void TokenizationPanel::showStatistics() {
    const QLocale locale;
    const TokenizationResult& r = outcome_->result;
    const std::size_t superpointCount = r.superpoints ? r.superpoints->count : 0;
    const std::size_t anchorCount = r.anchors ? r.anchors->indices.size() : 0;
    superpoints_->setText(r.superpoints ? locale.toString(static_cast<qulonglong>(superpointCount)) +
                                              (r.superpoints->fromDataset ? tr(" (from the dataset)") : "")
                                        : tr("not computed"));
    anchorsCount_->setText(locale.toString(static_cast<qulonglong>(anchorCount)));
    anchorsPerSuperpoint_->setText(
        superpointCount ? locale.toString(double(anchorCount) / double(superpointCount), 'f', 3) : "–");
    radius_->setText(r.patches ? locale.toString(double(r.patches->radius), 'g', 4) : "–");
    timings_->setText(tr("superpoints %1 · sampling %2 · grouping %3")
                          .arg(millis(r.timings.superpointsMs), millis(r.timings.samplingMs),
                               millis(r.timings.groupingMs)));
    if (outcome_->patchScores) {
        const PatchScores& s = *outcome_->patchScores;
        purity_->setText(QString("%1 %").arg(locale.toString(100.0 * s.meanPurity, 'f', 1)));
        crossing_->setText(QString("%1 % (%2/%3)")
                               .arg(locale.toString(100.0 * s.crossingShare, 'f', 1))
                               .arg(s.crossingPatches)
                               .arg(s.evaluatedPatches));
    } else {
        purity_->setText(tr("no labels"));
        crossing_->setText(tr("no labels"));
    }
}

void TokenizationPanel::applyLayers() {
    if (!outcome_ || outcome_->scene != window_->scene()) return;
    const TokenizationResult& r = outcome_->result;
    PointCloudViewport* viewport = window_->viewport();
    if (coloring_ == Coloring::Superpoints && r.superpoints)
        viewport->setColors(superpointLayerColors(r.superpoints->labels));
    else if (coloring_ == Coloring::Patches)
        viewport->setColors(patchLayerColors(outcome_->patchOfPoint));
    anchors_->setAnchors(r.patches ? r.patches->centrePositions : std::vector<Eigen::Vector3f>{});
    anchors_->setVisible(showAnchors_->isChecked());
    spheres_->setSpheres(r.patches ? r.patches->centrePositions : std::vector<Eigen::Vector3f>{},
                         r.patches ? r.patches->radius : 0.0);
    spheres_->setVisible(showSpheres_->isChecked());
    showLayerLegend();
}

void TokenizationPanel::showLayerLegend() {
    const TokenizationResult& r = outcome_->result;
    const QLocale locale;
    LegendPanel* legend = window_->legendPanel();
    if (coloring_ == Coloring::Superpoints && r.superpoints) {
        legend->showNote(tr("Superpoints"),
                         tr("superpoints: %1 (distinct colours)%2")
                             .arg(locale.toString(static_cast<qulonglong>(r.superpoints->count)),
                                  r.superpoints->fromDataset ? tr(", from the dataset") : QString()));
    } else if (coloring_ == Coloring::Patches && r.patches) {
        std::size_t covered = 0;
        for (std::int32_t p : outcome_->patchOfPoint) covered += p >= 0 ? 1 : 0;
        legend->showNote(
            tr("Patches"),
            tr("patches: %1 of up to %2 points (distinct colours); %3 points in no patch (dark grey)")
                .arg(locale.toString(static_cast<qulonglong>(r.patches->count)))
                .arg(r.patches->groupSize)
                .arg(locale.toString(static_cast<qulonglong>(outcome_->patchOfPoint.size() - covered))));
    }
}

}  // namespace s4::gui
