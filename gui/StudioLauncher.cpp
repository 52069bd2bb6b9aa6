#include "gui/StudioLauncher.h"

#include "core/common/Log.h"
#include "gui/ColorModes.h"
#include "gui/MainWindow.h"
#include "gui/PointCloudViewport.h"
#include "gui/SampleScene.h"

#include <QApplication>
#include <QImage>
#include <QSaveFile>
#include <QSurfaceFormat>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <optional>

namespace s4::gui {
namespace {

// A scripted run that never gets a frame on screen (broken GL, hung reader) must still end.
constexpr int kScriptTimeoutMs = 180000;

void printError(const QString& message) {
    std::fprintf(stderr, "error: %s\n", qPrintable(message));
}

bool saveScreenshot(MainWindow& window, const QString& path) {
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
    if (!options.view.empty()) {
        view = parseColorSpec(options.view);
        if (!view) {
            QStringList names;
            for (const auto& n : colorModeNames()) names << QString::fromStdString(n);
            printError(QString("--view '%1' is not a view; use one of: %2")
                           .arg(QString::fromStdString(options.view), names.join(", ")));
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

    const bool scripted = options.exitAfterScreenshot;
    MainWindow::Options windowOptions;
    windowOptions.persistSettings = !scripted;
    windowOptions.errorDialogs = !scripted;
    MainWindow window(windowOptions);
    if (view) window.setColorSpec(*view);

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
    QObject::connect(&window, &MainWindow::sceneShown, &window, [&] {
        if (view && !(window.colorSpec() == *view)) {
            fail(QString("--view %1: %2 has no data for this view")
                     .arg(QString::fromStdString(options.view),
                          QString::fromStdString(window.scene()->source.path)));
            if (scripted) return;
        }
        if (screenshot.isEmpty() && !scripted) return;
        // Wait for the first frame with this scene, then let the event loop settle the layout.
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection =
            QObject::connect(window.viewport(), &PointCloudViewport::frameRendered, &window, [&, connection] {
                QObject::disconnect(*connection);
                QTimer::singleShot(0, &window, [&] {
                    if (!screenshot.isEmpty() && !saveScreenshot(window, screenshot)) exitCode = 1;
                    if (scripted) QApplication::exit(exitCode);
                });
            });
        window.viewport()->update();
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
