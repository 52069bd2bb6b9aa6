#pragma once
// The dockable "Prompts" panel: open-vocabulary segmentation of the scene with CLIP text prompts. The
// user types prompts (or fills them from a class set), picks templates and an unknown threshold, and
// presses Segment (every point gets the best prompt or "unknown") or Heatmap (similarity of every point
// to one prompt). Loading the models, encoding the scene and answering queries run as CoreWorker tasks
// (progress, cancel) on the panel's own worker. The models (hundreds of MB for a real CLIP) load when the
// Prompts tab first comes to the front or the panel is first asked to segment, not with the window: a session that never opens the
// Prompts tab, and a scripted --screenshot run, do not pay for them. A segmentation is stored in the scene as its "label"
// (prompt k → id k, unknown -1) and "confidence" attributes (MainWindow::storePromptLabels, copy on
// write), so the label colour mode and the Legend show it under the prompt names and colours, Save Scene
// As keeps it and Export Labels writes it; a heatmap is only a colour layer with a colour bar. Without a
// configured or loadable model the panel says how to provide one and offers the settings dialog.

#include "core/model/engine/OpenVocabSession.h"
#include "gui/ColorModes.h"
#include "gui/CoreWorker.h"
#include "gui/PromptModelSettings.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSlider;

namespace s4::gui {

class MainWindow;

/// A finished segmentation with the prompts it answered.
struct PromptSegmentation {
    std::shared_ptr<const Scene> scene;
    QStringList prompts;
    OpenVocabLabels labels;
};

class PromptPanel : public QWidget {
    Q_OBJECT
public:
    explicit PromptPanel(MainWindow* window);
    ~PromptPanel() override;

    /// Prompts from text: one per line or comma separated, trimmed, empty ones and repeats dropped.
    static QStringList parsePrompts(const QString& text);

    void setPromptText(const QString& text);
    QStringList prompts() const;
    /// Fills the prompts from a shipped class set ("scannet20", ...): one prompt per class.
    void setClassSet(const QString& name);
    /// Templates as edited (one per line); empty means the engine's defaults.
    std::vector<std::string> templates() const;
    double unknownThreshold() const;

    bool modelReady() const { return session_ != nullptr; }
    /// True while the models load on the worker.
    bool modelLoading() const { return loadJob_ != 0; }
    /// The model box text: the models' description, the loading state, or the help / error text.
    QString modelStatusText() const;
    QPushButton* settingsButton() const { return settingsButton_; }
    QPushButton* segmentButton() const { return segmentButton_; }
    QPushButton* heatmapButton() const { return heatmapButton_; }
    QPushButton* confidenceButton() const { return confidenceButton_; }
    QPushButton* exportLabelsButton() const { return exportLabelsButton_; }
    /// The status line under the buttons.
    QString statusText() const;
    /// Colour of prompt k in the class list, the viewport and the Legend.
    static Rgb8 promptColor(int k);
    /// Names shown in the class list, in prompt order.
    QStringList classListNames() const;
    std::shared_ptr<const PromptSegmentation> segmentation() const { return segmentation_; }

public slots:
    /// Reads the model settings from QSettings again and loads the models now on the worker (or shows
    /// the help when none are set); what was loaded before is dropped.
    void reloadModel();
    /// Starts loading the set models unless they are loaded, loading, or failed to load (a failure
    /// waits for Load Again or new settings instead of being repeated on every show). The window calls
    /// it when the Prompts tab comes to the front.
    void loadModelIfNeeded();
    /// Segments the scene with the current prompts (loading the models and encoding the scene first if
    /// needed).
    void segment();
    /// Heatmap of the selected prompt (or the only one).
    void heatmap();
    /// Shows the stored confidence (of the last segmentation) in the scalar colour mode.
    void showConfidence();
    void cancel();

signals:
    void modelLoaded();
    void modelFailed(const QString& message);
    void segmentationShown();
    void heatmapShown();
    void queryFailed(const QString& message);

private:
    void buildControls();
    void refreshClassList();
    void refreshButtons();
    void showModelHelp(const QString& error);
    /// Shows which models are set (or the help); nothing is loaded.
    void showModelSettings();
    void startLoading(const PromptModelSettings& settings);
    enum class Query { None, Segment, Heatmap };

    /// Shows (with the bar at 0) or hides the progress bar and its Cancel button.
    void setBusy(bool busy);
    /// Runs `query` now, or once the shown scene is encoded.
    void startQuery(Query query);
    void requestEncode();
    void runPendingQuery();
    void onTaskFinished(quint64 job, std::shared_ptr<void> result);
    void onFailed(quint64 job, const QString& message);
    void onProgress(quint64 job, double fraction);
    void storeSegmentation();
    void onSceneReplaced(std::shared_ptr<const Scene> previous);
    /// True when scene is the window's scene or the copy it last replaced (same positions, so encoded
    /// features and labels computed on it still fit); rebase such results onto window_->scene().
    bool fitsShownScene(const std::shared_ptr<const Scene>& scene) const;
    void showScalarLayer(const std::vector<float>& values, const QString& title);

    MainWindow* window_;
    CoreWorker* worker_;
    std::shared_ptr<OpenVocabSession> session_;
    bool modelConfigured_ = false;  ///< models named in the settings last read
    bool modelFailed_ = false;      ///< the last load failed or was cancelled
    std::shared_ptr<const Scene> encodedScene_;
    std::shared_ptr<const PromptSegmentation> segmentation_;
    std::weak_ptr<const Scene> replacedScene_;  ///< the scene the last replaceScene() swapped out
    Query pending_ = Query::None;
    QString heatmapPrompt_;
    quint64 loadJob_ = 0, encodeJob_ = 0, queryJob_ = 0;

    QLabel* modelStatus_ = nullptr;
    QPushButton* settingsButton_ = nullptr;
    QPushButton* loadButton_ = nullptr;
    QComboBox* classSet_ = nullptr;
    QPlainTextEdit* promptsEdit_ = nullptr;
    QListWidget* classList_ = nullptr;
    QPlainTextEdit* templatesEdit_ = nullptr;
    QSlider* threshold_ = nullptr;
    QLabel* thresholdValue_ = nullptr;
    QPushButton* segmentButton_ = nullptr;
    QPushButton* heatmapButton_ = nullptr;
    QPushButton* confidenceButton_ = nullptr;
    QPushButton* exportLabelsButton_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QLabel* status_ = nullptr;
};

}  // namespace s4::gui
