#pragma once
// The "Tokenization" dock: parameters of the S4Token pipeline (tokenizer, RPN, γ and its exponent
// convention, N, M, α, ρ, seed), live recompute on the CoreWorker (debounced while a control moves),
// statistics of the result, and the layers it draws in the viewport: superpoint or patch colouring and
// anchor glyphs (the Legend then says which layer is shown). When the window swaps in an edited copy of
// the scene (prompt labels stored), the worker keeps its cached stages and the result is refreshed from
// them.

#include "core/pipeline/TokenizationPipeline.h"
#include "gui/CoreWorker.h"

#include <QString>
#include <QWidget>

#include <memory>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QSlider;
class QSpinBox;
class QTimer;

namespace s4::gui {

class AnchorOverlay;
class AnchorSpheres;
class MainWindow;

class TokenizationPanel : public QWidget {
    Q_OBJECT
public:
    /// Which per-point colouring the panel puts into the viewport.
    enum class Coloring { Scene, Superpoints, Patches };

    /// Follows window's scene (sceneShown) and draws into its viewport.
    explicit TokenizationPanel(MainWindow* window);
    ~TokenizationPanel() override;

    /// The parameters as currently set in the controls.
    TokenizationParams params() const;
    void setTokenizer(TokenizerKind kind);
    void setGamma(double gamma);
    void setColoring(Coloring coloring);
    Coloring coloring() const { return coloring_; }
    void setAnchorsVisible(bool visible);
    bool anchorsVisible() const;
    /// Wireframe spheres of the grouping radius r around the anchors.
    void setRadiusSpheresVisible(bool visible);
    const AnchorSpheres* radiusSpheres() const { return spheres_.get(); }

    /// Scenes with more points than this are not tokenized on load or on parameter changes: the panel
    /// says how long it would take and waits for Compute. Stored in QSettings when the window persists
    /// settings; default kDefaultAutoComputeLimit.
    void setAutoComputeLimit(std::size_t points);
    std::size_t autoComputeLimit() const { return autoComputeLimit_; }
    static constexpr std::size_t kDefaultAutoComputeLimit = 2'000'000;
    /// Whether the current scene is tokenized automatically (at most autoComputeLimit() points).
    bool autoComputes() const;
    /// The status line under the statistics.
    QString statusText() const;

    /// The result on display (null before the first one for the current scene).
    std::shared_ptr<const TokenizationOutcome> outcome() const { return outcome_; }
    /// Statistics as displayed, for tests and accessibility.
    QString anchorsText() const;
    QString superpointsText() const;
    QString purityText() const;
    CoreWorker* worker() const { return worker_; }

public slots:
    /// Requests a tokenization with the current controls now (no debounce).
    void recompute();

signals:
    /// A result was shown: statistics filled and layers updated.
    void resultShown();
    /// The last request failed; message is the core's sentence.
    void tokenizationFailed(const QString& message);

private:
    void buildControls();
    void scheduleRecompute();
    void showComputeHint();
    void onSceneShown();
    void onSceneReplaced(std::shared_ptr<const Scene> previous);
    void showLayerLegend();
    void onFinished(quint64 job, std::shared_ptr<const TokenizationOutcome> outcome);
    void onFailed(quint64 job, const QString& message);
    void onProgress(quint64 job, double fraction);
    void showStatistics();
    void clearStatistics();
    void applyLayers();

    MainWindow* window_;
    CoreWorker* worker_;
    std::unique_ptr<AnchorOverlay> anchors_;
    std::unique_ptr<AnchorSpheres> spheres_;
    std::size_t autoComputeLimit_ = kDefaultAutoComputeLimit;
    QTimer* debounce_;
    bool computing_ = false;  ///< a requested tokenization has not reported back yet
    std::shared_ptr<const TokenizationOutcome> outcome_;
    Coloring coloring_ = Coloring::Scene;

    QComboBox* tokenizer_ = nullptr;
    QCheckBox* rpn_ = nullptr;
    QSlider* gammaSlider_ = nullptr;
    QDoubleSpinBox* gammaSpin_ = nullptr;
    QComboBox* convention_ = nullptr;
    QSpinBox* numTokens_ = nullptr;
    QSpinBox* patchSize_ = nullptr;
    QDoubleSpinBox* alpha_ = nullptr;
    QDoubleSpinBox* rho_ = nullptr;
    QDoubleSpinBox* mergePenalty_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QButtonGroup* coloringGroup_ = nullptr;
    QCheckBox* showAnchors_ = nullptr;
    QCheckBox* showSpheres_ = nullptr;
    QSpinBox* autoLimit_ = nullptr;

    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QLabel* superpoints_ = nullptr;
    QLabel* anchorsCount_ = nullptr;
    QLabel* anchorsPerSuperpoint_ = nullptr;
    QLabel* radius_ = nullptr;
    QLabel* timings_ = nullptr;
    QLabel* purity_ = nullptr;
    QLabel* crossing_ = nullptr;
};

}  // namespace s4::gui
