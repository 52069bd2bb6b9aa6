// The studio window opens files on its worker and shows them; bad files give an error, not a crash;
// `s4studio --open F --view V --screenshot OUT --exit` renders and exits with the right code.
// Needs an X display with GLX (xvfb-run); display tests skip with the reason otherwise.

#include "GuiTestSupport.h"
#include "gui/ColorModes.h"
#include "gui/MainWindow.h"
#include "gui/SampleScene.h"
#include "gui/ScenePanel.h"
#include "tests/support/TestData.h"

#include <QComboBox>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

using namespace s4;
using namespace s4::gui;

namespace {

struct PlyPoint {
    float x, y, z;
    std::uint8_t r, g, b;
    std::int32_t label;
};

// Binary little-endian PLY written by hand (independent of the project's writer).
std::string binaryPly(const std::vector<PlyPoint>& points) {
    std::string bytes = "ply\nformat binary_little_endian 1.0\nelement vertex " +
                        std::to_string(points.size()) +
                        "\nproperty float x\nproperty float y\nproperty float z\n"
                        "property uchar red\nproperty uchar green\nproperty uchar blue\n"
                        "property int label\nend_header\n";
    for (const PlyPoint& p : points) {
        char record[19];
        std::memcpy(record, &p.x, 4);
        std::memcpy(record + 4, &p.y, 4);
        std::memcpy(record + 8, &p.z, 4);
        record[12] = static_cast<char>(p.r);
        record[13] = static_cast<char>(p.g);
        record[14] = static_cast<char>(p.b);
        std::memcpy(record + 15, &p.label, 4);
        bytes.append(record, sizeof record);
    }
    return bytes;
}

// Two labelled squares of points side by side (x < 0 label 1, x > 0 label 2), n × n each.
std::vector<PlyPoint> twoSquares(int n) {
    std::vector<PlyPoint> points;
    for (int side = 0; side < 2; ++side)
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j)
                points.push_back(
                    {(side == 0 ? -1.1f : 0.1f) + float(i) / n, float(j) / n, 0.f, 200, 200, 200, side + 1});
    return points;
}

int countColor(const QImage& image, const Rgb8& c) {
    return test::countPixels(image, [&](const QColor& p) {
        return std::abs(p.red() - c[0]) <= 2 && std::abs(p.green() - c[1]) <= 2 && std::abs(p.blue() - c[2]) <= 2;
    });
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;

    QString writePly(const QString& name, const std::string& bytes) {
        const QString path = dir_.filePath(name);
        s4::test::writeFile(path.toStdString(), bytes);
        return path;
    }

private slots:

    void opensPlyAndShowsPointCountInScenePanel() {
        S4_REQUIRE_DISPLAY();
        const QString path = writePly("five.ply", binaryPly({{0, 0, 0, 255, 0, 0, 1},
                                                             {1, 0, 0, 0, 255, 0, 1},
                                                             {0, 1, 0, 0, 0, 255, 2},
                                                             {0, 0, 1, 9, 9, 9, 2},
                                                             {1, 1, 1, 1, 2, 3, 0}}));
        MainWindow window({/*persistSettings=*/false, /*errorDialogs=*/false});
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy shown(&window, &MainWindow::sceneShown);
        QSignalSpy failed(&window, &MainWindow::sceneLoadFailed);
        window.openFile(path);
        QVERIFY(QTest::qWaitFor([&] { return shown.count() + failed.count() > 0; }, 30000));
        if (failed.count() > 0) {
            const QString message = failed.first().at(1).toString();
            QFAIL(qPrintable("loading failed: " + message));
        }
        QCOMPARE(window.scenePanel()->pointCountText(), QString("5"));
        QVERIFY(window.scene());
        QCOMPARE(window.scene()->pointCount(), std::size_t(5));
        // The file has colours, so RGB is the initial mode, and labels are offered.
        QCOMPARE(window.colorSpec().mode, ColorMode::Rgb);
        auto* combo = window.findChild<QComboBox*>("colorModeCombo");
        QVERIFY(combo);
        QVERIFY(combo->findData("labels") >= 0);
        QVERIFY(window.setColorSpec({ColorMode::Labels, {}}));
        QVERIFY(!window.setColorSpec({ColorMode::Normals, {}}));  // the file has no normals
        QCOMPARE(window.colorSpec().mode, ColorMode::Labels);
    }

    void truncatedFileReportsAnErrorNamingTheFile() {
        S4_REQUIRE_DISPLAY();
        // The header promises 1000 records of 19 bytes; the body holds 10 bytes.
        std::string bytes = binaryPly({});
        bytes.replace(bytes.find("vertex 0"), 8, "vertex 1000");
        bytes += std::string(10, '\0');
        const QString path = writePly("truncated.ply", bytes);
        MainWindow window({false, false});
        window.show();
        QSignalSpy shown(&window, &MainWindow::sceneShown);
        QSignalSpy failed(&window, &MainWindow::sceneLoadFailed);
        window.openFile(path);
        QVERIFY(QTest::qWaitFor([&] { return shown.count() + failed.count() > 0; }, 30000));
        QCOMPARE(shown.count(), 0);
        const QString message = failed.first().at(1).toString();
        QVERIFY2(message.contains("truncated.ply"), qPrintable(message));
        QVERIFY(!window.scene());
        QCOMPARE(window.scenePanel()->pointCountText(), QString());
    }

    void screenshotCommandRendersTheRequestedView() {
        S4_REQUIRE_DISPLAY();
        const QString path = writePly("squares.ply", binaryPly(twoSquares(60)));
        const QString png = dir_.filePath("shot.png");
        QProcess studio;
        studio.start(s4::test::studioExecutable(), {"--open", path, "--view", "labels", "--screenshot", png,
                                                    "--exit", "--log-level", "warn"});
        QVERIFY(studio.waitForFinished(120000));
        const QString err = QString::fromLocal8Bit(studio.readAllStandardError());
        QVERIFY2(studio.exitCode() == 0, qPrintable(err));
        const QImage image(png);
        QVERIFY(!image.isNull());
        // The whole window: wider than the viewport, with both label colours on screen.
        QVERIFY(image.width() >= 800);
        QVERIFY2(countColor(image, labelColor(1)) > 500, "label 1 not visible");
        QVERIFY2(countColor(image, labelColor(2)) > 500, "label 2 not visible");
    }

    void screenshotCommandFailsOnUnreadableFile() {
        S4_REQUIRE_DISPLAY();
        QProcess studio;
        const QString png = dir_.filePath("never.png");
        studio.start(s4::test::studioExecutable(), {"--open", dir_.filePath("missing.ply"), "--screenshot",
                                                    png, "--exit", "--log-level", "off"});
        QVERIFY(studio.waitForFinished(120000));
        QCOMPARE(studio.exitCode(), 1);
        QVERIFY(QString::fromLocal8Bit(studio.readAllStandardError()).contains("missing.ply"));
        QVERIFY(!QFile::exists(png));
    }

    void embeddedSampleSceneIsUsedWithoutAResourcesFolder() {
        // With a resources folder that lacks scenes/, the copy compiled into the executable is written
        // out; it must be byte-identical to the repository's file.
        QTemporaryDir emptyResources;
        const QByteArray previous = qgetenv("S4STUDIO_RESOURCES");
        qputenv("S4STUDIO_RESOURCES", emptyResources.path().toLocal8Bit());
        const QString path = sampleScenePath();
        if (previous.isNull())
            qunsetenv("S4STUDIO_RESOURCES");
        else
            qputenv("S4STUDIO_RESOURCES", previous);
        QVERIFY(!path.isEmpty());
        QVERIFY2(!path.startsWith(emptyResources.path()), qPrintable(path));
        QFile extracted(path), original(QString::fromStdString(
                                   (s4::test::sourceDir() / "resources/scenes/sample_room.ply").string()));
        QVERIFY(extracted.open(QIODevice::ReadOnly));
        QVERIFY(original.open(QIODevice::ReadOnly));
        QVERIFY(extracted.readAll() == original.readAll());
    }

    void unknownViewIsRejected() {
        // Validated before any window or display is needed.
        QProcess studio;
        studio.start(s4::test::studioExecutable(), {"--view", "rainbow", "--screenshot", "x.png", "--exit"});
        QVERIFY(studio.waitForFinished(60000));
        QCOMPARE(studio.exitCode(), 2);
        const QString err = QString::fromLocal8Bit(studio.readAllStandardError());
        QVERIFY2(err.contains("rainbow") && err.contains("superpoints"), qPrintable(err));
    }
};

S4_GUI_TEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
