#pragma once
// The studio window: menus, toolbar, the 3D viewport in the centre, a dockable Scene panel, and a
// status bar with load progress and a Cancel button. Loading runs on a worker (SceneLoader).
// Later tools (tokenization inspector, prompts, labelling) plug in as dock panels via addPanel() and
// as colour layers via the viewport's setColors().

#include "core/io/LabelWriter.h"
#include "core/scene/Scene.h"
#include "gui/ColorLegend.h"
#include "gui/ColorModes.h"

#include <QMainWindow>
#include <QStringList>

#include <memory>
#include <optional>

class QAction;
class QActionGroup;
class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace s4::gui {

class AnchorOverlay;
class GammaSweepView;
class LegendPanel;
class PromptPanel;
class PointCloudViewport;
class ScenePanel;
class SceneLoader;
class TokenizationPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    struct Options {
        /// Read/write QSettings (geometry, dock layout, recent files). Off for scripted runs and tests.
        bool persistSettings = true;
        /// Report load errors in a message box (otherwise only through sceneLoadFailed()).
        bool errorDialogs = true;
        /// Ask before closing the window or opening another scene while results are unsaved. Off for
        /// scripted runs (--exit) and tests.
        bool confirmDiscard = true;
    };

    explicit MainWindow(Options options, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Starts loading a file or dataset folder in the background; the result arrives as sceneShown()
    /// or sceneLoadFailed(). sampleScene marks the bundled scene (not added to Open Recent).
    void openFile(const QString& path, bool sampleScene = false);
    /// The colour mode to use; if the scene lacks what it needs, returns false and keeps the current one.
    /// Before a scene is loaded it is remembered and applied (if possible) when one arrives.
    bool setColorSpec(const ColorSpec& spec);
    /// setColorSpec() on behalf of the user (a panel's button): also emits colorSpecChosen(), so layers of
    /// other panels give the viewport back.
    bool chooseColorSpec(const ColorSpec& spec);
    ColorSpec colorSpec() const { return colorSpec_; }

    std::shared_ptr<const Scene> scene() const { return scene_; }
    /// Copy-on-write edit of the scene: edited must have the current scene's positions (it is a copy
    /// with attributes added or changed). It replaces the scene everywhere (viewport with its camera,
    /// panels, the workers through their queues; the tokenization cache is kept) and marks the window
    /// modified. The previous scene is never mutated, so a worker still reading it is safe. Returns false
    /// (and changes nothing) when there is no scene or the positions differ.
    bool replaceScene(std::shared_ptr<Scene> edited);
    /// Stores a prompt segmentation of the current scene as its "label" (prompt k → id k, unknown → -1)
    /// and "confidence" attributes through replaceScene(), names the label ids after the prompts (legend
    /// and label colour mode use colors) and shows the label colour mode. A "label" the scene had from
    /// its dataset is kept as "dataset_label". Returns false when the sizes do not match the scene.
    bool storePromptLabels(const QStringList& prompts, const std::vector<Rgb8>& colors,
                           const std::vector<std::int32_t>& label, const std::vector<float>& confidence);
    /// Names and colours of the label ids when a tool assigned them (null for the dataset's labels).
    std::shared_ptr<const AssignedLabelClasses> assignedLabelClasses() const { return assignedLabels_; }
    /// The scene has results that were not saved (also shown as the title's modified mark).
    bool hasUnsavedResults() const { return isWindowModified(); }
    /// Writes the scene with all its attributes as binary PLY (what Save Scene As does after its
    /// dialog); clears the modified mark. On failure shows the error (with errorDialogs) and returns false.
    bool saveSceneTo(const QString& path);
    /// Writes the scene's labels alone (what Export Labels does after its dialog). Same error handling.
    bool exportLabelsTo(const QString& path, LabelFormat format);
    PointCloudViewport* viewport() const { return viewport_; }
    ScenePanel* scenePanel() const { return scenePanel_; }
    TokenizationPanel* tokenizationPanel() const { return tokenizationPanel_; }
    /// The Legend dock's panel: classes of the label mode, colour bar of scalar modes.
    LegendPanel* legendPanel() const { return legendPanel_; }
    const Options& options() const { return options_; }
    /// The Prompts dock's panel (open-vocabulary segmentation).
    PromptPanel* promptPanel() const { return promptPanel_; }
    /// Brings the Prompts dock to the front.
    void showPromptPanel();
    /// Recolours the viewport with the current colour mode and refreshes the legend (other panels call
    /// it to give the viewport back after showing their own layer).
    void applyColors();
    /// The γ sweep window (created on first use, hidden until showGammaSweep()).
    GammaSweepView* gammaSweepView();
    /// Shows the γ sweep window and starts its computation for the current scene and panel settings.
    void showGammaSweep();
    /// Index of the last picked point of the current scene (highlighted in the viewport), if any.
    std::optional<std::size_t> pickedPoint() const { return pickedPoint_; }
    /// Adds a dockable panel and its show/hide entry in the View menu.
    QDockWidget* addPanel(const QString& title, QWidget* panel,
                          Qt::DockWidgetArea area = Qt::RightDockWidgetArea);

public slots:
    /// File ▸ Export Labels…: the scene's "label" attribute alone, in a format chosen in the dialog.
    void exportLabels();
    /// Edit ▸ CLIP Model Settings…: a (non-modal) dialog; OK stores the paths in QSettings and reloads
    /// the prompt panel's models.
    void showClipSettings();

signals:
    /// Another file started loading: work on the shown scene whose results would be unsaved edits
    /// (prompt segmentations) stops, since the scene is about to be replaced.
    void sceneLoadStarted();
    /// A scene was loaded and handed to the viewport and the Scene panel.
    void sceneShown();
    /// replaceScene() swapped in an edited copy of previous (same positions); scene() is the new one.
    void sceneReplaced(std::shared_ptr<const s4::Scene> previous);
    /// Loading failed (message names the file) or was cancelled (message says so).
    void sceneLoadFailed(const QString& path, const QString& message);
    /// The user picked a colour mode in the menu or toolbar (not emitted for programmatic changes).
    void colorSpecChosen();

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void createMenus();
    void createToolBar();
    void createStatusBar();
    void restoreSettings();
    void saveSettings() const;

    void onLoadStarted(const QString& path);
    void onLoadProgress(double fraction);
    void onSceneLoaded(std::shared_ptr<Scene> scene);
    void onLoadFailed(const QString& path, const QString& message);
    void onLoadCancelled(const QString& path);
    void onPointPicked(std::size_t index);
    void endLoadUi();

    void openDialog();
    void openFolderDialog();
    void saveSceneAs();
    /// With unsaved results and confirmDiscard: asks Save / Discard / Cancel. True when it may go on.
    bool maybeDiscardResults(const QString& action);
    void updateWindowTitle();
    void setResultsModified(bool modified);
    void showError(const QString& title, const QString& message);
    void exportScreenshot();
    void showShortcuts();
    void showAbout();
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    void rebuildColorModes();

    Options options_;
    std::unique_ptr<AnchorOverlay> pickMarker_;
    std::optional<std::size_t> pickedPoint_;
    GammaSweepView* gammaSweep_ = nullptr;
    QAction* gammaSweepAction_ = nullptr;
    PointCloudViewport* viewport_ = nullptr;
    ScenePanel* scenePanel_ = nullptr;
    QDockWidget* sceneDock_ = nullptr;
    TokenizationPanel* tokenizationPanel_ = nullptr;
    LegendPanel* legendPanel_ = nullptr;
    PromptPanel* promptPanel_ = nullptr;
    QDockWidget* promptDock_ = nullptr;
    QAction* clipSettingsAction_ = nullptr;
    QDockWidget* legendDock_ = nullptr;
    SceneLoader* loader_ = nullptr;

    std::shared_ptr<Scene> scene_;
    ColorSpec colorSpec_;
    std::optional<ColorSpec> requestedSpec_;
    std::shared_ptr<const AssignedLabelClasses> assignedLabels_;
    QString loadingPath_;
    bool loadingSample_ = false;  ///< the load in progress is the bundled sample
    bool showingSample_ = false;  ///< the scene on screen is the bundled sample (saved copies go to $HOME)
    QStringList recentFiles_;

    QMenu* fileMenu_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QMenu* colorMenu_ = nullptr;
    QMenu* panelsMenu_ = nullptr;
    QActionGroup* colorGroup_ = nullptr;
    QComboBox* colorCombo_ = nullptr;
    QSpinBox* pointSizeSpin_ = nullptr;
    QAction* openAction_ = nullptr;
    QAction* openFolderAction_ = nullptr;
    QAction* saveAsAction_ = nullptr;
    QAction* exportLabelsAction_ = nullptr;
    QAction* screenshotAction_ = nullptr;
    QAction* quitAction_ = nullptr;
    QAction* resetCameraAction_ = nullptr;
    QAction* viewActions_[4] = {};
    QAction* largerPointsAction_ = nullptr;
    QAction* smallerPointsAction_ = nullptr;
    QAction* shortcutsAction_ = nullptr;
    QAction* aboutAction_ = nullptr;

    QLabel* statusText_ = nullptr;
    QProgressBar* progressBar_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
};

}  // namespace s4::gui
