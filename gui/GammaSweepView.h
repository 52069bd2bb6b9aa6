#pragma once
// The "γ sweep" window: WFPS anchors for several γ (0, 0.25, 0.5, 0.75, 1 by default) side by side as
// small multiples, with the exponent convention, N and seed of the Tokenization panel. Every panel
// shows the cloud (scene colours or superpoint colours) with its anchors as red glyphs, and all panels
// look through ONE shared camera: rotating or zooming one moves all. The sweep runs on the panel's
// CoreWorker, whose pipeline cache supplies the superpoints, so only WFPS reruns per γ.

#include "gui/CoreWorker.h"

#include <QString>
#include <QWidget>

#include <vtkCamera.h>
#include <vtkNew.h>

#include <array>
#include <memory>
#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QTimer;
class QVBoxLayout;

namespace s4::gui {

class AnchorOverlay;
class MainWindow;
class PointCloudViewport;
class TokenizationPanel;

class GammaSweepView : public QWidget {
    Q_OBJECT
public:
    /// The γ values shown by default: 0, 0.25, 0.5, 0.75, 1.
    static std::vector<double> defaultGammas();

    /// A top-level window (child of window, so it closes with it) with one panel per γ.
    GammaSweepView(MainWindow* window, TokenizationPanel* panel,
                   std::vector<double> gammas = defaultGammas());
    ~GammaSweepView() override;

    /// Most panels one window shows.
    static constexpr std::size_t kMaxGammas = 12;
    /// Parses a γ list as typed in the window ("0, 0.25, 0.5" or "0 0.5 1"): 1 to kMaxGammas numbers in
    /// [0, 1], separated by commas, semicolons or spaces. On failure returns std::nullopt and, if error is
    /// given, a sentence saying what is wrong.
    static std::optional<std::vector<double>> parseGammas(const QString& text, QString* error = nullptr);
    /// "0, 0.25, 0.5, 0.75, 1".
    static QString formatGammas(const std::vector<double>& gammas);

    const std::vector<double>& gammas() const { return gammas_; }
    /// Replaces the γ values: one panel each, and a new sweep on the worker when a scene is shown
    /// (superseding a running one). Values outside [0, 1] are clamped.
    void setGammas(std::vector<double> gammas);
    /// The γ list editor's text and the last parse error shown (empty when the text is valid).
    QString gammasText() const;
    void setGammasText(const QString& text);
    QString gammasError() const { return gammasError_; }
    /// The sweep on display (null before the first one for the current scene).
    std::shared_ptr<const GammaSweepOutcome> outcome() const { return outcome_; }
    /// Panels, for tests: one per γ, in the order of gammas().
    std::size_t panelCount() const { return panels_.size(); }
    PointCloudViewport* panelViewport(std::size_t i) const;
    const AnchorOverlay* panelAnchors(std::size_t i) const;
    QString panelTitle(std::size_t i) const;
    /// The camera every panel renders through.
    vtkCamera* sharedCamera() const { return camera_.GetPointer(); }

    enum class Coloring { Scene, Superpoints };
    void setColoring(Coloring coloring);
    Coloring coloring() const { return coloring_; }

public slots:
    /// Requests a sweep of the window's scene with the panel's current parameters.
    void recompute();

signals:
    /// A sweep result was put into every panel.
    void sweepShown();
    /// The last sweep failed; message is the core's sentence.
    void sweepFailed(const QString& message);

private:
    struct Panel {
        QLabel* title = nullptr;
        PointCloudViewport* viewport = nullptr;
        std::unique_ptr<AnchorOverlay> anchors;
    };

    void buildPanels();
    void applyGammasText();
    void onFinished(quint64 job, std::shared_ptr<const GammaSweepOutcome> outcome);
    void onFrameRendered(PointCloudViewport* source);
    void applyColors();

    MainWindow* window_;
    TokenizationPanel* panel_;
    std::vector<double> gammas_;
    std::vector<Panel> panels_;
    vtkNew<vtkCamera> camera_;
    std::array<double, 11> lastCameraState_{};  ///< camera as last propagated to every panel
    std::shared_ptr<const GammaSweepOutcome> outcome_;
    Coloring coloring_ = Coloring::Scene;

    QVBoxLayout* layout_ = nullptr;
    QWidget* grid_ = nullptr;  ///< holds the panels; rebuilt when the γ list changes
    QLineEdit* gammasEdit_ = nullptr;
    QTimer* gammasDebounce_ = nullptr;
    QString gammasError_;
    QComboBox* coloringCombo_ = nullptr;
    QLabel* status_ = nullptr;
    QProgressBar* progress_ = nullptr;
};

}  // namespace s4::gui
