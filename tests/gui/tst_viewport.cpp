// The VTK viewport inside Qt really draws: a synthetic scene of two labelled planes must show both
// label colours and the background in the grabbed framebuffer; standard views and picking agree with
// the geometry. Needs an X display with GLX (xvfb-run); skips with the reason otherwise.

#include "GuiTestSupport.h"
#include "gui/ColorModes.h"
#include "gui/PointCloudViewport.h"

#include <QImage>
#include <QtTest>

#include <utility>

using namespace s4;
using namespace s4::gui;

namespace {

constexpr int kGrid = 80;

// A floor (z = 0, label 1) of 2 x 2 and a wall (x = -1, label 2) of 2 wide and 2 high.
std::shared_ptr<Scene> twoPlanes() {
    auto scene = std::make_shared<Scene>();
    std::vector<std::int32_t> labels;
    for (int i = 0; i < kGrid; ++i)
        for (int j = 0; j < kGrid; ++j) {
            const float u = -1.f + 2.f * i / (kGrid - 1), v = 2.f * j / (kGrid - 1);
            scene->positions.emplace_back(u, v - 1.f, 0.f);
            labels.push_back(1);
            scene->positions.emplace_back(-1.f, u, v);
            labels.push_back(2);
        }
    auto* label = scene->add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>();
    std::copy(labels.begin(), labels.end(), label);
    return scene;
}

int countPixels(const QImage& image, const QColor& color, int tolerance = 2) {
    return test::countPixels(image, [&](const QColor& c) {
        return std::abs(c.red() - color.red()) <= tolerance && std::abs(c.green() - color.green()) <= tolerance &&
               std::abs(c.blue() - color.blue()) <= tolerance;
    });
}

QColor toQColor(const Rgb8& c) {
    return QColor(c[0], c[1], c[2]);
}

}  // namespace

class TestViewport : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<PointCloudViewport> viewport_;
    std::shared_ptr<Scene> scene_;
    bool paintGlMissed_ = false;

    QImage render() {
        QSignalSpy frames(viewport_.get(), &PointCloudViewport::frameRendered);
        viewport_->update();
        // grabFramebuffer() renders through paintGL itself; the spy proves VTK's paint path ran.
        const QImage image = viewport_->grabFramebuffer();
        if (frames.count() < 1) paintGlMissed_ = true;  // failed in cleanup(): a helper cannot QVERIFY
        return image;
    }

private slots:
    void init() {
        S4_REQUIRE_DISPLAY();
        viewport_ = std::make_unique<PointCloudViewport>();
        viewport_->resize(480, 360);
        viewport_->show();
        QVERIFY(QTest::qWaitForWindowExposed(viewport_.get()));
        scene_ = twoPlanes();
        viewport_->setScene(scene_);
        viewport_->setColors(computeColors(*scene_, {ColorMode::Labels, {}}));
        viewport_->setPointSize(4);
    }

    void cleanup() {
        viewport_.reset();
        QVERIFY2(!std::exchange(paintGlMissed_, false), "grabFramebuffer() did not go through paintGL");
    }

    void bothLabelColoursAndBackgroundAreDrawn() {
        const QImage image = render();
        QCOMPARE(image.size(), QSize(480, 360) * viewport_->devicePixelRatio());
        const int floor = countPixels(image, toQColor(labelColor(1)));
        const int wall = countPixels(image, toQColor(labelColor(2)));
        const int background = countPixels(image, viewport_->backgroundColor());
        QVERIFY2(floor > 2000, qPrintable(QString("label 1 pixels: %1").arg(floor)));
        QVERIFY2(wall > 2000, qPrintable(QString("label 2 pixels: %1").arg(wall)));
        QVERIFY2(background > 10000, qPrintable(QString("background pixels: %1").arg(background)));
        // Nothing else: every pixel is one of the three colours (lighting is off, no blending).
        QCOMPARE(floor + wall + background, image.width() * image.height());
    }

    void standardViewsShowThePlaneFacingThem() {
        // From the top the floor faces the camera and the wall is seen almost edge-on (perspective shows
        // a sliver of it); from the side (looking along -x) it is the other way round.
        viewport_->setStandardView(StandardView::Top);
        QImage image = render();
        int floor = countPixels(image, toQColor(labelColor(1))),
            wall = countPixels(image, toQColor(labelColor(2)));
        QVERIFY2(floor > 3 * wall, qPrintable(QString("top: floor %1, wall %2").arg(floor).arg(wall)));
        viewport_->setStandardView(StandardView::Side);
        image = render();
        floor = countPixels(image, toQColor(labelColor(1)));
        wall = countPixels(image, toQColor(labelColor(2)));
        QVERIFY2(wall > 3 * floor, qPrintable(QString("side: floor %1, wall %2").arg(floor).arg(wall)));
    }

    void pickingReturnsThePointUnderTheCursor() {
        viewport_->setStandardView(StandardView::Top);
        render();
        // A floor point well away from the wall: the pick must land on a floor point within the pick
        // radius of the click, and the picked pixel must show the floor colour.
        const std::size_t target = 2 * (kGrid * (3 * kGrid / 4) + kGrid / 2);
        QCOMPARE(scene_->positions[target].z(), 0.f);
        const auto where = viewport_->projectPoint(target);
        QVERIFY(where.has_value());
        const auto picked = viewport_->pickPoint(where->toPoint());
        QVERIFY(picked.has_value());
        const auto pickedAt = viewport_->projectPoint(*picked);
        QVERIFY(pickedAt.has_value());
        QVERIFY((*pickedAt - *where).manhattanLength() <= 12);
        QCOMPARE(scene_->positions[*picked].z(), 0.f);
        // A corner of the view is empty background.
        QVERIFY(!viewport_->pickPoint(QPoint(2, 2)).has_value());
    }

    void wrongSizedColoursAreIgnored() {
        const QImage before = render();
        viewport_->setColors(std::vector<std::uint8_t>(5, 255));
        QCOMPARE(render(), before);
    }
};

S4_GUI_TEST_MAIN(TestViewport)
#include "tst_viewport.moc"
