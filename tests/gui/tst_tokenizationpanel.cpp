// The tokenization dock of the studio window: once a scene is shown it tokenizes it on the worker, the
// superpoint layer paints each superpoint in its own colour (both planes of a two-plane cloud visible),
// and the statistics show what was computed. Needs an X display with GLX (xvfb-run); skips otherwise.

#include "GuiTestSupport.h"
#include "TwoPlaneScene.h"
#include "gui/AnchorSpheres.h"
#include "gui/CoreWorker.h"
#include "gui/MainWindow.h"
#include "gui/PointCloudViewport.h"
#include "gui/TokenizationColors.h"
#include "gui/PromptPanel.h"
#include "gui/TokenizationPanel.h"
#include "tests/support/TestData.h"

#include <QDoubleSpinBox>
#include <QImage>
#include <QLocale>
#include <QSignalSpy>
#include <QPushButton>
#include <QSpinBox>
#include <QProgressBar>
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <set>

using namespace s4;
using namespace s4::gui;

namespace {

constexpr int kGenerousMs = 120000;

}  // namespace

class TestTokenizationPanel : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<MainWindow> window_;
    QTemporaryDir dir_;
    std::shared_ptr<Scene> scene_;

    // Opens the two-plane scene and waits for the panel's first result.
    void openTwoPlanes() {
        scene_ = test::twoPlaneScene(50);
        const QString path = dir_.filePath("two_planes.ply");
        test::writeFile(path.toStdString(), test::twoPlanePly(*scene_));
        QSignalSpy shown(window_->tokenizationPanel(), &TokenizationPanel::resultShown);
        QSignalSpy failed(window_->tokenizationPanel(), &TokenizationPanel::tokenizationFailed);
        window_->openFile(path);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() + failed.count() >= 1, kGenerousMs);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
    }

private slots:
    void init() {
        S4_REQUIRE_DISPLAY();
        QVERIFY(dir_.isValid());
        MainWindow::Options options = test::testWindowOptions();
        window_ = std::make_unique<MainWindow>(options);
        window_->resize(1200, 800);
        window_->show();
        QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    }

    void cleanup() { window_.reset(); }

    void superpointLayerShowsBothPlanesInTheirOwnColours() {
        TokenizationPanel* panel = window_->tokenizationPanel();
        panel->setColoring(TokenizationPanel::Coloring::Superpoints);
        openTwoPlanes();
        const auto outcome = panel->outcome();
        QVERIFY(outcome && outcome->result.superpoints);
        // The colours the layer gives the superpoints of each plane (independent of the viewport).
        const std::vector<std::uint8_t> rgb = superpointLayerColors(outcome->result.superpoints->labels);
        const std::size_t perPlane = scene_->pointCount() / 2;
        std::set<QRgb> floorColours, wallColours;
        for (std::size_t k = 0; k < scene_->pointCount(); ++k)
            (k < perPlane ? floorColours : wallColours)
                .insert(qRgb(rgb[3 * k], rgb[3 * k + 1], rgb[3 * k + 2]));

        window_->viewport()->setPointSize(4);
        const QImage image = window_->viewport()->grabFramebuffer();
        const QRgb background = window_->viewport()->backgroundColor().rgb() & 0xffffff;
        std::map<QRgb, int> pixels;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x) {
                const QRgb p = image.pixel(x, y) & 0xffffff;
                if (p != background) ++pixels[p];
            }
        int floorPixels = 0, wallPixels = 0, distinct = 0;
        for (const auto& [colour, count] : pixels) {
            const QRgb c = qRgb(qRed(colour), qGreen(colour), qBlue(colour));
            if (count >= 50) ++distinct;
            if (floorColours.count(c)) floorPixels += count;
            if (wallColours.count(c)) wallPixels += count;
        }
        QVERIFY2(distinct >= 2, qPrintable(QString("distinct non-background colours: %1").arg(distinct)));
        QVERIFY2(floorPixels > 500, qPrintable(QString("floor superpoint pixels: %1").arg(floorPixels)));
        QVERIFY2(wallPixels > 500, qPrintable(QString("wall superpoint pixels: %1").arg(wallPixels)));
    }

    void statisticsShowTheAnchorsCountAndPurity() {
        TokenizationPanel* panel = window_->tokenizationPanel();
        openTwoPlanes();
        QSignalSpy shown(panel, &TokenizationPanel::resultShown);
        panel->findChild<QSpinBox*>("numTokensSpin")->setValue(37);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() >= 1, kGenerousMs);
        QCOMPARE(panel->params().sampling.count, std::size_t(37));
        QCOMPARE(panel->anchorsText(), QLocale().toString(37));
        QCOMPARE(panel->outcome()->result.anchors->indices.size(), std::size_t(37));
        QCOMPARE(panel->superpointsText(),
                 QLocale().toString(static_cast<qulonglong>(panel->outcome()->result.superpoints->count)));
        // Plane-pure superpoints and superpoint-constrained balls: every patch is pure.
        QCOMPARE(panel->purityText(), QString("%1 %").arg(QLocale().toString(100.0, 'f', 1)));
        // The N change reran sampling and grouping only.
        QVERIFY(!panel->outcome()->result.superpointsRecomputed);
    }

    // λ of the superpoint merge is a parameter of the stage: changing it recomputes the superpoints, and
    // λ = 0 (no planar merge) leaves at least as many pieces as the default.
    void mergePenaltyRecomputesTheSuperpoints() {
        TokenizationPanel* panel = window_->tokenizationPanel();
        openTwoPlanes();
        const std::size_t merged = panel->outcome()->result.superpoints->count;
        QSignalSpy shown(panel, &TokenizationPanel::resultShown);
        auto* spin = panel->findChild<QDoubleSpinBox*>("mergePenaltySpin");
        QVERIFY(spin);
        QCOMPARE(spin->value(), SuperpointParams{}.planarMerge.penalty);
        spin->setValue(0.0);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() >= 1, kGenerousMs);
        QCOMPARE(panel->params().superpoints.planarMerge.penalty, 0.0);
        QVERIFY(panel->outcome()->result.superpointsRecomputed);
        const std::size_t pieces = panel->outcome()->result.superpoints->count;
        QVERIFY2(pieces > merged, qPrintable(QString("%1 pieces without the merge, %2 with").arg(pieces).arg(merged)));
    }

    void anchorLayerDrawsRedGlyphsOnlyWhenOn() {
        TokenizationPanel* panel = window_->tokenizationPanel();
        openTwoPlanes();
        // The scene has no colour, so it is shown by height (viridis: never a saturated red).
        auto redPixels = [this] {
            return test::countPixels(window_->viewport()->grabFramebuffer(), [](const QColor& c) {
                return c.red() > 180 && c.green() < 90 && c.blue() < 90;
            });
        };
        QCOMPARE(redPixels(), 0);
        panel->setAnchorsVisible(true);
        QVERIFY(panel->anchorsVisible());
        const int on = redPixels();
        QVERIFY2(on > 20, qPrintable(QString("red anchor pixels: %1").arg(on)));
        panel->setAnchorsVisible(false);
        QCOMPARE(redPixels(), 0);
    }

    void radiusSpheresSitOnTheAnchorsWithRadiusR() {
        TokenizationPanel* panel = window_->tokenizationPanel();
        openTwoPlanes();
        const AnchorSpheres* spheres = panel->radiusSpheres();
        QVERIFY(!spheres->isDrawn());
        const Patches& patches = *panel->outcome()->result.patches;
        QCOMPARE(spheres->sphereCount(), patches.count);
        QCOMPARE(spheres->radius(), double(patches.radius));
        QVERIFY(patches.radius > 0);
        // One glyph per anchor, at the anchor.
        vtkPolyData* centres = spheres->centres();
        QCOMPARE(centres->GetNumberOfPoints(), vtkIdType(patches.count));
        for (vtkIdType k = 0; k < centres->GetNumberOfPoints(); ++k) {
            double p[3];
            centres->GetPoint(k, p);
            QCOMPARE(float(p[0]), patches.centrePositions[k].x());
            QCOMPARE(float(p[2]), patches.centrePositions[k].z());
        }
        // Drawn in a pale red that the height colours (viridis) never produce.
        auto sphereLines = [this] {
            return test::countPixels(window_->viewport()->grabFramebuffer(), [](const QColor& c) {
                return c.red() > 220 && c.green() > 110 && c.green() < 175 && c.blue() > 110 && c.blue() < 175;
            });
        };
        QCOMPARE(sphereLines(), 0);
        panel->setRadiusSpheresVisible(true);
        QVERIFY(spheres->isDrawn());
        const int on = sphereLines();
        QVERIFY2(on > 200, qPrintable(QString("sphere pixels: %1").arg(on)));
        panel->setRadiusSpheresVisible(false);
        QCOMPARE(sphereLines(), 0);
    }

    void largeScenesWaitForCompute() {
        TokenizationPanel* panel = window_->tokenizationPanel();
        panel->setAutoComputeLimit(1000);  // the two-plane scene has 2 × 50 × 50 points
        QCOMPARE(panel->autoComputeLimit(), std::size_t(1000));
        scene_ = test::twoPlaneScene(50);
        QVERIFY(scene_->pointCount() > 1000);
        const QString path = dir_.filePath("two_planes_big.ply");
        test::writeFile(path.toStdString(), test::twoPlanePly(*scene_));
        QSignalSpy shown(window_.get(), &MainWindow::sceneShown);
        QSignalSpy results(panel, &TokenizationPanel::resultShown);
        QSignalSpy started(panel->worker(), &CoreWorker::jobStarted);
        window_->openFile(path);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() == 1, kGenerousMs);
        QVERIFY(!panel->autoComputes());
        QVERIFY2(panel->statusText().contains("press Compute") &&
                     panel->statusText().contains(QLocale().toString(qulonglong(scene_->pointCount()))),
                 qPrintable(panel->statusText()));
        // Changing a parameter does not start one either.
        panel->findChild<QSpinBox*>("numTokensSpin")->setValue(40);
        QTest::qWait(600);  // longer than the debounce: a request would have been queued by now
        QCOMPARE(started.count(), 0);
        QCOMPARE(results.count(), 0);
        QVERIFY(!panel->outcome());
        QTest::mouseClick(panel->findChild<QPushButton*>("computeButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(results.count() == 1, kGenerousMs);
        QCOMPARE(panel->outcome()->result.anchors->indices.size(), std::size_t(40));
    }

    // Compute pressed on a scene over the auto limit, then the scene replaced by an edited copy (prompt
    // labels stored) before the result arrives: the result must still be shown, for the new scene, and
    // the progress bar must go away.
    void computeSurvivesASceneReplacement() {
        TokenizationPanel* panel = window_->tokenizationPanel();
        panel->setAutoComputeLimit(1000);
        scene_ = test::twoPlaneScene(50);
        const QString path = dir_.filePath("two_planes_replaced.ply");
        test::writeFile(path.toStdString(), test::twoPlanePly(*scene_));
        QSignalSpy shown(window_.get(), &MainWindow::sceneShown);
        window_->openFile(path);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() == 1, kGenerousMs);
        QSignalSpy results(panel, &TokenizationPanel::resultShown);
        QTest::mouseClick(panel->findChild<QPushButton*>("computeButton"), Qt::LeftButton);
        const std::size_t n = window_->scene()->pointCount();
        QVERIFY(window_->storePromptLabels({"a"}, {PromptPanel::promptColor(0)}, std::vector<std::int32_t>(n, 0),
                                           std::vector<float>(n, 1.0f)));
        QTRY_VERIFY_WITH_TIMEOUT(results.count() >= 1, kGenerousMs);
        QVERIFY(panel->outcome()->scene == window_->scene());
        QTRY_VERIFY(!panel->findChild<QProgressBar*>()->isVisible());
        QCOMPARE(panel->statusText(), QString("Up to date"));
    }

    // While another file loads, prompt labels are not stored into the scene about to be replaced (the
    // Save/Discard question was asked before the load started), so the new scene never arrives over
    // unsaved results nobody was asked about.
    void promptLabelsAreNotStoredWhileAnotherSceneLoads() {
        openTwoPlanes();
        const std::size_t n = window_->scene()->pointCount();
        window_->openFile(dir_.filePath("two_planes.ply"));
        QVERIFY(!window_->storePromptLabels({"a"}, {PromptPanel::promptColor(0)}, std::vector<std::int32_t>(n, 0),
                                            std::vector<float>(n, 1.0f)));
        QVERIFY(!window_->hasUnsavedResults());
        QSignalSpy shown(window_.get(), &MainWindow::sceneShown);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() == 1, kGenerousMs);
        QVERIFY(window_->storePromptLabels({"a"}, {PromptPanel::promptColor(0)}, std::vector<std::int32_t>(n, 0),
                                           std::vector<float>(n, 1.0f)));
        QVERIFY(window_->hasUnsavedResults());
    }

    void screenshotWaitsForThePatchLayer() {
        scene_ = test::twoPlaneScene(50);
        const QString path = dir_.filePath("planes_cli.ply");
        test::writeFile(path.toStdString(), test::twoPlanePly(*scene_));
        const QString png = dir_.filePath("patches.png");
        const test::StudioRun run =
            test::runStudio({"--open", path, "--view", "patches", "--tokenizer", "ball", "--gamma", "0.3",
                             "--screenshot", png, "--exit", "--log-level", "warn"},
                            kGenerousMs);
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const QImage image(png);
        QVERIFY(!image.isNull());
        // Pixels in patch colours (ids 0..511) only exist once the worker's result was drawn.
        std::vector<std::int32_t> ids(512);
        for (int i = 0; i < 512; ++i) ids[i] = i;
        const std::vector<std::uint8_t> rgb = patchLayerColors(ids);
        std::set<QRgb> patchColours;
        for (std::size_t i = 0; i < ids.size(); ++i)
            patchColours.insert(qRgb(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]));
        int patchPixels = 0;
        std::set<QRgb> seen;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x) {
                const QRgb p = image.pixel(x, y) | 0xff000000;
                if (patchColours.count(p)) {
                    ++patchPixels;
                    seen.insert(p);
                }
            }
        QVERIFY2(patchPixels > 1000, qPrintable(QString("patch-coloured pixels: %1").arg(patchPixels)));
        QVERIFY2(seen.size() >= 10, qPrintable(QString("distinct patch colours: %1").arg(seen.size())));
    }
};

S4_GUI_TEST_MAIN(TestTokenizationPanel)
#include "tst_tokenizationpanel.moc"
