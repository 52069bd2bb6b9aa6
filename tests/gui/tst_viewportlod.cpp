// Level of detail of the viewport: clouds above the threshold get a fixed uniform random subset of the
// budgeted size that carries the same colours as its points; a mouse drag (the interactor style's
// start/end of interaction) shows the subset and the full cloud comes back once the camera stops.
// Smaller clouds never switch. Needs an X display with GLX (xvfb-run); skips otherwise. Frame times
// with and without LOD are measured in bench/bench_viewport.cpp.

#include "GuiTestSupport.h"
#include "gui/ColorModes.h"
#include "gui/PointCloudViewport.h"
#include "tests/support/SyntheticScenes.h"

#include <QtTest>

#include <vtkCamera.h>
#include <vtkPointData.h>
#include <vtkUnsignedCharArray.h>

#include <set>

using namespace s4;
using namespace s4::gui;

namespace {

// A colour per point that depends on its index, so a subset row can be traced to its point.
std::vector<std::uint8_t> indexColors(std::size_t n) {
    std::vector<std::uint8_t> rgb(3 * n);
    for (std::size_t i = 0; i < n; ++i) {
        rgb[3 * i] = std::uint8_t(i & 0xff);
        rgb[3 * i + 1] = std::uint8_t((i >> 8) & 0xff);
        rgb[3 * i + 2] = std::uint8_t((i >> 16) & 0xff);
    }
    return rgb;
}

}  // namespace

class TestViewportLod : public QObject {
    Q_OBJECT
private slots:
    void init() { S4_REQUIRE_DISPLAY(); }

    void subsetIsUniformSampleWithTheSameColours() {
        PointCloudViewport viewport;
        viewport.setLodThreshold(1000);
        viewport.setLodBudget(400);
        auto scene = test::sphereShell(5000);
        viewport.setScene(scene);
        QCOMPARE(viewport.lodPointCount(), std::size_t(400));
        const auto& indices = viewport.lodIndices();
        QVERIFY(std::is_sorted(indices.begin(), indices.end()));
        QCOMPARE(std::set<vtkIdType>(indices.begin(), indices.end()).size(), std::size_t(400));
        QVERIFY(indices.front() >= 0 && indices.back() < 5000);
        // Uniform: about 40 % of the subset falls into the first 2000 indices (binomial sd ~10 points).
        const auto firstPart = std::count_if(indices.begin(), indices.end(), [](vtkIdType i) { return i < 2000; });
        QVERIFY2(firstPart > 110 && firstPart < 210, qPrintable(QString::number(firstPart)));

        const auto rgb = indexColors(5000);
        viewport.setColors(rgb);
        vtkPolyData* lod = viewport.lodPolyData();
        QCOMPARE(lod->GetNumberOfPoints(), vtkIdType(400));
        auto* colors = vtkUnsignedCharArray::SafeDownCast(lod->GetPointData()->GetScalars());
        QVERIFY(colors);
        for (vtkIdType k = 0; k < 400; ++k) {
            const auto i = static_cast<std::size_t>(indices[k]);
            for (int c = 0; c < 3; ++c) QCOMPARE(colors->GetValue(3 * k + c), rgb[3 * i + c]);
            double p[3];
            lod->GetPoint(k, p);
            QCOMPARE(float(p[0]), scene->positions[i].x());
        }
        // The same scene gives the same subset (no flicker between scenes reloaded).
        PointCloudViewport other;
        other.setLodThreshold(1000);
        other.setLodBudget(400);
        other.setScene(scene);
        QCOMPARE(other.lodIndices(), indices);
    }

    void smallCloudsHaveNoSubset() {
        PointCloudViewport viewport;
        viewport.setLodThreshold(10000);
        viewport.setScene(test::sphereShell(5000));
        QCOMPARE(viewport.lodPointCount(), std::size_t(0));
        viewport.setInteracting(true);
        QVERIFY(!viewport.lodActive());
    }

    void dragShowsSubsetUntilTheCameraStops() {
        PointCloudViewport viewport;
        viewport.setLodThreshold(1000);
        viewport.setLodBudget(300);
        viewport.resize(400, 300);
        viewport.show();
        QVERIFY(QTest::qWaitForWindowExposed(&viewport));
        viewport.setScene(test::sphereShell(5000));
        QVERIFY(!viewport.lodActive());
        double before[3];
        viewport.renderer()->GetActiveCamera()->GetPosition(before);

        QTest::mousePress(&viewport, Qt::LeftButton, {}, QPoint(200, 150));
        // QTest::mouseMove does not carry buttons; send the drag event directly.
        QMouseEvent move(QEvent::MouseMove, QPointF(260, 170), viewport.mapToGlobal(QPointF(260, 170)),
                         Qt::NoButton, Qt::LeftButton, {});
        QApplication::sendEvent(&viewport, &move);
        QVERIFY(viewport.lodActive());
        QTest::mouseRelease(&viewport, Qt::LeftButton, {}, QPoint(260, 170));
        double after[3];
        viewport.renderer()->GetActiveCamera()->GetPosition(after);
        QVERIFY(before[0] != after[0] || before[1] != after[1] || before[2] != after[2]);  // it rotated
        QVERIFY(viewport.lodActive());  // still within the grace period
        QTRY_VERIFY_WITH_TIMEOUT(!viewport.lodActive(), 3000);
    }
};

S4_GUI_TEST_MAIN(TestViewportLod)
#include "tst_viewportlod.moc"
