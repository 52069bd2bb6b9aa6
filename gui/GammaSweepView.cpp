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
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

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

GammaSweepView::GammaSweepView(MainWindow* window, TokenizationPanel* panel, std::vector<double> gammas)
    : QWidget(window, Qt::Window), window_(window), panel_(panel), gammas_(std::move(gammas)) {
    setObjectName("gammaSweepView");
    setWindowTitle(tr("γ sweep — S4Studio"));

    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
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
    layout->addLayout(bar);

    // Small multiples: about square panels, three per row for the default five.
    auto* grid = new QGridLayout;
    grid->setSpacing(4);
    const int columns = gammas_.size() <= 3 ? static_cast<int>(gammas_.size())
                                            : static_cast<int>(std::ceil(std::sqrt(double(gammas_.size()))));
    for (std::size_t i = 0; i < gammas_.size(); ++i) {
        Panel p;
        auto* cell = new QWidget(this);
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
        this);
    legend->setWordWrap(true);
    legend->setAlignment(Qt::AlignCenter);
    legend->setMargin(24);
    const int cells = static_cast<int>(gammas_.size());
    if (cells % columns != 0)
        grid->addWidget(legend, cells / columns, cells % columns);
    else
        layout->addWidget(legend);
    layout->addLayout(grid, 1);
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
    // A new scene invalidates the panels; recompute only while the window is open.
    connect(window_, &MainWindow::sceneShown, this, [this] {
        outcome_.reset();
        for (Panel& p : panels_) p.anchors->setAnchors({});
        if (isVisible()) recompute();
    });
}

GammaSweepView::~GammaSweepView() = default;

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
