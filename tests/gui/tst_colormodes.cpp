// Colour modes are pure functions Scene -> RGB bytes; expectations are hand-computed from the
// colormap table (viridis), the palette's definition, and simple geometry.

#include "gui/ColorModes.h"
#include "gui/PointDescription.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <set>

using namespace s4;
using namespace s4::gui;

namespace {

double distance(const Rgb8& a, const Rgb8& b) {
    double s = 0;
    for (int i = 0; i < 3; ++i) s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    return std::sqrt(s);
}

Rgb8 colorAt(const std::vector<std::uint8_t>& rgb, std::size_t i) {
    return {rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]};
}

Scene sceneWithZ(const std::vector<float>& z) {
    Scene s;
    for (float v : z) s.positions.emplace_back(0.f, 0.f, v);
    return s;
}

char* show(const Rgb8& c) {
    return QTest::toString(QString("(%1, %2, %3)").arg(c[0]).arg(c[1]).arg(c[2]));
}

}  // namespace

namespace QTest {
template <>
char* toString(const Rgb8& c) {
    return show(c);
}
}  // namespace QTest

class TestColorModes : public QObject {
    Q_OBJECT
private slots:
    void viridisEndpointsAndMidpoint() {
        // matplotlib's viridis: #440154 at 0, #21918c at 0.5, #fde725 at 1.
        QCOMPARE(viridis(0.0), (Rgb8{68, 1, 84}));
        QCOMPARE(viridis(0.5), (Rgb8{33, 145, 140}));
        QCOMPARE(viridis(1.0), (Rgb8{253, 231, 37}));
        QCOMPARE(viridis(-3.0), viridis(0.0));
        QCOMPARE(viridis(7.0), viridis(1.0));
        QCOMPARE(viridis(std::nan("")), kNeutralGrey);
    }

    void viridisLightnessIsMonotone() {
        // A perceptual colormap gets brighter from 0 to 1; a rainbow or a broken table would not.
        auto luma = [](const Rgb8& c) { return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
        double previous = -1;
        for (int i = 0; i <= 100; ++i) {
            const double l = luma(viridis(i / 100.0));
            QVERIFY2(l >= previous, qPrintable(QString("lightness drops at t = %1").arg(i / 100.0)));
            previous = l;
        }
    }

    void heightMapsMinAndMaxToColormapEnds() {
        // z from -1 to 2: the lowest point is viridis(0), the highest viridis(1), z = 0.5 the middle.
        const Scene scene = sceneWithZ({2.f, -1.f, 0.5f});
        const auto rgb = computeColors(scene, {ColorMode::Height, {}});
        QCOMPARE(rgb.size(), std::size_t(9));
        QCOMPARE(colorAt(rgb, 0), (Rgb8{253, 231, 37}));
        QCOMPARE(colorAt(rgb, 1), (Rgb8{68, 1, 84}));
        QCOMPARE(colorAt(rgb, 2), (Rgb8{33, 145, 140}));
    }

    void flatSceneGetsTheMiddleColour() {
        const auto rgb = computeColors(sceneWithZ({1.f, 1.f}), {ColorMode::Height, {}});
        QCOMPARE(colorAt(rgb, 0), viridis(0.5));
        QCOMPARE(colorAt(rgb, 1), viridis(0.5));
    }

    void labelZeroAndNegativeAreGrey() {
        QCOMPARE(labelColor(0), kNeutralGrey);
        QCOMPARE(labelColor(-1), kNeutralGrey);
        Scene scene = sceneWithZ({0, 0, 0});
        auto* label = scene.add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>();
        label[0] = 0;
        label[1] = 1;
        label[2] = 2;
        const auto rgb = computeColors(scene, {ColorMode::Labels, {}});
        QCOMPARE(colorAt(rgb, 0), kNeutralGrey);
        QCOMPARE(colorAt(rgb, 1), labelColor(1));
        QCOMPARE(colorAt(rgb, 2), labelColor(2));
        QVERIFY(colorAt(rgb, 1) != colorAt(rgb, 2));
    }

    void labelPaletteIsDistinct() {
        // Every pair of palette colours, and each against the grey of unlabelled points, differs by
        // at least 35 RGB units: tell-apart at a glance on a monitor.
        const int n = labelPaletteSize();
        QVERIFY(n >= 12);
        for (int a = 1; a <= n; ++a) {
            QVERIFY2(distance(labelColor(a), kNeutralGrey) >= 35,
                     qPrintable(QString("label %1 ~ grey").arg(a)));
            for (int b = a + 1; b <= n; ++b)
                QVERIFY2(distance(labelColor(a), labelColor(b)) >= 35,
                         qPrintable(QString("labels %1 and %2 look alike").arg(a).arg(b)));
        }
        // Ids past the palette (NYU40 has 40 classes) still get a colour, never the unlabelled grey.
        for (int id = n + 1; id <= n + 60; ++id) QVERIFY(distance(labelColor(id), kNeutralGrey) >= 35);
    }

    void hashedColoursAreStableSaturatedAndSpreadOverHues() {
        std::set<int> hueBins;
        for (int id = 0; id < 1000; ++id) {
            const Rgb8 c = hashedColor(id);
            QCOMPARE(hashedColor(id), c);
            const int hi = std::max({c[0], c[1], c[2]}), lo = std::min({c[0], c[1], c[2]});
            QVERIFY2(hi - lo >= 80, qPrintable(QString("id %1 is washed out").arg(id)));
            // Hue sector of 30 degrees, from the HSV definition.
            double h;
            if (hi == c[0])
                h = std::fmod(60.0 * (c[1] - c[2]) / (hi - lo) + 360.0, 360.0);
            else if (hi == c[1])
                h = 60.0 * (c[2] - c[0]) / (hi - lo) + 120.0;
            else
                h = 60.0 * (c[0] - c[1]) / (hi - lo) + 240.0;
            hueBins.insert(static_cast<int>(h / 30.0) % 12);
        }
        QCOMPARE(hueBins.size(), std::size_t(12));
        QVERIFY(hashedColor(1) != hashedColor(2));
    }

    void superpointsAndInstancesUseHashedColours() {
        Scene scene = sceneWithZ({0, 0, 0});
        auto* sp = scene.add(attr::kSuperpoint, ScalarType::Int32, 1).data<std::int32_t>();
        sp[0] = 5, sp[1] = 5, sp[2] = -1;
        auto* inst = scene.add(attr::kInstance, ScalarType::Int32, 1).data<std::int32_t>();
        inst[0] = 0, inst[1] = 3, inst[2] = 4;
        const auto spRgb = computeColors(scene, {ColorMode::Superpoints, {}});
        QCOMPARE(colorAt(spRgb, 0), hashedColor(5));
        QCOMPARE(colorAt(spRgb, 1), colorAt(spRgb, 0));  // same superpoint, same colour
        QCOMPARE(colorAt(spRgb, 2), kNeutralGrey);       // unassigned
        const auto instRgb = computeColors(scene, {ColorMode::Instances, {}});
        QCOMPARE(colorAt(instRgb, 0), kNeutralGrey);  // 0 = no instance
        QCOMPARE(colorAt(instRgb, 1), hashedColor(3));
        QCOMPARE(colorAt(instRgb, 2), hashedColor(4));
    }

    void rgbCopiesTheFileColoursOrGreyWithoutThem() {
        Scene scene = sceneWithZ({0, 0});
        auto rgbNone = computeColors(scene, {ColorMode::Rgb, {}});
        QCOMPARE(colorAt(rgbNone, 0), kNeutralGrey);
        QCOMPARE(colorAt(rgbNone, 1), kNeutralGrey);
        auto* c = scene.add(attr::kColor, ScalarType::UInt8, 3).data<std::uint8_t>();
        const std::uint8_t values[6] = {1, 2, 3, 250, 128, 0};
        std::copy(values, values + 6, c);
        const auto rgb = computeColors(scene, {ColorMode::Rgb, {}});
        QCOMPARE(colorAt(rgb, 0), (Rgb8{1, 2, 3}));
        QCOMPARE(colorAt(rgb, 1), (Rgb8{250, 128, 0}));
    }

    void normalsMapAbsoluteComponentsToChannels() {
        Scene scene = sceneWithZ({0, 0, 0});
        auto* n = scene.add(attr::kNormal, ScalarType::Float32, 3).data<float>();
        const float values[9] = {0, 0, -1, 0.6f, -0.8f, 0, std::nanf(""), 0, 1};
        std::copy(values, values + 9, n);
        const auto rgb = computeColors(scene, {ColorMode::Normals, {}});
        QCOMPARE(colorAt(rgb, 0), (Rgb8{0, 0, 255}));
        QCOMPARE(colorAt(rgb, 1), (Rgb8{153, 204, 0}));  // 0.6 * 255 = 153, 0.8 * 255 = 204
        QCOMPARE(colorAt(rgb, 2), kNeutralGrey);
    }

    void scalarFieldUsesFiniteMinMax() {
        Scene scene = sceneWithZ({0, 0, 0, 0});
        auto* v = scene.add("intensity", ScalarType::Float32, 1).data<float>();
        const float values[4] = {10, 20, std::numeric_limits<float>::infinity(), 15};
        std::copy(values, values + 4, v);
        const auto rgb = computeColors(scene, {ColorMode::Scalar, "intensity"});
        QCOMPARE(colorAt(rgb, 0), viridis(0.0));
        QCOMPARE(colorAt(rgb, 1), viridis(1.0));
        QCOMPARE(colorAt(rgb, 2), kNeutralGrey);
        QCOMPARE(colorAt(rgb, 3), viridis(0.5));
    }

    void availableSpecsFollowTheScene() {
        Scene scene = sceneWithZ({0, 1});
        scene.add(attr::kColor, ScalarType::UInt8, 3);
        scene.add(attr::kLabel, ScalarType::Int32, 1);
        scene.add("intensity", ScalarType::Float32, 1);
        std::vector<std::string> names;
        for (const auto& s : availableColorSpecs(scene)) names.push_back(colorSpecName(s));
        QCOMPARE(names, (std::vector<std::string>{"rgb", "height", "labels", "field:intensity"}));
        QVERIFY(!colorModeAvailable(scene, {ColorMode::Normals, {}}));
        QVERIFY(!colorModeAvailable(scene, {ColorMode::Scalar, "missing"}));
        const auto grey = computeColors(scene, {ColorMode::Superpoints, {}});
        QCOMPARE(colorAt(grey, 0), kNeutralGrey);
        QCOMPARE(colorAt(grey, 1), kNeutralGrey);
    }

    void viewNamesRoundTrip() {
        for (const char* name :
             {"rgb", "height", "normals", "labels", "superpoints", "instances", "field:intensity"}) {
            const auto spec = parseColorSpec(name);
            QVERIFY2(spec.has_value(), name);
            QCOMPARE(colorSpecName(*spec), std::string(name));
        }
        QVERIFY(!parseColorSpec("rainbow").has_value());
        QVERIFY(!parseColorSpec("field:").has_value());
        QVERIFY(!parseColorSpec("").has_value());
    }

    void pointDescriptionShowsWorldCoordinatesAndAttributes() {
        Scene scene = sceneWithZ({3.f});
        scene.positions[0] = {1.f, 2.f, 3.f};
        scene.offset = {100.0, 0.0, -1.0};
        scene.add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>()[0] = 7;
        const std::string text = describePoint(scene, 0);
        QVERIFY2(text.find("Point 0: x 101, y 2, z 2") != std::string::npos, text.c_str());
        QVERIFY2(text.find("label 7") != std::string::npos, text.c_str());
        QVERIFY(describePoint(scene, 1).empty());
    }
};

QTEST_GUILESS_MAIN(TestColorModes)
#include "tst_colormodes.moc"
