#include "gui/MainWindow.h"

#include "core/common/Error.h"
#include "core/common/Log.h"
#include "core/io/SceneReader.h"
#include "core/io/SceneWriter.h"
#include "core/openvocab/PromptLabels.h"
#include "gui/AnchorOverlay.h"
#include "gui/ClipSettingsDialog.h"
#include "gui/GammaSweepView.h"
#include "gui/LegendPanel.h"
#include "gui/PointCloudViewport.h"
#include "gui/PointDescription.h"
#include "gui/PromptPanel.h"
#include "gui/SampleScene.h"
#include "gui/SceneLoader.h"
#include "gui/ScenePanel.h"
#include "gui/TokenizationPanel.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>

#include <cstring>

namespace s4::gui {
namespace {

constexpr int kMaxRecentFiles = 10;

QString fileDialogFilter() {
    QStringList patterns;
    for (const std::string& ext : supportedExtensions()) patterns << "*" + QString::fromStdString(ext);
    return QObject::tr("Point clouds (%1);;All files (*)").arg(patterns.join(' '));
}

}  // namespace

MainWindow::MainWindow(Options options, QWidget* parent) : QMainWindow(parent), options_(options) {
    setWindowTitle("S4Studio");
    setAcceptDrops(true);
    setObjectName("MainWindow");

    viewport_ = new PointCloudViewport(this);
    viewport_->setObjectName("viewport");
    setCentralWidget(viewport_);
    // The picked point: one cyan glyph, larger than an anchor so it stays visible on top of one.
    pickMarker_ = std::make_unique<AnchorOverlay>(viewport_);
    pickMarker_->setColor(0, 230, 255);
    pickMarker_->setGlyphSize(14.0f);

    scenePanel_ = new ScenePanel(this);
    scenePanel_->setMinimumWidth(280);
    sceneDock_ = addPanel(tr("Scene"), scenePanel_, Qt::LeftDockWidgetArea);
    sceneDock_->setObjectName("sceneDock");
    legendPanel_ = new LegendPanel(this);
    legendDock_ = addPanel(tr("Legend"), legendPanel_, Qt::LeftDockWidgetArea);
    legendDock_->setObjectName("legendDock");

    loader_ = new SceneLoader(this);
    connect(loader_, &SceneLoader::started, this, &MainWindow::onLoadStarted);
    connect(loader_, &SceneLoader::progress, this, &MainWindow::onLoadProgress);
    connect(loader_, &SceneLoader::loaded, this, &MainWindow::onSceneLoaded);
    connect(loader_, &SceneLoader::failed, this, &MainWindow::onLoadFailed);
    connect(loader_, &SceneLoader::cancelled, this, &MainWindow::onLoadCancelled);
    connect(viewport_, &PointCloudViewport::pointPicked, this, &MainWindow::onPointPicked);

    createActions();
    createMenus();
    createToolBar();
    createStatusBar();
    tokenizationPanel_ = new TokenizationPanel(this);
    tokenizationPanel_->setMinimumWidth(300);
    QDockWidget* tokenizationDock = addPanel(tr("Tokenization"), tokenizationPanel_);
    tokenizationDock->setObjectName("tokenizationDock");
    promptPanel_ = new PromptPanel(this);
    promptPanel_->setMinimumWidth(300);
    promptDock_ = addPanel(tr("Prompts"), promptPanel_);
    promptDock_->setObjectName("promptDock");
    tabifyDockWidget(tokenizationDock, promptDock_);
    // The models load when the Prompts tab is first brought to the front, not with the window. (A
    // tabbed dock behind another still counts as visible for QWidget; visibilityChanged follows the tab.)
    connect(promptDock_, &QDockWidget::visibilityChanged, promptPanel_, [this](bool visible) {
        if (visible) promptPanel_->loadModelIfNeeded();
    });
    tokenizationDock->raise();
    // A new result changes the picked point's superpoint and patch: refresh its description.
    connect(tokenizationPanel_, &TokenizationPanel::resultShown, this, [this] {
        if (pickedPoint_) onPointPicked(*pickedPoint_);
    });
    resize(1400, 900);
    // The scene summary needs little height; the legend lists up to 40 classes.
    resizeDocks({sceneDock_, legendDock_}, {330, 520}, Qt::Vertical);
    if (options_.persistSettings) restoreSettings();
    rebuildRecentMenu();
    rebuildColorModes();
}

MainWindow::~MainWindow() = default;

QDockWidget* MainWindow::addPanel(const QString& title, QWidget* panel, Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(title + "Dock");  // saveState() needs a stable name per dock
    dock->setWidget(panel);
    addDockWidget(area, dock);
    if (panelsMenu_) panelsMenu_->addAction(dock->toggleViewAction());
    return dock;
}

void MainWindow::createActions() {
    QStyle* st = style();
    openAction_ = new QAction(st->standardIcon(QStyle::SP_DialogOpenButton), tr("&Open…"), this);
    openAction_->setShortcut(QKeySequence::Open);
    openAction_->setStatusTip(tr("Open a point-cloud file"));
    connect(openAction_, &QAction::triggered, this, &MainWindow::openDialog);

    openFolderAction_ = new QAction(st->standardIcon(QStyle::SP_DirOpenIcon), tr("Open &Folder…"), this);
    openFolderAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    openFolderAction_->setStatusTip(tr("Open a dataset folder (S3DIS room)"));
    connect(openFolderAction_, &QAction::triggered, this, &MainWindow::openFolderDialog);

    saveAsAction_ = new QAction(st->standardIcon(QStyle::SP_DialogSaveButton), tr("&Save Scene As…"), this);
    saveAsAction_->setShortcut(QKeySequence::SaveAs);
    saveAsAction_->setStatusTip(tr("Save the scene with all its fields as a binary PLY"));
    saveAsAction_->setEnabled(false);  // until a scene is shown
    connect(saveAsAction_, &QAction::triggered, this, &MainWindow::saveSceneAs);

    exportLabelsAction_ = new QAction(tr("Export &Labels…"), this);
    exportLabelsAction_->setStatusTip(
        tr("Write the scene's labels alone: text, SemanticKITTI .label, ScanNet benchmark ids or PLY"));
    exportLabelsAction_->setEnabled(false);  // until the scene has labels
    connect(exportLabelsAction_, &QAction::triggered, this, &MainWindow::exportLabels);

    screenshotAction_ = new QAction(tr("Export &Screenshot…"), this);
    screenshotAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    connect(screenshotAction_, &QAction::triggered, this, &MainWindow::exportScreenshot);

    quitAction_ = new QAction(tr("&Quit"), this);
    quitAction_->setShortcut(QKeySequence::Quit);
    quitAction_->setMenuRole(QAction::QuitRole);
    connect(quitAction_, &QAction::triggered, this, &QWidget::close);

    resetCameraAction_ = new QAction(st->standardIcon(QStyle::SP_BrowserReload), tr("&Reset Camera"), this);
    resetCameraAction_->setShortcut(QKeySequence(Qt::Key_R));
    connect(resetCameraAction_, &QAction::triggered, viewport_, &PointCloudViewport::resetCamera);

    const struct {
        const char* title;
        Qt::Key key;
        StandardView view;
    } views[] = {{"&Top", Qt::Key_T, StandardView::Top},
                 {"&Front", Qt::Key_F, StandardView::Front},
                 {"&Side", Qt::Key_S, StandardView::Side},
                 {"&Isometric", Qt::Key_I, StandardView::Iso}};
    for (int i = 0; i < 4; ++i) {
        viewActions_[i] = new QAction(tr(views[i].title), this);
        viewActions_[i]->setShortcut(QKeySequence(views[i].key));
        const StandardView v = views[i].view;
        connect(viewActions_[i], &QAction::triggered, this, [this, v] { viewport_->setStandardView(v); });
    }

    largerPointsAction_ = new QAction(tr("&Larger Points"), this);
    largerPointsAction_->setShortcuts({QKeySequence(Qt::Key_Plus), QKeySequence(Qt::Key_Equal)});
    connect(largerPointsAction_, &QAction::triggered, this, [this] { pointSizeSpin_->stepUp(); });
    smallerPointsAction_ = new QAction(tr("S&maller Points"), this);
    smallerPointsAction_->setShortcut(QKeySequence(Qt::Key_Minus));
    connect(smallerPointsAction_, &QAction::triggered, this, [this] { pointSizeSpin_->stepDown(); });

    gammaSweepAction_ = new QAction(tr("γ &Sweep…"), this);
    gammaSweepAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    gammaSweepAction_->setStatusTip(tr("WFPS anchors for several γ side by side, with one shared camera"));
    connect(gammaSweepAction_, &QAction::triggered, this, &MainWindow::showGammaSweep);

    clipSettingsAction_ = new QAction(tr("&CLIP Model Settings…"), this);
    clipSettingsAction_->setStatusTip(
        tr("Where the CLIP model and the tokenizer checkpoint are, and where they run"));
    connect(clipSettingsAction_, &QAction::triggered, this, &MainWindow::showClipSettings);

    shortcutsAction_ = new QAction(tr("&Keyboard Shortcuts"), this);
    shortcutsAction_->setShortcut(QKeySequence::HelpContents);
    connect(shortcutsAction_, &QAction::triggered, this, &MainWindow::showShortcuts);
    aboutAction_ = new QAction(tr("&About S4Studio"), this);
    aboutAction_->setMenuRole(QAction::AboutRole);
    connect(aboutAction_, &QAction::triggered, this, &MainWindow::showAbout);

    colorGroup_ = new QActionGroup(this);
    colorGroup_->setExclusive(true);
}

void MainWindow::createMenus() {
    fileMenu_ = menuBar()->addMenu(tr("&File"));
    fileMenu_->addAction(openAction_);
    fileMenu_->addAction(openFolderAction_);
    recentMenu_ = fileMenu_->addMenu(tr("Open &Recent"));
    fileMenu_->addSeparator();
    fileMenu_->addAction(saveAsAction_);
    fileMenu_->addAction(exportLabelsAction_);
    fileMenu_->addAction(screenshotAction_);
    fileMenu_->addSeparator();
    fileMenu_->addAction(quitAction_);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(clipSettingsAction_);

    viewMenu_ = menuBar()->addMenu(tr("&View"));
    colorMenu_ = viewMenu_->addMenu(tr("&Colour By"));
    viewMenu_->addSeparator();
    viewMenu_->addAction(resetCameraAction_);
    for (QAction* a : viewActions_) viewMenu_->addAction(a);
    viewMenu_->addSeparator();
    viewMenu_->addAction(largerPointsAction_);
    viewMenu_->addAction(smallerPointsAction_);
    viewMenu_->addSeparator();
    viewMenu_->addAction(gammaSweepAction_);
    panelsMenu_ = viewMenu_->addMenu(tr("&Panels"));
    panelsMenu_->addAction(sceneDock_->toggleViewAction());
    panelsMenu_->addAction(legendDock_->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(shortcutsAction_);
    help->addAction(aboutAction_);
}

void MainWindow::createToolBar() {
    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName("mainToolBar");
    bar->addAction(openAction_);
    bar->addSeparator();
    bar->addWidget(new QLabel(tr(" Colour: "), bar));
    colorCombo_ = new QComboBox(bar);
    colorCombo_->setObjectName("colorModeCombo");
    colorCombo_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(colorCombo_, &QComboBox::activated, this, [this](int index) {
        if (auto spec = parseColorSpec(colorCombo_->itemData(index).toString().toStdString())) {
            setColorSpec(*spec);
            emit colorSpecChosen();
        }
    });
    bar->addWidget(colorCombo_);
    bar->addSeparator();
    bar->addAction(resetCameraAction_);
    for (QAction* a : viewActions_) bar->addAction(a);
    bar->addSeparator();
    bar->addWidget(new QLabel(tr(" Point size: "), bar));
    pointSizeSpin_ = new QSpinBox(bar);
    pointSizeSpin_->setObjectName("pointSizeSpin");
    pointSizeSpin_->setRange(1, 20);
    pointSizeSpin_->setSuffix(" px");
    pointSizeSpin_->setValue(static_cast<int>(viewport_->pointSize()));
    connect(pointSizeSpin_, &QSpinBox::valueChanged, this, [this](int v) { viewport_->setPointSize(v); });
    bar->addWidget(pointSizeSpin_);
    panelsMenu_->addAction(bar->toggleViewAction());
}

void MainWindow::createStatusBar() {
    statusText_ = new QLabel(tr("Drop a point cloud here or use File ▸ Open"), this);
    statusText_->setObjectName("statusText");
    statusText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addWidget(statusText_, 1);
    progressBar_ = new QProgressBar(this);
    progressBar_->setObjectName("loadProgress");
    progressBar_->setRange(0, 1000);
    progressBar_->setMaximumWidth(220);
    progressBar_->setTextVisible(true);
    progressBar_->setVisible(false);
    cancelButton_ = new QPushButton(tr("Cancel"), this);
    cancelButton_->setObjectName("cancelLoad");
    cancelButton_->setVisible(false);
    connect(cancelButton_, &QPushButton::clicked, loader_, &SceneLoader::cancel);
    statusBar()->addPermanentWidget(progressBar_);
    statusBar()->addPermanentWidget(cancelButton_);
}

void MainWindow::restoreSettings() {
    QSettings settings;
    if (const QByteArray g = settings.value("window/geometry").toByteArray(); !g.isEmpty())
        restoreGeometry(g);
    if (const QByteArray s = settings.value("window/state").toByteArray(); !s.isEmpty()) restoreState(s);
    recentFiles_ = settings.value("recentFiles").toStringList();
    if (const int size = settings.value("view/pointSize", 0).toInt(); size > 0)
        pointSizeSpin_->setValue(size);
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    settings.setValue("recentFiles", recentFiles_);
    settings.setValue("view/pointSize", pointSizeSpin_->value());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!maybeDiscardResults(tr("closing"))) {
        event->ignore();
        return;
    }
    loader_->cancel();
    if (options_.persistSettings) saveSettings();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const QMimeData* mime = event->mimeData();
    if (mime->hasUrls() && !mime->urls().isEmpty() && mime->urls().first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile()) return;
    // One scene at a time: the first dropped file wins.
    openFile(urls.first().toLocalFile());
    event->acceptProposedAction();
}

void MainWindow::openFile(const QString& path, bool sampleScene) {
    if (!maybeDiscardResults(tr("opening another scene"))) return;
    loadingSample_ = sampleScene;
    loader_->load(path);
}

void MainWindow::onLoadStarted(const QString& path) {
    loadingPath_ = path;
    emit sceneLoadStarted();
    statusText_->setText(tr("Loading %1…").arg(QFileInfo(path).fileName()));
    progressBar_->setValue(0);
    progressBar_->setVisible(true);
    cancelButton_->setVisible(true);
    openAction_->setEnabled(true);  // opening another file cancels this one
}

void MainWindow::onLoadProgress(double fraction) {
    progressBar_->setValue(static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 1000.0));
}

void MainWindow::endLoadUi() {
    progressBar_->setVisible(false);
    cancelButton_->setVisible(false);
}

void MainWindow::onSceneLoaded(std::shared_ptr<Scene> scene) {
    endLoadUi();
    scene_ = std::move(scene);
    assignedLabels_.reset();
    setWindowModified(false);
    pickedPoint_.reset();
    pickMarker_->setAnchors({});
    scenePanel_->showScene(scene_.get());
    viewport_->setScene(scene_);
    saveAsAction_->setEnabled(true);
    exportLabelsAction_->setEnabled(colorModeAvailable(*scene_, {ColorMode::Labels, {}}));
    rebuildColorModes();

    // Colour choice: an explicit request if this scene supports it, else keep the current mode,
    // else the file's own colours, else height (more telling than uniform grey).
    ColorSpec spec =
        scene_->find(attr::kColor) ? ColorSpec{ColorMode::Rgb, {}} : ColorSpec{ColorMode::Height, {}};
    if (requestedSpec_ && colorModeAvailable(*scene_, *requestedSpec_))
        spec = *requestedSpec_;
    else if (colorModeAvailable(*scene_, colorSpec_) && colorSpec_.mode != ColorMode::Rgb)
        spec = colorSpec_;
    if (requestedSpec_ && !colorModeAvailable(*scene_, *requestedSpec_))
        logger("gui")->warn("view '{}' is not available for {}; showing '{}'", colorSpecName(*requestedSpec_),
                            scene_->source.path, colorSpecName(spec));
    requestedSpec_.reset();
    setColorSpec(spec);

    const QString name = QFileInfo(QString::fromStdString(scene_->source.path)).fileName();
    updateWindowTitle();
    statusText_->setText(tr("%1: %2 points. Drag to rotate, Shift+drag or middle-drag to pan, wheel to zoom, "
                            "click a point to inspect it.")
                             .arg(name, QLocale().toString(static_cast<qulonglong>(scene_->pointCount()))));
    showingSample_ = loadingSample_;
    if (!showingSample_) addRecentFile(loadingPath_);
    logger("gui")->info("showing {} ({} points)", scene_->source.path, scene_->pointCount());
    emit sceneShown();
}

void MainWindow::onLoadFailed(const QString& path, const QString& message) {
    endLoadUi();
    statusText_->setText(tr("Could not open %1").arg(QFileInfo(path).fileName()));
    if (options_.errorDialogs) {
        // open() instead of exec(): the window (and a running screenshot script) keeps its event loop.
        auto* box =
            new QMessageBox(QMessageBox::Warning, tr("Cannot open file"), message, QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    }
    emit sceneLoadFailed(path, message);
}

void MainWindow::onLoadCancelled(const QString& path) {
    endLoadUi();
    statusText_->setText(tr("Loading %1 cancelled").arg(QFileInfo(path).fileName()));
    emit sceneLoadFailed(path, tr("Loading %1 was cancelled.").arg(path));
}

void MainWindow::onPointPicked(std::size_t index) {
    if (!scene_ || index >= scene_->pointCount()) return;
    pickedPoint_ = index;
    pickMarker_->setAnchors({scene_->positions[index]});
    pickMarker_->setVisible(true);
    std::string text = describePoint(*scene_, index);
    // Only a result of the scene on screen describes this point.
    if (const auto outcome = tokenizationPanel_->outcome(); outcome && outcome->scene == scene_) {
        static const std::vector<std::int32_t> kNone;
        const auto& superpoints = outcome->result.superpoints;
        text +=
            describeTokenMembership(superpoints ? superpoints->labels : kNone, outcome->patchOfPoint, index);
    }
    statusText_->setText(QString::fromStdString(text));
}

void MainWindow::showClipSettings() {
    auto* dialog = new ClipSettingsDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->load(QSettings());
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        QSettings settings;
        const PromptModelSettings before = PromptModelSettings::load(settings);
        dialog->save(settings);
        // Unchanged settings keep loaded models and a load in progress.
        if (!(dialog->settings() == before) || (!promptPanel_->modelReady() && !promptPanel_->modelLoading()))
            promptPanel_->reloadModel();
    });
    dialog->open();  // not exec(): the event loop (and a running worker) keeps going
}

void MainWindow::showPromptPanel() {
    promptDock_->show();
    promptDock_->raise();
}

GammaSweepView* MainWindow::gammaSweepView() {
    if (!gammaSweep_) gammaSweep_ = new GammaSweepView(this, tokenizationPanel_);
    return gammaSweep_;
}

void MainWindow::showGammaSweep() {
    GammaSweepView* view = gammaSweepView();
    view->show();
    view->raise();
    view->recompute();
}

bool MainWindow::setColorSpec(const ColorSpec& spec) {
    if (!scene_) {
        requestedSpec_ = spec;
        return true;
    }
    if (!colorModeAvailable(*scene_, spec)) return false;
    colorSpec_ = spec;
    applyColors();
    const QString name = QString::fromStdString(colorSpecName(spec));
    for (QAction* a : colorGroup_->actions())
        if (a->data().toString() == name) a->setChecked(true);
    if (const int i = colorCombo_->findData(name); i >= 0) colorCombo_->setCurrentIndex(i);
    return true;
}

bool MainWindow::chooseColorSpec(const ColorSpec& spec) {
    if (!setColorSpec(spec)) return false;
    emit colorSpecChosen();
    return true;
}

void MainWindow::applyColors() {
    // Labels a tool assigned (prompt ids from 0, unknown -1) are drawn in the tool's colours, not the
    // dataset palette, so the viewport matches the legend and the tool's own class list.
    const bool assigned = assignedLabels_ && colorSpec_.mode == ColorMode::Labels;
    if (scene_)
        viewport_->setColors(assigned ? assignedLabelColors(*scene_, *assignedLabels_)
                                      : computeColors(*scene_, colorSpec_));
    legendPanel_->showScene(scene_, colorSpec_, assignedLabels_);
}

bool MainWindow::replaceScene(std::shared_ptr<Scene> edited) {
    if (!scene_ || !edited || edited->positions != scene_->positions) return false;
    std::shared_ptr<const Scene> previous = scene_;
    scene_ = std::move(edited);
    viewport_->replaceSceneKeepingView(scene_);
    scenePanel_->showScene(scene_.get());
    exportLabelsAction_->setEnabled(colorModeAvailable(*scene_, {ColorMode::Labels, {}}));
    rebuildColorModes();
    // Keep the colour mode if the copy still offers it (it does unless an attribute was removed).
    if (!setColorSpec(colorSpec_)) setColorSpec({ColorMode::Rgb, {}});
    setResultsModified(true);
    emit sceneReplaced(previous);
    return true;
}

bool MainWindow::storePromptLabels(const QStringList& prompts, const std::vector<Rgb8>& colors,
                                   const std::vector<std::int32_t>& label,
                                   const std::vector<float>& confidence) {
    if (!scene_ || label.size() != scene_->pointCount() || confidence.size() != scene_->pointCount() ||
        colors.size() != static_cast<std::size_t>(prompts.size()))
        return false;
    // While another file loads, the labelled scene is about to be replaced: storing would create unsaved
    // results nobody was asked about (the question came before the load started).
    if (loader_->isLoading()) return false;
    // Copy on write: the current scene may be read by a worker right now (tokenization, encoding).
    std::shared_ptr<Scene> edited;
    try {
        edited = std::make_shared<Scene>(*scene_);
    } catch (const std::bad_alloc&) {
        showError(tr("Prompt labels"), tr("Not enough memory to store the labels in a copy of the scene."));
        return false;
    }
    // The dataset's own labels are ground truth: keep them beside the prompt labels instead of losing them.
    if (!assignedLabels_) keepDatasetLabels(*edited);
    const auto classes = static_cast<std::int32_t>(prompts.size());
    std::int32_t* ids = edited->add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>();
    for (std::size_t i = 0; i < label.size(); ++i)
        ids[i] = label[i] >= 0 && label[i] < classes ? label[i] : -1;
    std::copy(confidence.begin(), confidence.end(),
              edited->add("confidence", ScalarType::Float32, 1).data<float>());

    auto names = std::make_shared<AssignedLabelClasses>();
    names->title = tr("Prompts").toStdString();
    for (const QString& p : prompts) names->names.push_back(p.toStdString());
    names->colors = colors;
    const auto previousNames = assignedLabels_;
    const ColorSpec previousSpec = colorSpec_;
    assignedLabels_ = std::move(names);
    colorSpec_ = {ColorMode::Labels, {}};  // applied by replaceScene
    if (!replaceScene(std::move(edited))) {
        assignedLabels_ = previousNames;
        colorSpec_ = previousSpec;
        return false;
    }
    // replaceScene has applied the label colours; panels showing a layer of their own give the viewport back.
    emit colorSpecChosen();
    return true;
}

void MainWindow::setResultsModified(bool modified) {
    setWindowModified(modified);
    updateWindowTitle();
}

void MainWindow::updateWindowTitle() {
    if (!scene_) {
        setWindowTitle("S4Studio");
        return;
    }
    // "[*]" is where Qt shows the modified mark ("*") while isWindowModified().
    const QString name = QFileInfo(QString::fromStdString(scene_->source.path)).fileName();
    setWindowTitle(tr("%1[*] — S4Studio").arg(name));
}

bool MainWindow::maybeDiscardResults(const QString& action) {
    if (!isWindowModified() || !options_.confirmDiscard) return true;
    const auto answer = QMessageBox::question(
        this, tr("Unsaved results"),
        tr("The scene has results that are not saved (prompt labels and confidence). Save them before %1?")
            .arg(action),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Discard) return true;
    if (answer == QMessageBox::Save) {
        saveSceneAs();
        return !isWindowModified();  // cancelled or failed: stay
    }
    return false;
}

void MainWindow::showError(const QString& title, const QString& message) {
    statusText_->setText(message);
    if (options_.errorDialogs) QMessageBox::warning(this, title, message);
}

void MainWindow::rebuildColorModes() {
    for (QAction* a : colorGroup_->actions()) {
        colorGroup_->removeAction(a);
        delete a;
    }
    colorCombo_->clear();
    if (!scene_) {
        colorMenu_->setEnabled(false);
        colorCombo_->setEnabled(false);
        return;
    }
    colorMenu_->setEnabled(true);
    colorCombo_->setEnabled(true);
    int shortcut = 1;
    for (const ColorSpec& spec : availableColorSpecs(*scene_)) {
        const QString name = QString::fromStdString(colorSpecName(spec));
        const QString title = QString::fromStdString(colorSpecTitle(spec));
        auto* action = new QAction(title, colorGroup_);
        action->setCheckable(true);
        action->setData(name);
        if (shortcut <= 9)
            action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_0 + shortcut++)));
        connect(action, &QAction::triggered, this, [this, spec] {
            setColorSpec(spec);
            emit colorSpecChosen();
        });
        colorMenu_->addAction(action);
        colorCombo_->addItem(title, name);
    }
}

void MainWindow::addRecentFile(const QString& path) {
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recentFiles_.removeAll(absolute);
    recentFiles_.prepend(absolute);
    while (recentFiles_.size() > kMaxRecentFiles) recentFiles_.removeLast();
    rebuildRecentMenu();
    if (options_.persistSettings) QSettings().setValue("recentFiles", recentFiles_);
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    for (const QString& path : recentFiles_) {
        QAction* a = recentMenu_->addAction(QFileInfo(path).fileName());
        a->setToolTip(path);
        a->setStatusTip(path);
        connect(a, &QAction::triggered, this, [this, path] { openFile(path); });
    }
    recentMenu_->setEnabled(!recentFiles_.isEmpty());
    if (!recentFiles_.isEmpty()) {
        recentMenu_->addSeparator();
        recentMenu_->addAction(tr("Clear List"), this, [this] {
            recentFiles_.clear();
            rebuildRecentMenu();
            if (options_.persistSettings) QSettings().setValue("recentFiles", recentFiles_);
        });
    }
}

void MainWindow::openDialog() {
    const QString dir = recentFiles_.isEmpty() ? QString() : QFileInfo(recentFiles_.first()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Point Cloud"), dir, fileDialogFilter());
    if (!path.isEmpty()) openFile(path);
}

void MainWindow::openFolderDialog() {
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open Dataset Folder"));
    if (!path.isEmpty()) openFile(path);
}

void MainWindow::saveSceneAs() {
    if (!scene_) return;
    const QFileInfo current(QString::fromStdString(scene_->source.path));
    const QString suggestion = (showingSample_ ? QDir::homePath() : current.absolutePath()) + "/" +
                               current.completeBaseName() + ".ply";
    QString path =
        QFileDialog::getSaveFileName(this, tr("Save Scene As"), suggestion, tr("PLY point clouds (*.ply)"));
    if (path.isEmpty()) return;
    if (!path.endsWith(".ply", Qt::CaseInsensitive)) path += ".ply";
    saveSceneTo(path);
}

bool MainWindow::saveSceneTo(const QString& path) {
    if (!scene_) return false;
    // Synchronous: writing is a single pass over memory already loaded (about 1 s per 10 M points). The
    // scene is never mutated (edits replace it), so the writer reads a stable copy.
    QApplication::setOverrideCursor(Qt::WaitCursor);
    try {
        writePly(*scene_, path.toStdString());
        QApplication::restoreOverrideCursor();
    } catch (const std::exception& e) {
        QApplication::restoreOverrideCursor();
        showError(tr("Save Scene As"), QString::fromStdString(e.what()));
        return false;
    }
    statusText_->setText(tr("Saved %1").arg(path));
    addRecentFile(path);
    setResultsModified(false);
    return true;
}

void MainWindow::exportLabels() {
    if (!scene_ || !colorModeAvailable(*scene_, {ColorMode::Labels, {}})) return;
    struct Choice {
        QString filter;
        LabelFormat format;
        QString suffix;
    };
    const Choice choices[] = {
        {tr("Text, one label per line (*.txt)"), LabelFormat::Text, ".txt"},
        {tr("PLY with x y z and label (*.ply)"), LabelFormat::PlyField, ".ply"},
        {tr("SemanticKITTI labels (*.label)"), LabelFormat::SemanticKitti, ".label"},
        {tr("ScanNet benchmark ids, NYU40 (*.txt)"), LabelFormat::ScanNetIds, ".txt"},
    };
    QStringList filters;
    for (const Choice& c : choices) filters << c.filter;
    const QFileInfo current(QString::fromStdString(scene_->source.path));
    const QString suggestion = (showingSample_ ? QDir::homePath() : current.absolutePath()) + "/" +
                               current.completeBaseName() + "_labels.txt";
    QString selected;
    QString path =
        QFileDialog::getSaveFileName(this, tr("Export Labels"), suggestion, filters.join(";;"), &selected);
    if (path.isEmpty()) return;
    const Choice* choice = &choices[0];
    for (const Choice& c : choices)
        if (c.filter == selected) choice = &c;
    if (QFileInfo(path).suffix().isEmpty()) path += choice->suffix;
    exportLabelsTo(path, choice->format);
}

namespace {

// Prompt labels are prompt indices. The dataset formats hold class ids: when the prompts are exactly
// those of a class set whose ids the format takes, the scene to write carries those ids instead; null
// when there is no such set.
std::shared_ptr<const Scene> withClassIds(const Scene& scene, const AssignedLabelClasses& prompts,
                                          LabelFormat format) {
    // NYU40 ids for the ScanNet benchmark format, raw SemanticKITTI ids for .label files.
    const std::vector<std::string> sets = format == LabelFormat::ScanNetIds ? std::vector<std::string>{"scannet20", "nyu40"}
                                                                            : std::vector<std::string>{"semantickitti"};
    const AttributeArray* label = scene.find(attr::kLabel);
    if (!label || label->type() != ScalarType::Int32) return nullptr;
    for (const std::string& name : sets) {
        const ClassSet set = builtinClassSet(name);
        const ClassSetPrompts classes = classSetPrompts(set);
        if (classes.prompts != prompts.names) continue;
        auto mapped = std::make_shared<Scene>(scene);
        const std::vector<std::int32_t> ids = promptLabelsToClassIds(
            {label->data<std::int32_t>(), scene.pointCount()}, classes.ids, std::max(set.ignoreId, 0));
        std::copy(ids.begin(), ids.end(), mapped->find(attr::kLabel)->data<std::int32_t>());
        return mapped;
    }
    return nullptr;
}

}  // namespace

bool MainWindow::exportLabelsTo(const QString& path, LabelFormat format) {
    if (!scene_) return false;
    std::shared_ptr<const Scene> toWrite = scene_;
    try {
        if (assignedLabels_ && (format == LabelFormat::ScanNetIds || format == LabelFormat::SemanticKitti)) {
            // Reads the shipped class sets: a broken installation throws, which must not reach Qt.
            toWrite = withClassIds(*scene_, *assignedLabels_, format);
            if (!toWrite) {
                showError(tr("Export Labels"),
                          tr("The labels are numbers of typed prompts, and this format holds dataset class ids. "
                             "Segment with the %1 class set to export them in it, or export them as text or PLY.")
                              .arg(format == LabelFormat::ScanNetIds ? tr("ScanNet 20 or NYU40")
                                                                     : tr("SemanticKITTI")));
                return false;
            }
        }
        writeLabels(path.toStdString(), *toWrite, format);
    } catch (const std::exception& e) {
        showError(tr("Export Labels"), tr("%1: %2").arg(path, QString::fromUtf8(e.what())));
        return false;
    }
    statusText_->setText(tr("Exported the labels to %1").arg(path));
    return true;
}

void MainWindow::exportScreenshot() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Screenshot"), "screenshot.png",
                                                      tr("PNG images (*.png)"));
    if (path.isEmpty()) return;
    const QImage image = viewport_->grabFramebuffer();
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || !image.save(&out, "PNG") || !out.commit()) {
        QMessageBox::warning(this, tr("Export Screenshot"),
                             tr("%1: could not write the image (%2).").arg(path, out.errorString()));
        return;
    }
    statusText_->setText(tr("Saved %1").arg(path));
}

void MainWindow::showShortcuts() {
    const QString text =
        tr("<table cellspacing=4>"
           "<tr><td><b>Left drag</b></td><td>rotate</td></tr>"
           "<tr><td><b>Shift + left drag</b>, <b>middle drag</b></td><td>pan</td></tr>"
           "<tr><td><b>Wheel</b>, <b>right drag</b></td><td>zoom</td></tr>"
           "<tr><td><b>Ctrl + left drag</b></td><td>spin around the view axis</td></tr>"
           "<tr><td><b>Click</b></td><td>inspect a point, its superpoint and patch</td></tr>"
           "<tr><td><b>Ctrl+G</b></td><td>γ sweep window</td></tr>"
           "<tr><td><b>R</b></td><td>reset camera</td></tr>"
           "<tr><td><b>T / F / S / I</b></td><td>top / front / side / isometric view</td></tr>"
           "<tr><td><b>+ / −</b></td><td>larger / smaller points</td></tr>"
           "<tr><td><b>Ctrl+1 … Ctrl+9</b></td><td>colour modes, in View ▸ Colour By order</td></tr>"
           "<tr><td><b>Ctrl+O</b>, <b>Ctrl+Shift+O</b></td><td>open file, open dataset folder</td></tr>"
           "<tr><td><b>Ctrl+P</b></td><td>export screenshot</td></tr>"
           "<tr><td><b>Ctrl+Q</b></td><td>quit</td></tr>"
           "</table>");
    QMessageBox::information(this, tr("Keyboard Shortcuts"), text);
}

void MainWindow::showAbout() {
    QMessageBox::about(
        this, tr("About S4Studio"),
        tr("<h3>S4Studio %1</h3>"
           "<p>Superpoint-aware 3D tokenization and open-vocabulary labelling of point clouds.</p>"
           "<p>The bundled sample scene is <i>fragment.pcd</i> from the Open3D test data, "
           "MIT licence.</p>")
            .arg(QApplication::applicationVersion()));
}

}  // namespace s4::gui
