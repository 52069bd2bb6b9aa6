#pragma once
// The 3D view: a QOpenGLWidget hosting a vtkGenericOpenGLRenderWindow (Debian's VTK Qt widgets are
// Qt 5 only; the bridge follows VTK's QVTKOpenGLNativeWidget, see shared/notes/STACK.md). It shows a
// Scene as points with one RGB colour per point, forwards mouse/wheel/keys to a trackball-camera
// interactor, and picks points on click. It knows nothing about colour modes: callers hand it colours.

#include "core/scene/Scene.h"

#include <QColor>
#include <QOpenGLWidget>

class QTimer;

#include <vtkActor.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkNew.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace s4::gui {

enum class StandardView { Top, Front, Side, Iso };

class PointCloudViewport : public QOpenGLWidget {
    Q_OBJECT
public:
    explicit PointCloudViewport(QWidget* parent = nullptr);
    ~PointCloudViewport() override;

    /// Shows the scene's points (all grey until setColors) and frames them in the iso view.
    void setScene(std::shared_ptr<const Scene> scene);
    /// Swaps in an edited copy of the current scene with the same positions (an attribute was added):
    /// geometry, level of detail, colours and camera stay. Other positions fall back to setScene().
    void replaceSceneKeepingView(std::shared_ptr<const Scene> scene);
    const std::shared_ptr<const Scene>& scene() const { return scene_; }
    /// One r, g, b triple per point (3 × pointCount() bytes); ignored if the size does not match.
    void setColors(const std::vector<std::uint8_t>& rgb);

    void setPointSize(float pixels);
    float pointSize() const { return pointSize_; }
    QColor backgroundColor() const { return background_; }

    /// Index of the visible point nearest to a widget position (logical pixels), within a few
    /// pixels; the front-most one when several are that close. std::nullopt if none.
    std::optional<std::size_t> pickPoint(const QPoint& widgetPos) const;
    /// Where a point projects in widget coordinates (logical pixels); std::nullopt if off screen.
    std::optional<QPointF> projectPoint(std::size_t index) const;

    /// The renderer, for later overlays (tokenization anchors, patch outlines).
    vtkRenderer* renderer() const;

    /// Level of detail: scenes with more points than lodThreshold() are drawn as a fixed random subset
    /// of lodBudget() points while the camera moves (between the interactor style's start and end of
    /// interaction, plus a short grace period so wheel zooming stays smooth) and in full when it stops.
    /// Takes effect at the next setScene().
    void setLodThreshold(std::size_t points) { lodThreshold_ = points; }
    void setLodBudget(std::size_t points) { lodBudget_ = std::max<std::size_t>(points, 1); }
    std::size_t lodThreshold() const { return lodThreshold_; }
    std::size_t lodBudget() const { return lodBudget_; }
    static constexpr std::size_t kDefaultLodThreshold = 2'000'000;
    static constexpr std::size_t kDefaultLodBudget = 1'000'000;
    /// Points of the subset for the current scene (0: the scene is drawn in full at all times).
    std::size_t lodPointCount() const { return lodIndices_.size(); }
    /// Scene indices of the subset, ascending.
    const std::vector<vtkIdType>& lodIndices() const { return lodIndices_; }
    /// The subset's geometry and colours (for tests).
    vtkPolyData* lodPolyData() const { return lodPolyData_.GetPointer(); }
    /// Whether the next frame draws the subset instead of the full cloud.
    bool lodActive() const;
    /// Switches to the subset (true) or, after the grace period, back to the full cloud (false). Driven
    /// by the interactor; public for scripted interaction and frame-time measurements.
    void setInteracting(bool interacting);

public slots:
    void resetCamera();
    void setStandardView(s4::gui::StandardView view);

signals:
    /// A point was clicked (left button pressed and released without dragging).
    void pointPicked(std::size_t index);
    /// The view was rendered at least once with the current scene and colours.
    void frameRendered();

protected:
    void initializeGL() override;
    void paintGL() override;
    void resizeGL(int w, int h) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void enterEvent(QEnterEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void onContextAboutToBeDestroyed();
    void forwardMouse(QMouseEvent* event, unsigned long vtkEvent);
    void requestRender();
    void buildLod();
    void showLod(bool on);

    vtkNew<vtkGenericOpenGLRenderWindow> renderWindow_;
    vtkNew<vtkGenericRenderWindowInteractor> interactor_;
    vtkNew<vtkRenderer> renderer_;
    vtkNew<vtkPolyData> polyData_;
    vtkNew<vtkPolyDataMapper> mapper_;
    vtkNew<vtkActor> actor_;
    vtkSmartPointer<vtkUnsignedCharArray> colors_;
    std::shared_ptr<const Scene> scene_;
    QColor background_{28, 30, 36};
    float pointSize_ = 3.0f;
    bool inPaint_ = false;
    QPoint pressPos_;
    bool pressedLeft_ = false;
    unsigned long observerTags_[3] = {0, 0, 0};
    unsigned long renderObserverTag_ = 0;
    unsigned long interactionTags_[2] = {0, 0};

    vtkNew<vtkPolyData> lodPolyData_;
    vtkNew<vtkPolyDataMapper> lodMapper_;
    vtkNew<vtkActor> lodActor_;
    vtkSmartPointer<vtkUnsignedCharArray> lodColors_;
    std::vector<vtkIdType> lodIndices_;
    std::size_t lodThreshold_ = kDefaultLodThreshold;
    std::size_t lodBudget_ = kDefaultLodBudget;
    QTimer* lodRestore_ = nullptr;
};

}  // namespace s4::gui
