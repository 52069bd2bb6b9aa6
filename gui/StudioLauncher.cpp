#include "gui/StudioLauncher.h"

#include "core/common/Error.h"
#include "core/common/Log.h"
#include "gui/ColorModes.h"
#include "gui/GammaSweepView.h"
#include "gui/MainWindow.h"
#include "gui/PointCloudViewport.h"
#include "gui/SampleScene.h"
#include "gui/TokenizationPanel.h"

#include <QApplication>
#include <QIcon>
#include <QImage>
#include <QSaveFile>
#include <QSurfaceFormat>
#include <QTimer>

#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

namespace s4::gui {
namespace {

// A scripted run that never gets a frame on screen (broken GL, hung reader) must still end.
constexpr int kScriptTimeoutMs = 180000;

void printError(const QString& message) {
    std::fprintf(stderr, "error: %s\n", qPrintable(message));
}

bool saveScreenshot(QWidget& window, const QString& path) {
    // grab() composes the whole window as the user sees it, the GL viewport included.
    const QImage image = window.grab().toImage();
    QSaveFile out(path);
    if (image.isNull() || !out.open(QIODevice::WriteOnly) || !image.save(&out, "PNG") || !out.commit()) {
        printError(QString("%1: could not write the screenshot (%2)").arg(path, out.errorString()));
        return false;
    }
    logger("gui")->info("saved screenshot {} ({}x{})", path.toStdString(), image.width(), image.height());
    return true;
}

// --view names that are tokenization layers rather than colour modes.
struct TokenizationLayerView {
    TokenizationPanel::Coloring coloring;
    bool anchors;
};

std::optional<TokenizationLayerView> tokenizationLayerView(const std::string& name) {
    using C = TokenizationPanel::Coloring;
    if (name == "superpoints") return TokenizationLayerView{C::Superpoints, false};
    if (name == "anchors") return TokenizationLayerView{C::Scene, true};
    if (name == "patches") return TokenizationLayerView{C::Patches, false};
    return std::nullopt;
}

// Calls f on the first emission of signal only.
template <class Sender, class Signal, class F>
void connectOnce(Sender* sender, Signal signal, QObject* context, F f) {
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = QObject::connect(sender, signal, context, [connection, f] {
        QObject::disconnect(*connection);
        f();
    });
}

}  // namespace

void prepareGuiEnvironment() {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "xcb");
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 2);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
    format.setRedBufferSize(8);
    format.setGreenBufferSize(8);
    format.setBlueBufferSize(8);
    format.setAlphaBufferSize(8);
    // VTK renders into its own framebuffer with its own depth buffer; Qt's only receives the blit.
    format.setDepthBufferSize(8);
    format.setStencilBufferSize(0);
    format.setSamples(0);
    QSurfaceFormat::setDefaultFormat(format);
}

int runStudio(int& argc, char** argv, const StudioOptions& options) {
    std::optional<ColorSpec> view;
    std::optional<TokenizationLayerView> layerView = tokenizationLayerView(options.view);
    // "sweep": the γ sweep window instead of the main window.
    const bool sweepView = options.view == "sweep";
    // "prompts": the main window with the Prompts dock in front.
    const bool promptsView = options.view == "prompts";
    if (!options.view.empty() && !layerView && !sweepView && !promptsView) {
        view = parseColorSpec(options.view);
        if (!view) {
            QStringList names;
            for (const auto& n : colorModeNames()) names << QString::fromStdString(n);
            names << "superpoints"
                  << "anchors"
                  << "patches"
                  << "sweep"
                  << "prompts";
            printError(QString("--view '%1' is not a view; use one of: %2")
                           .arg(QString::fromStdString(options.view), names.join(", ")));
            return 2;
        }
    }
    if (!std::isnan(options.gamma) && !(options.gamma >= 0.0 && options.gamma <= 1.0)) {
        printError(QString("--gamma %1 is outside [0, 1]").arg(options.gamma));
        return 2;
    }
    std::optional<TokenizerKind> tokenizer;
    if (!options.tokenizer.empty()) {
        try {
            tokenizer = parseTokenizerName(options.tokenizer);
        } catch (const Error& e) {
            printError(QString("--tokenizer: %1").arg(QString::fromUtf8(e.what())));
            return 2;
        }
    }
    prepareGuiEnvironment();
    // QApplication would abort with a Qt-internal message; say what to do instead.
    if (qgetenv("QT_QPA_PLATFORM").startsWith("xcb") && qEnvironmentVariableIsEmpty("DISPLAY")) {
        printError("no X display (DISPLAY is not set): run under xvfb-run, or use --batch for headless work");
        return 2;
    }

    QApplication app(argc, argv);
    QApplication::setOrganizationName("S4Studio");
    QApplication::setApplicationName("s4studio");
    QApplication::setApplicationDisplayName("S4Studio");
    QApplication::setApplicationVersion(S4_VERSION);
    QApplication::setWindowIcon(QIcon(":/s4studio/icons/s4studio.png"));

    const bool scripted = options.exitAfterScreenshot;
    MainWindow::Options windowOptions;
    windowOptions.persistSettings = !scripted;
    windowOptions.errorDialogs = !scripted;
    windowOptions.confirmDiscard = !scripted;
    MainWindow window(windowOptions);
    if (view) window.setColorSpec(*view);
    TokenizationPanel* panel = window.tokenizationPanel();
    if (tokenizer) panel->setTokenizer(*tokenizer);
    if (!std::isnan(options.gamma)) panel->setGamma(options.gamma);
    if (promptsView) window.showPromptPanel();
    if (layerView) {
        panel->setColoring(layerView->coloring);
        panel->setAnchorsVisible(layerView->anchors);
    }

    const QString screenshot = QString::fromStdString(options.screenshot);
    int exitCode = 0;
    auto fail = [&](const QString& message) {
        printError(message);
        if (scripted) {
            exitCode = 1;
            QApplication::exit(1);
        }
    };

    QObject::connect(&window, &MainWindow::sceneLoadFailed, &window,
                     [&](const QString&, const QString& message) { fail(message); });
    // Waits for the next frame, then lets the event loop settle the layout before grabbing.
    const std::function<void()> grabWhenDrawn = [&] {
        connectOnce(window.viewport(), &PointCloudViewport::frameRendered, &window, [&] {
            QTimer::singleShot(0, &window, [&] {
                if (!screenshot.isEmpty() && !saveScreenshot(window, screenshot)) exitCode = 1;
                if (scripted) QApplication::exit(exitCode);
            });
        });
        window.viewport()->update();
    };
    // Once: the command line's view, layer and screenshot are about the first scene; files the user opens
    // afterwards get the ordinary behaviour (the auto-compute limit, no screenshot overwritten).
    connectOnce(&window, &MainWindow::sceneShown, &window, [&] {
        if (view && !(window.colorSpec() == *view)) {
            fail(QString("--view %1: %2 has no data for this view")
                     .arg(QString::fromStdString(options.view),
                          QString::fromStdString(window.scene()->source.path)));
            if (scripted) return;
        }
        if (sweepView) {
            // The sweep window is grabbed once every panel has its anchors and has drawn them.
            GammaSweepView* sweep = window.gammaSweepView();
            if (!screenshot.isEmpty() || scripted) {
                connectOnce(sweep, &GammaSweepView::sweepShown, &window, [&, sweep] {
                    PointCloudViewport* last = sweep->panelViewport(sweep->panelCount() - 1);
                    connectOnce(last, &PointCloudViewport::frameRendered, &window, [&, sweep] {
                        QTimer::singleShot(0, &window, [&, sweep] {
                            if (!screenshot.isEmpty() && !saveScreenshot(*sweep, screenshot)) exitCode = 1;
                            if (scripted) QApplication::exit(exitCode);
                        });
                    });
                    last->update();
                });
                QObject::connect(sweep, &GammaSweepView::sweepFailed, &window, [&](const QString& message) {
                    if (scripted) fail(QString("gamma sweep failed: %1").arg(message));
                });
            }
            window.showGammaSweep();
            return;
        }
        // A layer asked for on the command line is computed even above the auto-compute limit.
        if (layerView && !panel->autoComputes()) panel->recompute();
        if (screenshot.isEmpty() && !scripted) return;
        // A tokenization layer is only on screen once the worker's result arrived.
        if (layerView)
            connectOnce(panel, &TokenizationPanel::resultShown, &window, grabWhenDrawn);
        else
            grabWhenDrawn();
    });
    QObject::connect(panel, &TokenizationPanel::tokenizationFailed, &window, [&](const QString& message) {
        if (layerView && scripted) fail(QString("tokenization failed: %1").arg(message));
    });
    if (scripted) {
        QTimer::singleShot(kScriptTimeoutMs, &window, [&] {
            fail(QString("the scene was not shown within %1 s; giving up").arg(kScriptTimeoutMs / 1000));
        });
    }

    window.show();
    if (options.openFile.empty()) {
        const QString sample = sampleScenePath();
        if (sample.isEmpty()) {
            fail("the bundled sample scene could not be provided (see the log)");
            if (scripted) return 1;  // the event loop is not running yet: exit() would be lost
        } else {
            window.openFile(sample, true);
        }
    } else {
        window.openFile(QString::fromStdString(options.openFile));
    }
    const int rc = app.exec();
    return exitCode != 0 ? exitCode : rc;
}

}  // namespace s4::gui
