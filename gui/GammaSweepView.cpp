#include "gui/GammaSweepView.h"

#include "gui/AnchorOverlay.h"
#include "gui/ColorModes.h"
#include "gui/MainWindow.h"
#include "gui/PointCloudViewport.h"
#include "gui/TokenizationColors.h"
#include "gui/TokenizationPanel.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace s4::gui {
namespace {

QString conventionName(ExponentConvention convention) {
    return convention == ExponentConvention::Described ? QObject::tr("described convention, φ(w) = w^γ")
                                                       : QObject::tr("printed convention, φ(w) = w^−γ");
}

std::array<double, 11> cameraState(vtkCamera* camera) {
    std::array<double, 11> s{};
    camera->GetPosition(&s[0]);
    camera->GetFocalPoint(&s[3]);
    camera->GetViewUp(&s[6]);
    s[9] = camera->GetViewAngle();
    s[10] = camera->GetParallelScale();
    return s;
}

}  // namespace

std::vector<double> GammaSweepView::defaultGammas() {
    return {0.0, 0.25, 0.5, 0.75, 1.0};
}

std::optional<std::vector<double>> GammaSweepView::parseGammas(const QString& text, QString* error) {
    auto fail = [error](const QString& message) -> std::optional<std::vector<double>> {
        if (error) *error = message;
        return std::nullopt;
    };
    static const QRegularExpression separators("[,;\\s]+");
    const QStringList parts = text.split(separators, Qt::SkipEmptyParts);
    if (parts.isEmpty()) return fail(QObject::tr("Enter at least one γ value in [0, 1]."));
    if (parts.size() > static_cast<qsizetype>(kMaxGammas))
        return fail(QObject::tr("%1 values given; the window shows at most %2.").arg(parts.size()).arg(kMaxGammas));
    std::vector<double> gammas;
    for (const QString& part : parts) {
        bool ok = false;
        // "C" locale: the decimal point is a dot whatever the user's locale (commas separate values).
        const double v = QLocale::c().toDouble(part, &ok);
        if (!ok || !std::isfinite(v)) return fail(QObject::tr("'%1' is not a number.").arg(part));
        if (v < 0.0 || v > 1.0) return fail(QObject::tr("γ = %1 is outside [0, 1].").arg(part));
        gammas.push_back(v);
    }
    if (error) error->clear();
    return gammas;
}

QString GammaSweepView::formatGammas(const std::vector<double>& gammas) {
    QStringList parts;
    for (double g : gammas) parts << QLocale::c().toString(g, 'g', 6);
    return parts.join(", ");
}

GammaSweepView::GammaSweepView(MainWindow* window, TokenizationPanel* panel, std::vector<double> gammas)
    : QWidget(window, Qt::Window), window_(window), panel_(panel), gammas_(std::move(gammas)) {
    setObjectName("gammaSweepView");
    setWindowTitle(tr("γ sweep — S4Studio"));

    layout_ = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("γ values:"), this));
    gammasEdit_ = new QLineEdit(formatGammas(gammas_), this);
    gammasEdit_->setObjectName("sweepGammas");
    gammasEdit_->setToolTip(tr("Up to %1 values in [0, 1], separated by commas or spaces; the sweep reruns "
                               "as you type (only WFPS reruns, superpoints are cached)")
                                .arg(kMaxGammas));
    gammasEdit_->setMinimumWidth(220);
    bar->addWidget(gammasEdit_);
    gammasDebounce_ = new QTimer(this);
    gammasDebounce_->setSingleShot(true);
    gammasDebounce_->setInterval(400);  // typing "0.75" must not start four sweeps
    connect(gammasDebounce_, &QTimer::timeout, this, &GammaSweepView::applyGammasText);
    connect(gammasEdit_, &QLineEdit::textEdited, this, [this] { gammasDebounce_->start(); });
    connect(gammasEdit_, &QLineEdit::returnPressed, this, &GammaSweepView::applyGammasText);
    bar->addWidget(new QLabel(tr("Colour:"), this));
    coloringCombo_ = new QComboBox(this);
    coloringCombo_->setObjectName("sweepColoring");
    coloringCombo_->addItem(tr("Scene colours"));
    coloringCombo_->addItem(tr("Superpoints"));
    connect(coloringCombo_, &QComboBox::activated, this,
            [this](int index) { setColoring(index == 1 ? Coloring::Superpoints : Coloring::Scene); });
    bar->addWidget(coloringCombo_);
    auto* recomputeButton = new QPushButton(tr("Recompute"), this);
    recomputeButton->setToolTip(
        tr("Run the sweep again with the Tokenization panel's current N, seed, "
           "convention and superpoint settings"));
    connect(recomputeButton, &QPushButton::clicked, this, &GammaSweepView::recompute);
    bar->addWidget(recomputeButton);
    status_ = new QLabel(this);
    status_->setObjectName("sweepStatus");
    bar->addWidget(status_, 1);
    progress_ = new QProgressBar(this);
    progress_->setRange(0, 100);
    progress_->setMaximumWidth(200);
    progress_->setVisible(false);
    bar->addWidget(progress_);
    layout_->addLayout(bar);
    buildPanels();
    resize(1500, 900);

    CoreWorker* worker = panel_->worker();
    connect(worker, &CoreWorker::gammaSweepFinished, this, &GammaSweepView::onFinished);
    connect(worker, &CoreWorker::failed, this, [this, worker](quint64 job, const QString& message) {
        if (job != worker->latestGammaSweep()) return;
        progress_->setVisible(false);
        status_->setText(tr("Failed: %1").arg(message));
        emit sweepFailed(message);
    });
    connect(worker, &CoreWorker::progress, this, [this, worker](quint64 job, double fraction) {
        if (job == worker->latestGammaSweep())
            progress_->setValue(static_cast<int>(std::lround(fraction * 100)));
    });
    connect(worker, &CoreWorker::cancelled, this, [this, worker](quint64 job) {
        if (job != worker->latestGammaSweep()) return;
        progress_->setVisible(false);
        status_->setText(tr("Cancelled"));
    });
    // A new scene invalidates the panels. Recompute only while the window is open and for scenes the
    // tokenization panel would compute by itself (a huge one waits for Recompute); a hidden window lets
    // go of the old scene (its panels would keep copies of it).
    connect(window_, &MainWindow::sceneShown, this, [this] {
        outcome_.reset();
        progress_->setVisible(false);
        for (Panel& p : panels_) {
            p.anchors->setAnchors({});
            p.viewport->setScene(nullptr);
        }
        if (!isVisible()) return;
        if (panel_->autoComputes())
            recompute();
        else
            status_->setText(tr("A large scene: press Recompute to sample it."));
    });
    // An edited copy of the scene (prompt labels): a sweep in flight is for the previous scene and would
    // be dropped, so it is asked for again (served from the pipeline's cache).
    connect(window_, &MainWindow::sceneReplaced, this, [this] {
        if (progress_->isVisible()) recompute();
    });
}

GammaSweepView::~GammaSweepView() = default;

void GammaSweepView::buildPanels() {
    // Overlays first: they remove their actors from renderers the viewports still own.
    panels_.clear();
    delete grid_;
    grid_ = new QWidget(this);
    auto* grid = new QGridLayout(grid_);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(4);
    // Small multiples: about square panels, three per row for the default five.
    const int columns = gammas_.size() <= 3 ? static_cast<int>(gammas_.size())
                                            : static_cast<int>(std::ceil(std::sqrt(double(gammas_.size()))));
    for (std::size_t i = 0; i < gammas_.size(); ++i) {
        Panel p;
        auto* cell = new QWidget(grid_);
        auto* cellLayout = new QVBoxLayout(cell);
        cellLayout->setContentsMargins(0, 0, 0, 0);
        cellLayout->setSpacing(2);
        p.title = new QLabel(QString("γ = %1").arg(gammas_[i]), cell);
        p.title->setAlignment(Qt::AlignCenter);
        QFont font = p.title->font();
        font.setBold(true);
        p.title->setFont(font);
        p.viewport = new PointCloudViewport(cell);
        p.viewport->setObjectName(QString("sweepViewport%1").arg(i));
        p.viewport->setMinimumSize(160, 140);
        // One camera for all: interacting with any panel moves the shared camera.
        p.viewport->renderer()->SetActiveCamera(camera_);
        p.anchors = std::make_unique<AnchorOverlay>(p.viewport);
        p.anchors->setGlyphSize(6.5f);
        PointCloudViewport* source = p.viewport;
        connect(source, &PointCloudViewport::frameRendered, this,
                [this, source] { onFrameRendered(source); });
        cellLayout->addWidget(p.title);
        cellLayout->addWidget(p.viewport, 1);
        grid->addWidget(cell, static_cast<int>(i) / columns, static_cast<int>(i) % columns);
        panels_.push_back(std::move(p));
    }
    // The spare cell of the grid (or a line below it) says how to read the panels.
    auto* legend = new QLabel(
        tr("<p><b>WFPS anchors</b> (red) for each γ, on the same superpoints and from the same first "
           "point.</p><p>γ = 0 is plain farthest point sampling. With the described convention larger γ "
           "moves anchors into small superpoints (object parts, edges); the printed convention moves "
           "them the other way.</p><p>All panels share one camera: drag, pan or zoom in any of them.</p>"),
        grid_);
    legend->setWordWrap(true);
    legend->setAlignment(Qt::AlignCenter);
    legend->setMargin(24);
    const int cells = static_cast<int>(gammas_.size());
    if (cells % columns != 0)
        grid->addWidget(legend, cells / columns, cells % columns);
    else
        grid->addWidget(legend, cells / columns, 0, 1, columns);
    layout_->addWidget(grid_, 1);
    lastCameraState_ = {};
}

void GammaSweepView::setGammas(std::vector<double> gammas) {
    for (double& g : gammas) g = std::clamp(g, 0.0, 1.0);
    if (gammas.empty()) return;
    if (gammas.size() > kMaxGammas) gammas.resize(kMaxGammas);
    const QString text = formatGammas(gammas);
    if (gammasEdit_->text() != text && parseGammas(gammasEdit_->text()) != gammas) gammasEdit_->setText(text);
    gammasError_.clear();
    if (gammas == gammas_) return;
    gammas_ = std::move(gammas);
    outcome_.reset();
    buildPanels();
    if (window_->scene()) recompute();
}

QString GammaSweepView::gammasText() const {
    return gammasEdit_->text();
}

void GammaSweepView::setGammasText(const QString& text) {
    gammasEdit_->setText(text);
    applyGammasText();
}

void GammaSweepView::applyGammasText() {
    gammasDebounce_->stop();
    QString error;
    const auto gammas = parseGammas(gammasEdit_->text(), &error);
    if (!gammas) {
        gammasError_ = error;
        status_->setText(tr("γ values: %1").arg(error));
        return;
    }
    setGammas(*gammas);
}

PointCloudViewport* GammaSweepView::panelViewport(std::size_t i) const {
    return i < panels_.size() ? panels_[i].viewport : nullptr;
}

const AnchorOverlay* GammaSweepView::panelAnchors(std::size_t i) const {
    return i < panels_.size() ? panels_[i].anchors.get() : nullptr;
}

QString GammaSweepView::panelTitle(std::size_t i) const {
    return i < panels_.size() ? panels_[i].title->text() : QString();
}

void GammaSweepView::recompute() {
    if (!window_->scene()) {
        status_->setText(tr("No scene"));
        return;
    }
    const TokenizationParams params = panel_->params();
    status_->setText(tr("Computing anchors for %1 values of γ (%2)…")
                         .arg(gammas_.size())
                         .arg(conventionName(params.sampling.convention)));
    progress_->setValue(0);
    progress_->setVisible(true);
    panel_->worker()->requestGammaSweep(params, gammas_);
}

void GammaSweepView::onFinished(quint64 job, std::shared_ptr<const GammaSweepOutcome> outcome) {
    // Superseded requests and sweeps of an earlier scene are never shown.
    if (job != panel_->worker()->latestGammaSweep() || !outcome || outcome->scene != window_->scene()) return;
    outcome_ = std::move(outcome);
    progress_->setVisible(false);
    const QLocale locale;
    status_->setText(tr("%1 superpoints · N = %2 · first index %3 · %4")
                         .arg(locale.toString(static_cast<qulonglong>(outcome_->superpoints->count)))
                         .arg(outcome_->sampling.count)
                         .arg(outcome_->sampling.firstIndex)
                         .arg(conventionName(outcome_->sampling.convention)));
    const Scene& scene = *outcome_->scene;
    bool newScene = false;
    for (std::size_t i = 0; i < panels_.size() && i < outcome_->anchors.size(); ++i) {
        Panel& p = panels_[i];
        if (p.viewport->scene() != outcome_->scene) {
            p.viewport->setScene(outcome_->scene);
            newScene = true;
        }
        std::vector<Eigen::Vector3f> positions;
        positions.reserve(outcome_->anchors[i].indices.size());
        for (std::int32_t index : outcome_->anchors[i].indices) positions.push_back(scene.positions[index]);
        p.anchors->setAnchors(positions);
        p.anchors->setVisible(true);
        p.title->setText(tr("γ = %1 · %2 anchors").arg(outcome_->gammas[i]).arg(positions.size()));
    }
    // Small panels: fill them more than the main view's fit (which leaves room for rotating).
    if (newScene) camera_->Zoom(1.15);
    applyColors();
    emit sweepShown();
}

void GammaSweepView::setColoring(Coloring coloring) {
    coloring_ = coloring;
    coloringCombo_->setCurrentIndex(coloring == Coloring::Superpoints ? 1 : 0);
    applyColors();
}

void GammaSweepView::applyColors() {
    if (!outcome_) return;
    const std::vector<std::uint8_t> rgb = coloring_ == Coloring::Superpoints
                                              ? superpointLayerColors(outcome_->superpoints->labels)
                                              : computeColors(*outcome_->scene, window_->colorSpec());
    for (Panel& p : panels_) p.viewport->setColors(rgb);
}

void GammaSweepView::onFrameRendered(PointCloudViewport* source) {
    // A panel rendered with a camera the others have not drawn yet (the user moved it there): redraw
    // the others. Compared by value, not by MTime: every render touches the clipping range.
    const std::array<double, 11> state = cameraState(camera_);
    if (state == lastCameraState_) return;
    lastCameraState_ = state;
    for (Panel& p : panels_)
        if (p.viewport != source) p.viewport->update();
}

}  // namespace s4::gui
