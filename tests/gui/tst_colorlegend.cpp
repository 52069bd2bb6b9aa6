// The legend explains the viewport's colours: label rows carry exactly the palette colour the viewport
// draws and the class set's names (NYU40 for ScanNet files), "class N" without a class set; the colour
// bar spans the same min/max the scalar colour modes map (world z for height). Expectations come from
// the shipped class files and hand-made scenes. The window check needs an X display (xvfb-run).

#include "GuiTestSupport.h"
#include "core/io/SceneReader.h"
#include "gui/ColorLegend.h"
#include "gui/LegendPanel.h"
#include "gui/MainWindow.h"
#include "tests/support/TestData.h"

#include <QSignalSpy>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace s4;
using namespace s4::gui;

namespace {

constexpr int kGenerousMs = 120000;

std::shared_ptr<Scene> labelledScene(const std::string& path, const std::vector<std::int32_t>& labels) {
    auto scene = std::make_shared<Scene>();
    scene->source.path = path;
    scene->source.format = "ply-binary-le";
    for (std::size_t i = 0; i < labels.size(); ++i)
        scene->positions.emplace_back(float(i), 0.f, float(i) / 2);
    AttributeArray& label = scene->add(attr::kLabel, ScalarType::Int32, 1);
    for (std::size_t i = 0; i < labels.size(); ++i) label.data<std::int32_t>()[i] = labels[i];
    return scene;
}

}  // namespace

class TestColorLegend : public QObject {
    Q_OBJECT
private slots:
    void labelRowsUseClassNamesAndPaletteColours() {
        const ClassSet nyu40 = builtinClassSet("nyu40");
        const std::map<std::int64_t, std::uint64_t> histogram{{0, 5}, {1, 10}, {5, 3}, {99, 2}};
        const auto rows = labelLegend(histogram, &nyu40);
        QCOMPARE(rows.size(), std::size_t(4));
        // NYU40: 1 wall, 5 chair; 0 is its "unannotated" id (no class), 99 is not in the set.
        QCOMPARE(rows[0].name, std::string("unlabelled"));
        QCOMPARE(rows[1].name, std::string("wall"));
        QCOMPARE(rows[2].name, std::string("chair"));
        QCOMPARE(rows[3].name, std::string("class 99"));
        QCOMPARE(rows[1].count, std::uint64_t(10));
        for (const auto& row : rows) QVERIFY(row.color == labelColor(row.id));
        QVERIFY(rows[0].color == kNeutralGrey);
    }

    void assignedLabelsUseTheToolsNamesAndColours() {
        // Prompt ids: 0 "wall", 1 "floor"; -1 and the out-of-range 2 are both unknown.
        AssignedLabelClasses prompts;
        prompts.title = "Prompts";
        prompts.names = {"wall", "floor"};
        prompts.colors = {Rgb8{10, 20, 30}, Rgb8{200, 100, 0}};
        auto scene = labelledScene("prompted.ply", {0, 1, -1, 1, 2, 0, 1});
        const auto rgb = assignedLabelColors(*scene, prompts);
        QCOMPARE(rgb.size(), std::size_t(21));
        const Rgb8 expected[] = {prompts.colors[0], prompts.colors[1], kNeutralGrey,     prompts.colors[1],
                                 kNeutralGrey,      prompts.colors[0], prompts.colors[1]};
        for (std::size_t i = 0; i < 7; ++i)
            QVERIFY2((Rgb8{rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]} == expected[i]),
                     qPrintable(QString::number(i)));

        const auto rows = assignedLabelLegend(scene->histogram(attr::kLabel), prompts);
        QCOMPARE(rows.size(), std::size_t(3));
        QCOMPARE(rows[0].name, std::string("unknown"));
        QCOMPARE(rows[0].id, std::int64_t(-1));
        QCOMPARE(rows[0].count, std::uint64_t(2));  // one -1 and one 2
        QVERIFY(rows[0].color == kNeutralGrey);
        QCOMPARE(rows[1].name, std::string("wall"));
        QCOMPARE(rows[1].count, std::uint64_t(2));
        QVERIFY(rows[1].color == prompts.colors[0]);
        QCOMPARE(rows[2].name, std::string("floor"));
        QCOMPARE(rows[2].count, std::uint64_t(3));

        // A scene without labels is all unknown, not an error.
        Scene bare;
        bare.positions.resize(2);
        QVERIFY((assignedLabelColors(bare, prompts) == std::vector<std::uint8_t>(6, 128)));
    }

    void labelRowsWithoutClassSetAreNumbered() {
        const auto rows = labelLegend({{3, 1}, {7, 4}}, nullptr);
        QCOMPARE(rows.size(), std::size_t(2));
        QCOMPARE(rows[0].name, std::string("class 3"));
        QCOMPARE(rows[1].name, std::string("class 7"));
    }

    void classSetIsGuessedFromFormatAndName() {
        Scene scene;
        scene.source.path = "/data/scannet/scene0000_00_vert_nyu40.ply";
        QCOMPARE(guessClassSetName(scene), std::string("nyu40"));
        scene.source.path = "/data/scene0011_00_vh_clean_2.ply";
        QCOMPARE(guessClassSetName(scene), std::string("nyu40"));
        scene.source.path = "/data/Area_1/office_1";
        scene.source.format = "s3dis";
        QCOMPARE(guessClassSetName(scene), std::string("s3dis13"));
        scene.source.path = "/data/sequences/00/velodyne/000000.bin";
        scene.source.format = "kitti-bin";
        QCOMPARE(guessClassSetName(scene), std::string("semantickitti"));
        scene.source.path = "/tmp/cloud.ply";
        scene.source.format = "ply-ascii";
        QCOMPARE(guessClassSetName(scene), std::string());
    }

    void heightRangeIsInWorldUnits() {
        Scene scene;
        scene.positions = {{0, 0, -1.5f}, {0, 0, 2.0f}, {0, 0, 0.25f}};
        scene.offset = {0, 0, 100.0};
        const auto legend = scalarLegend(scene, {ColorMode::Height, {}});
        QVERIFY(legend);
        QCOMPARE(legend->min, 98.5);
        QCOMPARE(legend->max, 102.0);
        QCOMPARE(legend->title, std::string("Height (z)"));
    }

    void scalarRangeSkipsNonFiniteValues() {
        Scene scene;
        scene.positions.resize(4);
        AttributeArray& a = scene.add("intensity", ScalarType::Float32, 1);
        float* v = a.data<float>();
        v[0] = 3.f, v[1] = std::numeric_limits<float>::quiet_NaN(), v[2] = -2.f,
        v[3] = std::numeric_limits<float>::infinity();
        const auto legend = scalarLegend(scene, {ColorMode::Scalar, "intensity"});
        QVERIFY(legend);
        QCOMPARE(legend->min, -2.0);
        QCOMPARE(legend->max, 3.0);
        QCOMPARE(legend->title, std::string("intensity"));
        QVERIFY(!scalarLegend(scene, {ColorMode::Rgb, {}}));
        QVERIFY(!scalarLegend(scene, {ColorMode::Scalar, "missing"}));
    }

    void panelFollowsColourModeAndClassSetChoice() {
        LegendPanel panel;
        auto scene = labelledScene("/x/scene_nyu40.ply", {1, 1, 2, 5, 0});
        panel.showScene(scene, {ColorMode::Labels, {}});
        QCOMPARE(panel.effectiveClassSetName(), QString("nyu40"));
        QCOMPARE(panel.classNames(), (QStringList{"unlabelled", "wall", "floor", "chair"}));
        QVERIFY(!panel.colorBarVisible());

        panel.setClassSetChoice("none");
        QCOMPARE(panel.classNames(), (QStringList{"unlabelled", "class 1", "class 2", "class 5"}));
        panel.setClassSetChoice("scannet20");  // NYU40 ids too, names of the benchmark classes
        QCOMPARE(panel.effectiveClassSetName(), QString("scannet20"));
        QCOMPARE(panel.classNames().at(3), QString("chair"));

        panel.showScene(scene, {ColorMode::Height, {}});
        QVERIFY(panel.colorBarVisible());
        QVERIFY(panel.classNames().isEmpty());
        QVERIFY(panel.shownScalar());
        QCOMPARE(panel.shownScalar()->min, 0.0);
        QCOMPARE(panel.shownScalar()->max, 2.0);  // z = i / 2 for i = 0..4

        panel.showScene(scene, {ColorMode::Rgb, {}});
        QVERIFY(!panel.colorBarVisible());
        QVERIFY(panel.classNames().isEmpty());
    }

    void windowShowsScanNetClassNames() {
        S4_REQUIRE_DISPLAY();
        if (!test::sharedDataAvailable()) QSKIP("shared ScanNet data not available");
        MainWindow::Options options = test::testWindowOptions();
        MainWindow window(options);
        window.show();
        QSignalSpy shown(&window, &MainWindow::sceneShown);
        window.setColorSpec({ColorMode::Labels, {}});
        window.openFile(
            QString::fromStdString(test::sharedData("scannet/scene0000_00_vert_nyu40.ply").string()));
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() == 1, kGenerousMs);
        QCOMPARE(window.colorSpec().mode, ColorMode::Labels);
        const QStringList names = window.legendPanel()->classNames();
        for (const char* expected : {"wall", "floor", "bed", "table", "otherprop"})
            QVERIFY2(names.contains(expected), qPrintable(names.join(", ")));
        QVERIFY(!names.contains("class 1"));
        QCOMPARE(window.legendPanel()->titleText(), QString("Labels (nyu40)"));
        window.setColorSpec({ColorMode::Height, {}});
        QVERIFY(window.legendPanel()->colorBarVisible());
    }
};

S4_GUI_TEST_MAIN(TestColorLegend)
#include "tst_colorlegend.moc"
