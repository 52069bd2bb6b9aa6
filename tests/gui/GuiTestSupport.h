#pragma once
// Shared set-up of the GUI suites: a main() that prepares the GL environment like s4studio does, and
// the reason (if any) why a display test has to be skipped on this machine.

#include "gui/MainWindow.h"
#include "gui/StudioLauncher.h"

#include <QApplication>
#include <QGuiApplication>
#include <QImage>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QStandardPaths>
#include <QString>
#include <QtTest>

namespace s4::test {

/// Empty when a QOpenGLWidget can render here; otherwise why not (for QSKIP).
inline QString guiSkipReason() {
    if (QGuiApplication::platformName() != "xcb")
        return QString("needs an X display with GLX (run under xvfb-run -a); Qt platform is '%1'")
            .arg(QGuiApplication::platformName());
    QOpenGLContext context;
    if (!context.create()) return "no OpenGL context can be created on this display";
    QOffscreenSurface surface;
    surface.create();
    if (!context.makeCurrent(&surface)) return "the OpenGL context cannot be made current";
    context.doneCurrent();
    return {};
}

/// Main window options for tests: no QSettings, errors through signals instead of message boxes.
inline s4::gui::MainWindow::Options testWindowOptions() {
    s4::gui::MainWindow::Options options;
    options.persistSettings = false;
    options.errorDialogs = false;
    options.confirmDiscard = false;  // a Save/Discard dialog would wait for a click that never comes
    return options;
}

/// Number of pixels of `image` whose colour satisfies `matches(QColor)`.
template <typename Matches>
int countPixels(const QImage& image, Matches&& matches) {
    int count = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) count += matches(image.pixelColor(x, y)) ? 1 : 0;
    return count;
}

/// Runs a test object the way s4studio runs its window. Without a display the suite still starts (on
/// Qt's "minimal" platform) so that each display test can QSKIP with its reason instead of aborting.
inline int runGuiTest(QObject& test, int argc, char** argv) {
    s4::gui::prepareGuiEnvironment();
    if (qgetenv("QT_QPA_PLATFORM").startsWith("xcb") && qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "minimal");
    QApplication app(argc, argv);
    QApplication::setOrganizationName("S4StudioTests");
    QApplication::setApplicationName("s4studio-tests");
    QStandardPaths::setTestModeEnabled(true);  // never touch the user's settings or cache
    return QTest::qExec(&test, argc, argv);
}

}  // namespace s4::test

/// Skips the current test with the reason when this machine cannot render.
#define S4_REQUIRE_DISPLAY()                                                                                \
    do {                                                                                                    \
        if (const QString reason = s4::test::guiSkipReason(); !reason.isEmpty()) QSKIP(qPrintable(reason)); \
    } while (false)

#define S4_GUI_TEST_MAIN(TestClass)                    \
    int main(int argc, char** argv) {                  \
        TestClass test;                                \
        return s4::test::runGuiTest(test, argc, argv); \
    }
