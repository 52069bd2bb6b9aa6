// Picking in the studio window: a click on a point describes it in the status bar together with the
// superpoint and patch it belongs to in the last tokenization result, and a marker glyph highlights it.
// Needs an X display with GLX (xvfb-run); skips otherwise.

#include "GuiTestSupport.h"
#include "SweepScene.h"
#include "gui/MainWindow.h"
#include "gui/PointCloudViewport.h"
#include "gui/PointDescription.h"
#include "gui/TokenizationPanel.h"
#include "tests/support/TestData.h"

#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace s4;
using namespace s4::gui;

namespace {

constexpr int kGenerousMs = 120000;

}  // namespace

class TestPicking : public QObject {
    Q_OBJECT
private slots:
    void tokenMembershipText() {
        const std::vector<std::int32_t> sp{0, 3, 3}, patch{-1, 7};
        QCOMPARE(describeTokenMembership(sp, patch, 1), std::string(" | token: superpoint 3, patch 7"));
        QCOMPARE(describeTokenMembership(sp, patch, 0), std::string(" | token: superpoint 0, patch none"));
        QCOMPARE(describeTokenMembership(sp, patch, 2), std::string(" | token: superpoint 3, patch none"));
        QCOMPARE(describeTokenMembership({}, patch, 1), std::string(" | token: superpoint –, patch 7"));
        QCOMPARE(describeTokenMembership(sp, patch, 3), std::string());
    }

    void clickShowsSuperpointAndPatchAndMarksThePoint() {
        S4_REQUIRE_DISPLAY();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto scene = test::sweepScene();
        const QString path = dir.filePath("picking.ply");
        test::writeFile(path.toStdString(), test::sweepScenePly(*scene));

        MainWindow::Options options = test::testWindowOptions();
        MainWindow window(options);
        window.resize(1100, 750);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        TokenizationPanel* panel = window.tokenizationPanel();
        QSignalSpy result(panel, &TokenizationPanel::resultShown);
        window.openFile(path);
        QTRY_VERIFY_WITH_TIMEOUT(result.count() >= 1, kGenerousMs);
        const auto outcome = panel->outcome();
        QVERIFY(outcome && outcome->result.superpoints && outcome->result.patches);

        // The centre point of the third small cluster (superpoint 3 by construction).
        const std::size_t target = test::kFloorPoints + 2 * test::kClusterPoints + test::kClusterPoints / 2;
        QCOMPARE(test::sweepSceneSuperpoint(target), 3);
        PointCloudViewport* viewport = window.viewport();
        const auto at = viewport->projectPoint(target);
        QVERIFY(at);
        QSignalSpy picked(viewport, &PointCloudViewport::pointPicked);
        QTest::mouseClick(viewport, Qt::LeftButton, {}, at->toPoint());
        QCOMPARE(picked.count(), 1);
        const std::size_t index = picked.at(0).at(0).value<std::size_t>();
        // Whatever point within the pick radius won, it lies in the same small cluster.
        QCOMPARE(test::sweepSceneSuperpoint(index), 3);
        QCOMPARE(window.pickedPoint(), std::optional<std::size_t>(index));

        const QString status = window.findChild<QLabel*>("statusText")->text();
        QVERIFY2(status.startsWith(QString("Point %1:").arg(index)), qPrintable(status));
        QVERIFY2(status.contains("token: superpoint 3, patch "), qPrintable(status));
        // The patch named is one whose members include the point (or "none" if no patch holds it).
        const QString patchText = status.section("token: superpoint 3, patch ", 1).section(' ', 0, 0);
        const Patches& patches = *outcome->result.patches;
        bool member = false;
        if (patchText != "none") {
            bool ok = false;
            const int p = patchText.toInt(&ok);
            QVERIFY2(ok && p >= 0 && std::size_t(p) < patches.count, qPrintable(status));
            for (int m = 0; m < patches.groupSize; ++m) {
                const std::size_t slot = std::size_t(p) * patches.groupSize + m;
                member |= patches.valid[slot] && patches.members[slot] == std::int32_t(index);
            }
            QVERIFY2(member, qPrintable(status));
        } else {
            for (std::size_t slot = 0; slot < patches.members.size(); ++slot)
                QVERIFY(!(patches.valid[slot] && patches.members[slot] == std::int32_t(index)));
        }

        // The marker: cyan pixels near the picked point, none before the pick in a fresh window would
        // show (the scene is coloured by height with viridis, which has no such colour).
        const QImage image = viewport->grabFramebuffer();
        const QPointF pos = *viewport->projectPoint(index);
        const qreal dpr = viewport->devicePixelRatioF();
        int cyan = 0;
        for (int dy = -10; dy <= 10; ++dy)
            for (int dx = -10; dx <= 10; ++dx) {
                const QPoint px(qRound(pos.x() * dpr) + dx, qRound(pos.y() * dpr) + dy);
                if (!image.rect().contains(px)) continue;
                const QColor c = image.pixelColor(px);
                cyan += c.red() < 90 && c.green() > 170 && c.blue() > 200;
            }
        QVERIFY2(cyan >= 4, qPrintable(QString("%1 marker pixels near the picked point").arg(cyan)));
    }
};

S4_GUI_TEST_MAIN(TestPicking)
#include "tst_picking.moc"
