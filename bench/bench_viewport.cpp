// Viewport frame times with and without level of detail (gui/PointCloudViewport): the same camera
// move on the same cloud, drawn in full and with the LOD subset a drag shows; the ratio is what a drag
// gains. Each frame waits for the GL pipeline (glFinish), so with Mesa's llvmpipe it is CPU time.
// Needs an X display with GLX: xvfb-run -a -s "-screen 0 1400x900x24" ./bench_viewport

#include "gui/ColorModes.h"
#include "gui/PointCloudViewport.h"
#include "gui/StudioLauncher.h"
#include "tests/support/SyntheticScenes.h"

#include <benchmark/benchmark.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QTest>

#include <vtkCamera.h>
#include <vtkRenderer.h>

#include <cstdio>
#include <algorithm>
#include <memory>

using namespace s4;
using namespace s4::gui;

namespace {

// Draws frames the way the window does: a camera change requests a paint, the event loop delivers it
// (paintGL renders and emits frameRendered), then glFinish waits for the GL pipeline.
class FrameDriver {
public:
    explicit FrameDriver(PointCloudViewport& viewport) : viewport_(viewport) {
        QObject::connect(&viewport, &PointCloudViewport::frameRendered, [this] { ++rendered_; });
    }
    /// Moves the camera a little, like a drag, and draws. False if no frame came within 10 s.
    bool draw() {
        viewport_.renderer()->GetActiveCamera()->Azimuth(2.0);
        const int before = rendered_;
        viewport_.update();
        QElapsedTimer clock;
        clock.start();
        while (rendered_ == before) {
            if (clock.elapsed() > 10'000) return false;
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        }
        viewport_.makeCurrent();
        viewport_.context()->functions()->glFinish();
        viewport_.doneCurrent();
        return true;
    }

private:
    PointCloudViewport& viewport_;
    int rendered_ = 0;
};

// range(0): points; range(1): 1 = the LOD subset (as during a drag), 0 = the full cloud. The LOD
// threshold is lowered below the cloud size so that both sizes have a subset (a quarter of the cloud,
// at most the default budget).
void BM_ViewportFrame(benchmark::State& state) {
    const auto n = std::size_t(state.range(0));
    const bool lod = state.range(1) != 0;
    PointCloudViewport viewport;
    viewport.setLodThreshold(n / 2);
    viewport.setLodBudget(std::min(n / 4, PointCloudViewport::kDefaultLodBudget));
    viewport.resize(1200, 800);
    viewport.show();
    if (!QTest::qWaitForWindowExposed(&viewport)) {
        state.SkipWithError("the viewport window was never exposed (no X display?)");
        return;
    }
    viewport.setScene(test::sphereShell(n));
    viewport.setColors(computeColors(*viewport.scene(), {ColorMode::Height, {}}));
    viewport.setInteracting(lod);
    FrameDriver frames(viewport);
    for (int i = 0; i < 2; ++i) {  // the buffers of this mode are uploaded
        if (!frames.draw()) {
            state.SkipWithError("the viewport did not render (no GLX context?)");
            return;
        }
    }
    for (auto _ : state)
        if (!frames.draw()) state.SkipWithError("a frame did not render within 10 s");
    state.counters["points_drawn"] = double(lod ? viewport.lodPointCount() : n);
}
BENCHMARK(BM_ViewportFrame)
    ->ArgNames({"points", "lod"})
    ->ArgsProduct({{1'000'000, 4'000'000}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(1.0);

}  // namespace

int main(int argc, char** argv) {
    prepareGuiEnvironment();
    if (qgetenv("QT_QPA_PLATFORM").startsWith("xcb") && qEnvironmentVariableIsEmpty("DISPLAY")) {
        std::fprintf(stderr, "bench_viewport: no X display; run it under xvfb-run\n");
        return 2;
    }
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
