// The γ sweep: the CoreWorker computes one WFPS anchor set per γ on the cached superpoints, γ = 0 is
// plain FPS from the same first index (core's runFarthestPointSampling), and on a cloud with one large
// and four small superpoints γ = 1 puts more anchors into the small ones than γ = 0. The sweep window
// shows one panel per γ, all through one shared camera. Window checks need an X display with GLX
// (xvfb-run); they skip otherwise.

#include "GuiTestSupport.h"
#include "SweepScene.h"
#include "core/geometry/FarthestPointSampling.h"
#include "gui/AnchorOverlay.h"
#include "gui/CoreWorker.h"
#include "gui/GammaSweepView.h"
#include "gui/MainWindow.h"
#include "gui/PointCloudViewport.h"
#include "gui/TokenizationPanel.h"
#include "tests/support/TestData.h"

#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <vtkCamera.h>

#include <set>

using namespace s4;
using namespace s4::gui;

namespace {

constexpr int kGenerousMs = 120000;
constexpr std::size_t kAnchors = 24;

TokenizationParams sweepParams(ExponentConvention convention = ExponentConvention::Described) {
    TokenizationParams params;
    params.sampling.count = kAnchors;
    params.sampling.convention = convention;
    params.sampling.seed = 7;
    return params;
}

// Runs a sweep on a fresh worker and waits for it.
std::shared_ptr<const GammaSweepOutcome> runSweep(std::shared_ptr<const Scene> scene,
                                                  const TokenizationParams& params,
                                                  const std::vector<double>& gammas) {
    CoreWorker worker;
    worker.setScene(std::move(scene));
    QSignalSpy finished(&worker, &CoreWorker::gammaSweepFinished);
    QSignalSpy failed(&worker, &CoreWorker::failed);
    const quint64 job = worker.requestGammaSweep(params, gammas);
    if (!QTest::qWaitFor([&] { return finished.count() + failed.count() > 0; }, kGenerousMs)) return nullptr;
    if (!failed.isEmpty()) {
        qWarning("sweep failed: %s", qPrintable(failed.at(0).at(1).toString()));
        return nullptr;
    }
    if (finished.at(0).at(0).toULongLong() != job) return nullptr;
    return finished.at(0).at(1).value<std::shared_ptr<const GammaSweepOutcome>>();
}

std::size_t anchorsInSmallSuperpoints(const SampleSequence& anchors) {
    std::size_t n = 0;
    for (std::int32_t i : anchors.indices) n += test::sweepSceneSuperpoint(std::size_t(i)) != 0;
    return n;
}

}  // namespace

class TestGammaSweep : public QObject {
    Q_OBJECT
private slots:
    void workerGivesOneAnchorSetPerGamma() {
        const std::vector<double> gammas = GammaSweepView::defaultGammas();
        const auto outcome = runSweep(test::sweepScene(), sweepParams(), gammas);
        QVERIFY(outcome);
        QCOMPARE(outcome->gammas, gammas);
        QCOMPARE(outcome->anchors.size(), gammas.size());
        // The scene's own superpoint ids are used (one large, four small).
        QVERIFY(outcome->superpoints->fromDataset);
        QCOMPARE(outcome->superpoints->count, std::size_t(1 + test::kClusterCount));
        const std::int32_t first = outcome->anchors.front().indices.front();
        QCOMPARE(outcome->sampling.firstIndex, std::int64_t(first));
        for (const SampleSequence& anchors : outcome->anchors) {
            QCOMPARE(anchors.indices.size(), kAnchors);
            QCOMPARE(anchors.indices.front(), first);  // every γ starts from the same point
            std::set<std::int32_t> distinct(anchors.indices.begin(), anchors.indices.end());
            QCOMPARE(distinct.size(), kAnchors);
        }
    }

    void gammaZeroIsPlainFpsFromTheSameFirstIndex() {
        const auto scene = test::sweepScene();
        const auto outcome = runSweep(scene, sweepParams(), {0.0, 1.0});
        QVERIFY(outcome);
        FarthestPointParams fps;
        fps.count = kAnchors;
        fps.firstIndex = outcome->anchors[0].indices.front();
        const SampleSequence plain = runFarthestPointSampling(scene->positions, fps);
        QCOMPARE(outcome->anchors[0].indices, plain.indices);
    }

    void gammaOneFavoursSmallSuperpoints() {
        // Described convention: φ(w) = w^γ, so γ = 1 weights the 25-point superpoints 64 × more than the
        // 1600-point floor and they receive more anchors than under plain FPS.
        const auto outcome = runSweep(test::sweepScene(), sweepParams(), {0.0, 1.0});
        QVERIFY(outcome);
        QVERIFY(outcome->anchors[0].indices != outcome->anchors[1].indices);
        const std::size_t atZero = anchorsInSmallSuperpoints(outcome->anchors[0]);
        const std::size_t atOne = anchorsInSmallSuperpoints(outcome->anchors[1]);
        QVERIFY2(atOne > atZero,
                 qPrintable(QString("γ=0: %1, γ=1: %2 anchors in small superpoints").arg(atZero).arg(atOne)));
    }

    void printedConventionFavoursTheLargeSuperpoint() {
        // Printed convention: φ(w) = w^−γ, the opposite bias.
        const auto outcome =
            runSweep(test::sweepScene(), sweepParams(ExponentConvention::Printed), {0.0, 1.0});
        QVERIFY(outcome);
        QVERIFY(anchorsInSmallSuperpoints(outcome->anchors[1]) <
                anchorsInSmallSuperpoints(outcome->anchors[0]));
    }

    void windowShowsEveryGammaThroughOneCamera() {
        S4_REQUIRE_DISPLAY();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto scene = test::sweepScene();
        const QString path = dir.filePath("sweep.ply");
        test::writeFile(path.toStdString(), test::sweepScenePly(*scene));

        MainWindow::Options options = test::testWindowOptions();
        MainWindow window(options);
        window.resize(1000, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy shown(&window, &MainWindow::sceneShown);
        window.openFile(path);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() == 1, kGenerousMs);

        GammaSweepView* sweep = window.gammaSweepView();
        QSignalSpy swept(sweep, &GammaSweepView::sweepShown);
        QSignalSpy failed(sweep, &GammaSweepView::sweepFailed);
        window.showGammaSweep();
        QVERIFY(QTest::qWaitForWindowExposed(sweep));
        QTRY_VERIFY_WITH_TIMEOUT(swept.count() + failed.count() >= 1, kGenerousMs);
        QVERIFY(failed.isEmpty());

        const auto outcome = sweep->outcome();
        QVERIFY(outcome);
        const std::size_t n = window.tokenizationPanel()->params().sampling.count;
        QCOMPARE(sweep->panelCount(), GammaSweepView::defaultGammas().size());
        for (std::size_t i = 0; i < sweep->panelCount(); ++i) {
            QCOMPARE(sweep->panelAnchors(i)->anchorCount(), std::min(n, scene->pointCount()));
            QVERIFY(sweep->panelAnchors(i)->isVisible());
            QVERIFY(sweep->panelTitle(i).contains(QString("γ = %1").arg(outcome->gammas[i])));
            QCOMPARE(sweep->panelViewport(i)->renderer()->GetActiveCamera(), sweep->sharedCamera());
        }

        // Dragging in the first panel moves the camera and redraws the last one too.
        PointCloudViewport* first = sweep->panelViewport(0);
        PointCloudViewport* last = sweep->panelViewport(sweep->panelCount() - 1);
        // The last panel has drawn its cloud: pixels other than the background colour (its corner).
        const auto drawnPixels = [](const QImage& image) {
            const QColor background = image.pixelColor(0, 0);
            return test::countPixels(image, [&](const QColor& c) { return c != background; });
        };
        QTRY_VERIFY_WITH_TIMEOUT(drawnPixels(last->grabFramebuffer()) > 200, 10000);
        double before[3], after[3];
        sweep->sharedCamera()->GetPosition(before);
        QSignalSpy lastRendered(last, &PointCloudViewport::frameRendered);
        const QPoint c = first->rect().center();
        QTest::mousePress(first, Qt::LeftButton, {}, c);
        for (int step = 1; step <= 8; ++step) {
            QMouseEvent move(QEvent::MouseMove, QPointF(c + QPoint(10 * step, 4 * step)),
                             first->mapToGlobal(QPointF(c + QPoint(10 * step, 4 * step))), Qt::NoButton,
                             Qt::LeftButton, Qt::NoModifier);
            QCoreApplication::sendEvent(first, &move);
        }
        QTest::mouseRelease(first, Qt::LeftButton, {}, c + QPoint(80, 32));
        sweep->sharedCamera()->GetPosition(after);
        QVERIFY(before[0] != after[0] || before[1] != after[1] || before[2] != after[2]);
        QTRY_VERIFY_WITH_TIMEOUT(lastRendered.count() >= 1, 10000);
    }

    void gammaListsAreParsedAndChecked() {
        QString error;
        QCOMPARE(GammaSweepView::parseGammas("0, 0.25,0.5 ;0.75  1", &error), (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
        QVERIFY(error.isEmpty());
        QCOMPARE(GammaSweepView::parseGammas(" 0.3 "), (std::vector<double>{0.3}));
        QVERIFY(!GammaSweepView::parseGammas("0, 1.5", &error));
        QVERIFY2(error.contains("1.5") && error.contains("[0, 1]"), qPrintable(error));
        QVERIFY(!GammaSweepView::parseGammas("0, abc", &error));
        QVERIFY2(error.contains("abc"), qPrintable(error));
        QVERIFY(!GammaSweepView::parseGammas(" , ", &error));
        QVERIFY(!GammaSweepView::parseGammas("0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1 0.05 0.15", &error));
        QVERIFY(!GammaSweepView::parseGammas("nan", &error));
        // Formatting and parsing agree.
        const std::vector<double> gammas{0, 0.125, 1};
        QCOMPARE(GammaSweepView::parseGammas(GammaSweepView::formatGammas(gammas)), gammas);
    }

    void editedGammasRecomputeTheSweep() {
        S4_REQUIRE_DISPLAY();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto scene = test::sweepScene();
        const QString path = dir.filePath("sweep.ply");
        test::writeFile(path.toStdString(), test::sweepScenePly(*scene));
        MainWindow::Options options = test::testWindowOptions();
        MainWindow window(options);
        window.show();
        QSignalSpy shown(&window, &MainWindow::sceneShown);
        window.openFile(path);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() == 1, kGenerousMs);
        GammaSweepView* sweep = window.gammaSweepView();
        QSignalSpy swept(sweep, &GammaSweepView::sweepShown);
        window.showGammaSweep();
        QTRY_VERIFY_WITH_TIMEOUT(swept.count() >= 1, kGenerousMs);

        // A typo leaves the sweep as it is and says what is wrong.
        sweep->setGammasText("0, 2");
        QVERIFY(!sweep->gammasError().isEmpty());
        QCOMPARE(sweep->panelCount(), GammaSweepView::defaultGammas().size());

        swept.clear();
        sweep->setGammasText("1 0");
        QCOMPARE(sweep->gammas(), (std::vector<double>{1.0, 0.0}));
        QCOMPARE(sweep->panelCount(), std::size_t(2));
        QTRY_VERIFY_WITH_TIMEOUT(swept.count() >= 1, kGenerousMs);
        const auto outcome = sweep->outcome();
        QVERIFY(outcome);
        QCOMPARE(outcome->gammas, (std::vector<double>{1.0, 0.0}));
        // The panels follow the new list: γ = 0 is plain FPS from the shared first index, γ = 1 favours
        // the small superpoints (as gammaOneFavoursSmallSuperpoints checks on the worker alone).
        QVERIFY(sweep->panelTitle(0).startsWith("γ = 1"));
        QVERIFY(sweep->panelTitle(1).startsWith("γ = 0"));
        QVERIFY(anchorsInSmallSuperpoints(outcome->anchors[0]) > anchorsInSmallSuperpoints(outcome->anchors[1]));
        for (std::size_t i = 0; i < 2; ++i) QVERIFY(sweep->panelAnchors(i)->isVisible());
    }

    void launcherCapturesTheSweepWindow() {
        S4_REQUIRE_DISPLAY();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath("sweep.ply");
        test::writeFile(path.toStdString(), test::sweepScenePly(*test::sweepScene()));
        const QString png = dir.filePath("sweep.png");
        QProcess studio;
        studio.start(test::studioExecutable(),
                     {path, "--view", "sweep", "--screenshot", png, "--exit", "--log-level", "warn"});
        QVERIFY(studio.waitForFinished(120000));
        QVERIFY2(studio.exitCode() == 0, qPrintable(QString::fromLocal8Bit(studio.readAllStandardError())));
        const QImage image(png);
        QVERIFY(!image.isNull());
        // Three panels in the top row, each with red anchor glyphs (the scene itself is viridis, no red).
        for (int column = 0; column < 3; ++column) {
            const int left = column * image.width() / 3, right = (column + 1) * image.width() / 3;
            const int red = test::countPixels(image.copy(left, 0, right - left, image.height() / 2), [](const QColor& c) {
                return c.red() > 200 && c.green() < 90 && c.blue() < 90;
            });
            QVERIFY2(red >= 20, qPrintable(QString("panel %1: %2 red pixels").arg(column).arg(red)));
        }
    }
};

S4_GUI_TEST_MAIN(TestGammaSweep)
#include "tst_gammasweep.moc"
