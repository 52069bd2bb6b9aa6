#include "gui/PointCloudViewport.h"
#include "gui/VtkPointArrays.h"

#include "core/common/Log.h"

#include <QtGui/qopengl.h>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QTimer>
#include <QWheelEvent>

#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkIdTypeArray.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkMatrix4x4.h>
#include <vtkOpenGLState.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkProperty.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>

// vtk_glew.h cannot be mixed with Qt's GL headers; the few enums paintGL passes to VTK's state
// wrappers are fixed by the OpenGL specification.
#ifndef GL_DRAW_FRAMEBUFFER
#define GL_DRAW_FRAMEBUFFER 0x8CA9
#endif
#ifndef GL_COLOR_ATTACHMENT0
#define GL_COLOR_ATTACHMENT0 0x8CE0
#endif

namespace s4::gui {
namespace {

// Pick radius in logical pixels: about a fingertip of slack around a small point.
constexpr double kPickRadius = 6.0;
// After the camera stops, the full cloud returns this much later: wheel zooming ends an interaction
// per notch, and redrawing millions of points between notches would make it stutter.
constexpr int kLodRestoreMs = 250;
// The subset is the same for every render of a scene (no flicker while rotating).
constexpr std::uint64_t kLodSeed = 0x5eed;

template <class F>
vtkSmartPointer<vtkCallbackCommand> makeCallback(F* self) {
    auto cb = vtkSmartPointer<vtkCallbackCommand>::New();
    cb->SetClientData(self);
    return cb;
}

}  // namespace

PointCloudViewport::PointCloudViewport(QWidget* parent) : QOpenGLWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(200, 150);

    // Recipe of VTK's QVTKOpenGLNativeWidget (shared/notes/STACK.md): Qt owns the context and the
    // framebuffer; VTK renders into its own offscreen framebuffer, which paintGL blits into Qt's.
    renderWindow_->SetReadyForRendering(false);
    renderWindow_->SetFrameBlitModeToNoBlit();
    renderWindow_->SetMultiSamples(0);
    renderWindow_->AddRenderer(renderer_);

    auto windowEvents = makeCallback(this);
    windowEvents->SetCallback([](vtkObject*, unsigned long event, void* clientData, void* callData) {
        auto* self = static_cast<PointCloudViewport*>(clientData);
        QOpenGLContext* ctx = self->context();
        switch (event) {
            case vtkCommand::WindowMakeCurrentEvent:
                // Not QOpenGLWidget::makeCurrent(): that rebinds Qt's FBO behind VTK's state cache and the
                // picture comes out black (the "makeCurrent trap" in STACK.md).
                if (ctx) ctx->makeCurrent(ctx->surface());
                break;
            case vtkCommand::WindowIsCurrentEvent:
                *static_cast<bool*>(callData) = ctx && QOpenGLContext::currentContext() == ctx;
                break;
            case vtkCommand::WindowFrameEvent:
                // A render requested outside paintGL (e.g. by VTK itself) must still reach the screen.
                if (!self->inPaint_) self->update();
                break;
            default:
                break;
        }
    });
    observerTags_[0] = renderWindow_->AddObserver(vtkCommand::WindowMakeCurrentEvent, windowEvents);
    observerTags_[1] = renderWindow_->AddObserver(vtkCommand::WindowIsCurrentEvent, windowEvents);
    observerTags_[2] = renderWindow_->AddObserver(vtkCommand::WindowFrameEvent, windowEvents);

    interactor_->SetRenderWindow(renderWindow_);
    vtkNew<vtkInteractorStyleTrackballCamera> style;
    interactor_->SetInteractorStyle(style);
    interactor_->Initialize();
    // The interactor must not render by itself: its RenderEvent schedules paintGL, the only place
    // where the Qt context is ready for VTK.
    interactor_->EnableRenderOff();
    auto renderRequest = makeCallback(this);
    renderRequest->SetCallback([](vtkObject*, unsigned long, void* clientData, void*) {
        static_cast<PointCloudViewport*>(clientData)->update();
    });
    renderObserverTag_ = interactor_->AddObserver(vtkCommand::RenderEvent, renderRequest);

    renderer_->SetBackground(background_.redF(), background_.greenF(), background_.blueF());
    mapper_->SetInputData(polyData_);
    mapper_->SetColorModeToDirectScalars();
    mapper_->SetScalarModeToUsePointData();
    mapper_->ScalarVisibilityOn();
    actor_->SetMapper(mapper_);
    // Points carry no normals in VTK and lighting is off, so every pixel shows the exact colour given:
    // label colours stay recognisable and the viewport test can look for them.
    actor_->GetProperty()->SetRepresentationToPoints();
    actor_->GetProperty()->LightingOff();
    actor_->GetProperty()->SetPointSize(pointSize_);
    actor_->VisibilityOff();
    renderer_->AddActor(actor_);

    // The level-of-detail subset: its own actor with the same look, shown instead of the full one.
    lodMapper_->SetInputData(lodPolyData_);
    lodMapper_->SetColorModeToDirectScalars();
    lodMapper_->SetScalarModeToUsePointData();
    lodMapper_->ScalarVisibilityOn();
    lodActor_->SetMapper(lodMapper_);
    lodActor_->GetProperty()->SetRepresentationToPoints();
    lodActor_->GetProperty()->LightingOff();
    lodActor_->GetProperty()->SetPointSize(pointSize_);
    lodActor_->VisibilityOff();
    renderer_->AddActor(lodActor_);
    lodRestore_ = new QTimer(this);
    lodRestore_->setSingleShot(true);
    lodRestore_->setInterval(kLodRestoreMs);
    connect(lodRestore_, &QTimer::timeout, this, [this] { showLod(false); });
    auto interaction = makeCallback(this);
    interaction->SetCallback([](vtkObject*, unsigned long event, void* clientData, void*) {
        static_cast<PointCloudViewport*>(clientData)
            ->setInteracting(event == vtkCommand::StartInteractionEvent);
    });
    interactionTags_[0] = style->AddObserver(vtkCommand::StartInteractionEvent, interaction);
    interactionTags_[1] = style->AddObserver(vtkCommand::EndInteractionEvent, interaction);
}

PointCloudViewport::~PointCloudViewport() {
    // The context outlives this subclass (QOpenGLWidget destroys it later); release VTK's GL
    // resources now, while our object is still whole, and stop listening to the context.
    if (QOpenGLContext* ctx = context()) {
        disconnect(ctx, nullptr, this, nullptr);
        onContextAboutToBeDestroyed();
    }
    for (unsigned long tag : observerTags_) renderWindow_->RemoveObserver(tag);
    interactor_->RemoveObserver(renderObserverTag_);
    if (vtkInteractorObserver* style = interactor_->GetInteractorStyle())
        for (unsigned long tag : interactionTags_) style->RemoveObserver(tag);
}

vtkRenderer* PointCloudViewport::renderer() const {
    return renderer_.GetPointer();
}

void PointCloudViewport::setScene(std::shared_ptr<const Scene> scene) {
    scene_ = std::move(scene);
    const std::size_t n = scene_ ? scene_->pointCount() : 0;

    polyData_->Initialize();
    polyData_->SetPoints(packedPoints(scene_ ? scene_->positions : std::vector<Eigen::Vector3f>{}));
    polyData_->SetVerts(vertexCells(static_cast<vtkIdType>(n)));
    colors_ = vtkSmartPointer<vtkUnsignedCharArray>::New();
    colors_->SetName("colors");
    colors_->SetNumberOfComponents(3);
    colors_->SetNumberOfTuples(static_cast<vtkIdType>(n));
    if (n > 0) std::memset(colors_->GetPointer(0), 128, 3 * n);
    polyData_->GetPointData()->SetScalars(colors_);
    polyData_->Modified();
    buildLod();
    lodRestore_->stop();
    showLod(false);
    setStandardView(StandardView::Iso);
}

void PointCloudViewport::replaceSceneKeepingView(std::shared_ptr<const Scene> scene) {
    if (!scene_ || !scene || scene->positions != scene_->positions) {
        setScene(std::move(scene));
        return;
    }
    // The VTK arrays hold copies of the positions and colours, so nothing has to be uploaded again.
    scene_ = std::move(scene);
}

void PointCloudViewport::buildLod() {
    lodIndices_.clear();
    lodPolyData_->Initialize();
    lodColors_ = nullptr;
    const std::size_t n = scene_ ? scene_->pointCount() : 0;
    if (n <= lodThreshold_ || lodBudget_ >= n) return;
    // A uniform random subset (selection sampling, Knuth's algorithm S): ascending indices, exactly
    // lodBudget_ of them, in one pass without materialising a permutation of n.
    lodIndices_.reserve(lodBudget_);
    std::mt19937_64 rng(kLodSeed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::size_t needed = lodBudget_;
    for (std::size_t i = 0; i < n && needed > 0; ++i) {
        if (uniform(rng) * double(n - i) < double(needed)) {
            lodIndices_.push_back(static_cast<vtkIdType>(i));
            --needed;
        }
    }
    const auto m = static_cast<vtkIdType>(lodIndices_.size());
    vtkNew<vtkPoints> points;
    points->SetDataTypeToFloat();
    points->SetNumberOfPoints(m);
    auto* coords = vtkFloatArray::SafeDownCast(points->GetData())->GetPointer(0);
    for (vtkIdType k = 0; k < m; ++k) {
        const Eigen::Vector3f& p = scene_->positions[static_cast<std::size_t>(lodIndices_[k])];
        coords[3 * k] = p.x(), coords[3 * k + 1] = p.y(), coords[3 * k + 2] = p.z();
    }
    lodPolyData_->SetPoints(points);
    lodPolyData_->SetVerts(vertexCells(m));
    lodColors_ = vtkSmartPointer<vtkUnsignedCharArray>::New();
    lodColors_->SetName("colors");
    lodColors_->SetNumberOfComponents(3);
    lodColors_->SetNumberOfTuples(m);
    if (m > 0) std::memset(lodColors_->GetPointer(0), 128, 3 * static_cast<std::size_t>(m));
    lodPolyData_->GetPointData()->SetScalars(lodColors_);
    lodPolyData_->Modified();
}

bool PointCloudViewport::lodActive() const {
    return lodActor_->GetVisibility() != 0;
}

void PointCloudViewport::setInteracting(bool interacting) {
    if (lodIndices_.empty()) return;
    if (interacting) {
        lodRestore_->stop();
        showLod(true);
    } else {
        lodRestore_->start();
    }
}

void PointCloudViewport::showLod(bool on) {
    const bool hasPoints = scene_ && scene_->pointCount() > 0;
    const bool lod = on && !lodIndices_.empty();
    if (lodActive() == lod && actor_->GetVisibility() == (hasPoints && !lod)) return;
    actor_->SetVisibility(hasPoints && !lod);
    lodActor_->SetVisibility(lod);
    requestRender();
}

void PointCloudViewport::setColors(const std::vector<std::uint8_t>& rgb) {
    if (!colors_ || rgb.size() != 3 * static_cast<std::size_t>(colors_->GetNumberOfTuples())) {
        logger("gui")->warn("viewport: colour array of {} bytes does not match the scene; ignored",
                            rgb.size());
        return;
    }
    if (!rgb.empty()) std::memcpy(colors_->GetPointer(0), rgb.data(), rgb.size());
    colors_->Modified();
    polyData_->Modified();
    if (lodColors_) {
        std::uint8_t* out = lodColors_->GetPointer(0);
        for (std::size_t k = 0; k < lodIndices_.size(); ++k)
            std::memcpy(out + 3 * k, rgb.data() + 3 * static_cast<std::size_t>(lodIndices_[k]), 3);
        lodColors_->Modified();
        lodPolyData_->Modified();
    }
    requestRender();
}

void PointCloudViewport::setPointSize(float pixels) {
    pointSize_ = std::clamp(pixels, 1.0f, 20.0f);
    actor_->GetProperty()->SetPointSize(pointSize_);
    lodActor_->GetProperty()->SetPointSize(pointSize_);
    requestRender();
}

void PointCloudViewport::resetCamera() {
    renderer_->ResetCamera();
    requestRender();
}

void PointCloudViewport::setStandardView(StandardView view) {
    double bounds[6];
    polyData_->GetBounds(bounds);
    const bool empty = !scene_ || scene_->pointCount() == 0;
    const double c[3] = {empty ? 0.0 : (bounds[0] + bounds[1]) / 2, empty ? 0.0 : (bounds[2] + bounds[3]) / 2,
                         empty ? 0.0 : (bounds[4] + bounds[5]) / 2};
    // Direction from the focal point towards the camera, and the up vector; z is up except from the top.
    double d[3] = {1, -1, 1}, up[3] = {0, 0, 1};
    switch (view) {
        case StandardView::Top:
            d[0] = 0, d[1] = 0, d[2] = 1, up[0] = 0, up[1] = 1, up[2] = 0;
            break;
        case StandardView::Front:
            d[0] = 0, d[1] = -1, d[2] = 0;
            break;
        case StandardView::Side:
            d[0] = 1, d[1] = 0, d[2] = 0;
            break;
        case StandardView::Iso:
            break;
    }
    vtkCamera* camera = renderer_->GetActiveCamera();
    camera->SetFocalPoint(c);
    camera->SetPosition(c[0] + d[0], c[1] + d[1], c[2] + d[2]);
    camera->SetViewUp(up);
    renderer_->ResetCamera();  // keeps the direction, fits the distance to the bounds
    requestRender();
}

std::optional<QPointF> PointCloudViewport::projectPoint(std::size_t index) const {
    if (!scene_ || index >= scene_->pointCount() || width() <= 0 || height() <= 0) return std::nullopt;
    const double aspect = static_cast<double>(width()) / height();
    vtkMatrix4x4* m = renderer_->GetActiveCamera()->GetCompositeProjectionTransformMatrix(aspect, -1, 1);
    const Eigen::Vector3f& p = scene_->positions[index];
    double in[4] = {p.x(), p.y(), p.z(), 1.0}, out[4];
    m->MultiplyPoint(in, out);
    if (out[3] <= 0) return std::nullopt;
    const double x = out[0] / out[3], y = out[1] / out[3], z = out[2] / out[3];
    if (std::fabs(x) > 1 || std::fabs(y) > 1 || std::fabs(z) > 1) return std::nullopt;
    return QPointF((x + 1) / 2 * width(), (1 - y) / 2 * height());
}

std::optional<std::size_t> PointCloudViewport::pickPoint(const QPoint& widgetPos) const {
    // A CPU search in screen space instead of vtkPointPicker: it needs no GL context (works between
    // frames and in tests) and costs one matrix product per point, a few ms for a million points.
    if (!scene_ || scene_->pointCount() == 0 || width() <= 0 || height() <= 0) return std::nullopt;
    const double w = width(), h = height();
    vtkMatrix4x4* mat = renderer_->GetActiveCamera()->GetCompositeProjectionTransformMatrix(w / h, -1, 1);
    double m[16];
    std::memcpy(m, mat->GetData(), sizeof m);
    const double r2 = kPickRadius * kPickRadius;
    std::optional<std::size_t> best;
    double bestDepth = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < scene_->pointCount(); ++i) {
        const Eigen::Vector3f& p = scene_->positions[i];
        const double cw = m[12] * p.x() + m[13] * p.y() + m[14] * p.z() + m[15];
        if (cw <= 0) continue;
        const double x = (m[0] * p.x() + m[1] * p.y() + m[2] * p.z() + m[3]) / cw;
        const double y = (m[4] * p.x() + m[5] * p.y() + m[6] * p.z() + m[7]) / cw;
        const double z = (m[8] * p.x() + m[9] * p.y() + m[10] * p.z() + m[11]) / cw;
        if (z < -1 || z > 1) continue;
        const double dx = (x + 1) / 2 * w - widgetPos.x(), dy = (1 - y) / 2 * h - widgetPos.y();
        // Among the points under the cursor the front-most is the one the user sees.
        if (dx * dx + dy * dy <= r2 && z < bestDepth) {
            bestDepth = z;
            best = i;
        }
    }
    return best;
}

void PointCloudViewport::initializeGL() {
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this,
            &PointCloudViewport::onContextAboutToBeDestroyed, Qt::UniqueConnection);
    renderWindow_->SetUseOffScreenBuffers(false);
    renderWindow_->SetReadyForRendering(true);
    renderWindow_->SetOwnContext(0);
    renderWindow_->OpenGLInitContext();
    renderWindow_->SetMapped(1);
    const qreal dpr = devicePixelRatioF();
    interactor_->UpdateSize(qRound(width() * dpr), qRound(height() * dpr));
}

void PointCloudViewport::onContextAboutToBeDestroyed() {
    if (!renderWindow_->GetReadyForRendering()) return;
    makeCurrent();
    renderer_->ReleaseGraphicsResources(renderWindow_);
    renderWindow_->Finalize();
    renderWindow_->SetReadyForRendering(false);
    doneCurrent();
}

void PointCloudViewport::resizeGL(int, int) {
    const qreal dpr = devicePixelRatioF();
    interactor_->UpdateSize(qRound(width() * dpr), qRound(height() * dpr));
}

void PointCloudViewport::paintGL() {
    if (!renderWindow_->GetReadyForRendering()) return;
    vtkOpenGLState* state = renderWindow_->GetState();
    state->Reset();
    state->Push();
    state->vtkglDepthFunc(GL_LEQUAL);
    inPaint_ = true;
    renderWindow_->Render();
    inPaint_ = false;

    // Back to Qt's framebuffer, then copy VTK's picture into it.
    makeCurrent();
    const qreal dpr = devicePixelRatioF();
    const int w = qRound(width() * dpr), h = qRound(height() * dpr);
    state->vtkglBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
    state->vtkglDrawBuffer(GL_COLOR_ATTACHMENT0);
    state->vtkglDisable(GL_SCISSOR_TEST);
    const int* size = renderWindow_->GetSize();
    renderWindow_->BlitDisplayFramebuffer(0, 0, 0, size[0], size[1], 0, 0, w, h, GL_COLOR_BUFFER_BIT,
                                          GL_NEAREST);
    {
        // The widget is composed with the window: an alpha below 1 would show through.
        vtkOpenGLState::ScopedglColorMask colorMask(state);
        vtkOpenGLState::ScopedglClearColor clearColor(state);
        state->vtkglColorMask(false, false, false, true);
        state->vtkglClearColor(0, 0, 0, 1);
        state->vtkglClear(GL_COLOR_BUFFER_BIT);
    }
    state->Pop();
    emit frameRendered();
}

void PointCloudViewport::requestRender() {
    update();
}

void PointCloudViewport::forwardMouse(QMouseEvent* event, unsigned long vtkEvent) {
    const qreal dpr = devicePixelRatioF();
    const QPointF pos = event->position();
    const Qt::KeyboardModifiers mods = event->modifiers();
    interactor_->SetEventInformationFlipY(
        qRound(pos.x() * dpr), qRound(pos.y() * dpr), (mods & Qt::ControlModifier) ? 1 : 0,
        (mods & Qt::ShiftModifier) ? 1 : 0, 0, event->type() == QEvent::MouseButtonDblClick ? 1 : 0);
    interactor_->SetAltKey((mods & Qt::AltModifier) ? 1 : 0);
    interactor_->InvokeEvent(vtkEvent, event);
}

void PointCloudViewport::mousePressEvent(QMouseEvent* event) {
    switch (event->button()) {
        case Qt::LeftButton:
            pressedLeft_ = true;
            pressPos_ = event->position().toPoint();
            forwardMouse(event, vtkCommand::LeftButtonPressEvent);
            break;
        case Qt::MiddleButton:
            forwardMouse(event, vtkCommand::MiddleButtonPressEvent);
            break;
        case Qt::RightButton:
            forwardMouse(event, vtkCommand::RightButtonPressEvent);
            break;
        default:
            break;
    }
}

void PointCloudViewport::mouseReleaseEvent(QMouseEvent* event) {
    switch (event->button()) {
        case Qt::LeftButton: {
            forwardMouse(event, vtkCommand::LeftButtonReleaseEvent);
            // A click (no drag) picks; a drag was a rotation.
            const bool click =
                pressedLeft_ && (event->position().toPoint() - pressPos_).manhattanLength() <= 3;
            pressedLeft_ = false;
            if (click)
                if (auto index = pickPoint(event->position().toPoint())) emit pointPicked(*index);
            break;
        }
        case Qt::MiddleButton:
            forwardMouse(event, vtkCommand::MiddleButtonReleaseEvent);
            break;
        case Qt::RightButton:
            forwardMouse(event, vtkCommand::RightButtonReleaseEvent);
            break;
        default:
            break;
    }
}

void PointCloudViewport::mouseMoveEvent(QMouseEvent* event) {
    forwardMouse(event, vtkCommand::MouseMoveEvent);
}

void PointCloudViewport::wheelEvent(QWheelEvent* event) {
    const int delta = event->angleDelta().y();
    if (delta == 0) return;
    const qreal dpr = devicePixelRatioF();
    const QPointF pos = event->position();
    interactor_->SetEventInformationFlipY(qRound(pos.x() * dpr), qRound(pos.y() * dpr),
                                          (event->modifiers() & Qt::ControlModifier) ? 1 : 0,
                                          (event->modifiers() & Qt::ShiftModifier) ? 1 : 0);
    interactor_->InvokeEvent(
        delta > 0 ? vtkCommand::MouseWheelForwardEvent : vtkCommand::MouseWheelBackwardEvent, event);
    event->accept();
}

// Keys reach the interactor as key press/release only. VTK's character shortcuts (CharEvent: 'q'/'e'
// quit, 'w' wireframe, '3' stereo, 'j'/'t' joystick) would fight the window's own shortcuts, so they
// are not forwarded; the window offers reset/views/point size as actions instead.
void PointCloudViewport::keyPressEvent(QKeyEvent* event) {
    const QByteArray text = event->text().toLatin1();
    const Qt::KeyboardModifiers mods = event->modifiers();
    interactor_->SetKeyEventInformation((mods & Qt::ControlModifier) ? 1 : 0,
                                        (mods & Qt::ShiftModifier) ? 1 : 0, text.isEmpty() ? 0 : text[0],
                                        event->isAutoRepeat() ? 1 : 0);
    interactor_->InvokeEvent(vtkCommand::KeyPressEvent, event);
    QOpenGLWidget::keyPressEvent(event);
}

void PointCloudViewport::keyReleaseEvent(QKeyEvent* event) {
    const QByteArray text = event->text().toLatin1();
    const Qt::KeyboardModifiers mods = event->modifiers();
    interactor_->SetKeyEventInformation((mods & Qt::ControlModifier) ? 1 : 0,
                                        (mods & Qt::ShiftModifier) ? 1 : 0, text.isEmpty() ? 0 : text[0],
                                        event->isAutoRepeat() ? 1 : 0);
    interactor_->InvokeEvent(vtkCommand::KeyReleaseEvent, event);
    QOpenGLWidget::keyReleaseEvent(event);
}

void PointCloudViewport::enterEvent(QEnterEvent* event) {
    interactor_->InvokeEvent(vtkCommand::EnterEvent, event);
    QOpenGLWidget::enterEvent(event);
}

void PointCloudViewport::leaveEvent(QEvent* event) {
    interactor_->InvokeEvent(vtkCommand::LeaveEvent, event);
    QOpenGLWidget::leaveEvent(event);
}

}  // namespace s4::gui
