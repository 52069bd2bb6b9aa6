// CLIP image preprocessing (resize shorter side to S with Pillow's bicubic filter, centre crop, normalise):
// constant images, untouched S × S images, hand-computed bicubic weights, a 2× downscale against
// separately written double-precision references, crop placement for several aspect ratios, input checks.

#include "core/common/Error.h"
#include "core/model/image/ClipImagePreprocess.h"

#include <QtTest/QtTest>

#include <cmath>
#include <random>

using namespace s4;

namespace {

const double kMean[3] = {0.48145466, 0.4578275, 0.40821073};
const double kStd[3] = {0.26862954, 0.26130258, 0.27577711};

Rgb8Image makeImage(int w, int h, const std::function<std::array<int, 3>(int, int)>& pixel) {
    Rgb8Image img;
    img.width = w;
    img.height = h;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int v : pixel(x, y)) img.pixels.push_back(std::uint8_t(v));
    return img;
}

// Keys' cubic with a = −0.5, written as expanded polynomials (not Pillow's Horner form).
double keys(double t) {
    t = std::abs(t);
    if (t < 1) return 1.5 * t * t * t - 2.5 * t * t + 1;
    if (t < 2) return -0.5 * t * t * t + 2.5 * t * t - 4 * t + 2;
    return 0;
}

// Normalised weights of every input sample for output position `o` of an axis resized in → out,
// the kernel stretched by the scale when shrinking (antialiasing).
std::vector<double> axisWeights(int in, int out, int o) {
    const double scale = double(in) / out;
    const double stretch = std::max(1.0, scale);
    const double centre = (o + 0.5) * scale;
    std::vector<double> w(static_cast<std::size_t>(in));
    double total = 0;
    for (int x = 0; x < in; ++x) total += w[std::size_t(x)] = keys((x + 0.5 - centre) / stretch);
    for (double& v : w) v /= total;
    return w;
}

// The resized image in exact arithmetic, one 2D weighted sum per pixel, rounded once.
Rgb8Image referenceResize(const Rgb8Image& img, int outW, int outH) {
    return makeImage(outW, outH, [&](int ox, int oy) {
        const auto wx = axisWeights(img.width, outW, ox);
        const auto wy = axisWeights(img.height, outH, oy);
        std::array<int, 3> px{};
        for (int c = 0; c < 3; ++c) {
            double s = 0;
            for (int y = 0; y < img.height; ++y)
                for (int x = 0; x < img.width; ++x)
                    s += wy[std::size_t(y)] * wx[std::size_t(x)] * img.at(x, y, c);
            px[std::size_t(c)] = int(std::clamp(std::lround(s), 0L, 255L));
        }
        return px;
    });
}

// Pillow's documented order: a horizontal pass rounded and clamped to 8 bits, then a vertical one — here in
// double precision with the weights above (Pillow uses 22-bit fixed point: equal except at exact halves).
Rgb8Image referenceTwoPass(const Rgb8Image& img, int outW, int outH) {
    const Rgb8Image rows = makeImage(outW, img.height, [&](int ox, int y) {
        const auto wx = axisWeights(img.width, outW, ox);
        std::array<int, 3> px{};
        for (int c = 0; c < 3; ++c) {
            double s = 0;
            for (int x = 0; x < img.width; ++x) s += wx[std::size_t(x)] * img.at(x, y, c);
            px[std::size_t(c)] = int(std::clamp(std::lround(s), 0L, 255L));
        }
        return px;
    });
    return makeImage(outW, outH, [&](int x, int oy) {
        const auto wy = axisWeights(img.height, outH, oy);
        std::array<int, 3> px{};
        for (int c = 0; c < 3; ++c) {
            double s = 0;
            for (int y = 0; y < img.height; ++y) s += wy[std::size_t(y)] * rows.at(x, y, c);
            px[std::size_t(c)] = int(std::clamp(std::lround(s), 0L, 255L));
        }
        return px;
    });
}

std::vector<std::uint8_t> bytes(const Rgb8Image& img) {
    return img.pixels;
}

}  // namespace

class TestClipImagePreprocess : public QObject {
    Q_OBJECT
private slots:
    void constantImageStaysConstant() {
        const Rgb8Image img = makeImage(37, 23, [](int, int) { return std::array<int, 3>{200, 100, 50}; });
        const Rgb8Image crop = clipResizeAndCrop(img, 16);
        QCOMPARE(crop.width, 16);
        QCOMPARE(crop.height, 16);
        for (int y = 0; y < 16; ++y)
            for (int x = 0; x < 16; ++x) {
                QCOMPARE(int(crop.at(x, y, 0)), 200);
                QCOMPARE(int(crop.at(x, y, 1)), 100);
                QCOMPARE(int(crop.at(x, y, 2)), 50);
            }
        ClipImageParams params;
        params.size = 16;
        const std::vector<float> t = preprocessClipImage(img.pixels, 37, 23, 3, params);
        QCOMPARE(t.size(), std::size_t{3 * 16 * 16});
        const int values[3] = {200, 100, 50};
        for (int c = 0; c < 3; ++c) {
            const double want =
                (values[c] / 255.0 - kMean[c]) / kStd[c];  // e.g. R: (0.78431 − 0.48145) / 0.26863
            for (int i = 0; i < 256; ++i) QVERIFY(std::abs(t[std::size_t(c * 256 + i)] - want) < 1e-5);
        }
        QVERIFY(std::abs(t[0] - 1.127423) < 1e-5);  // R by hand
    }

    void squareImageIsOnlyNormalised() {
        std::mt19937 rng(5);
        std::uniform_int_distribution<int> u(0, 255);
        const Rgb8Image img = makeImage(24, 24, [&](int, int) {
            return std::array<int, 3>{u(rng), u(rng), u(rng)};
        });
        QCOMPARE(bytes(clipResizeAndCrop(img, 24)), img.pixels);
        ClipImageParams params;
        params.size = 24;
        const std::vector<float> t = preprocessClipImage(img.pixels, 24, 24, 3, params);
        for (int y = 0; y < 24; ++y)
            for (int x = 0; x < 24; ++x)
                for (int c = 0; c < 3; ++c) {
                    const double want = (img.at(x, y, c) / 255.0 - kMean[c]) / kStd[c];
                    QVERIFY(std::abs(t[std::size_t((c * 24 + y) * 24 + x)] - want) < 1e-6);
                }
    }

    void bicubicWeightsByHand() {
        // 8 → 4 (scale 2): the kernel is stretched to support 4. Output 0 is centred at 1 and reads inputs
        // 0..4 with kernel values at 0.25, 0.25, 0.75, 1.25, 1.75 → (111, 111, 29, −9, −3) / 128, sum
        // 239/128. Output 1 is centred at 3 and reads 0..6 → (−9, 29, 111, 111, 29, −9, −3) / 128, sum
        // 259/128 (the −3 at input −1 is cut off by the border).
        const Rgb8Image impulse = makeImage(8, 1, [](int x, int) {
            return std::array<int, 3>{x == 0 ? 255 : 0, x == 2 ? 255 : 0, 0};
        });
        const Rgb8Image a = resizeBicubicPil(impulse, 4, 1);
        QCOMPARE(int(a.at(0, 0, 0)), 118);  // 255 · 111/239 = 118.4
        QCOMPARE(int(a.at(0, 0, 1)), 31);   // 255 · 29/239 = 30.9
        QCOMPARE(int(a.at(1, 0, 0)), 0);    // 255 · −9/259 clamps to 0
        QCOMPARE(int(a.at(1, 0, 1)), 109);  // input 2 is output 1's third tap: 255 · 111/259 = 109.3
        const Rgb8Image step = makeImage(8, 1, [](int x, int) {
            return std::array<int, 3>{x >= 4 ? 255 : 0, 0, 0};
        });
        const Rgb8Image b = resizeBicubicPil(step, 4, 1);
        QCOMPARE(int(b.at(0, 0, 0)), 0);    // 255 · −3/239 clamps to 0
        QCOMPARE(int(b.at(1, 0, 0)), 17);   // 255 · (29 − 9 − 3)/259 = 16.7
        QCOMPARE(int(b.at(2, 0, 0)), 238);  // 255 · (111 + 111 + 29 − 9)/259 = 238.3
        QCOMPARE(int(b.at(3, 0, 0)), 255);  // 255 · 242/239 clamps to 255
    }

    void downscaleMatchesTheReference() {
        // 32 × 24 → shorter side 12: 16 × 12, centre crop from x = 2. An edge, a ramp and a checker.
        const Rgb8Image img = makeImage(32, 24, [](int x, int y) {
            return std::array<int, 3>{x < 13 ? 20 : 230, (x * 7 + y * 5) % 256, ((x / 2 + y / 2) % 2) * 255};
        });
        const Rgb8Image got = clipResizeAndCrop(img, 12);
        const Rgb8Image exact = referenceResize(img, 16, 12);
        const Rgb8Image twoPass = referenceTwoPass(img, 16, 12);
        for (int y = 0; y < 12; ++y)
            for (int x = 0; x < 12; ++x)
                for (int c = 0; c < 3; ++c) {
                    const int v = got.at(x, y, c);
                    QVERIFY2(v == twoPass.at(x + 2, y, c),
                             qPrintable(QString("pixel %1,%2 channel %3: %4, two-pass reference %5")
                                            .arg(x)
                                            .arg(y)
                                            .arg(c)
                                            .arg(v)
                                            .arg(twoPass.at(x + 2, y, c))));
                    // Rounding between the passes moves a value by at most one level from the exact result.
                    QVERIFY(std::abs(v - int(exact.at(x + 2, y, c))) <= 1);
                }
    }

    void windowedResizeEqualsResizeThenCrop() {
        std::mt19937 rng(9);
        std::uniform_int_distribution<int> u(0, 255);
        const Rgb8Image img = makeImage(37, 29, [&](int, int) {
            return std::array<int, 3>{u(rng), u(rng), u(rng)};
        });
        for (const auto& [w, h] :
             {std::pair{23, 17}, std::pair{61, 45}, std::pair{37, 11}, std::pair{12, 29}}) {
            const Rgb8Image full = resizeBicubicPil(img, w, h);
            const int x0 = w / 3, y0 = h / 4, cw = w - x0 - 1, ch = h - y0;
            const Rgb8Image win = resizeBicubicPil(img, w, h, x0, y0, cw, ch);
            for (int y = 0; y < ch; ++y)
                for (int x = 0; x < cw; ++x)
                    for (int c = 0; c < 3; ++c) QCOMPARE(win.at(x, y, c), full.at(x + x0, y + y0, c));
        }
        // Upscaling too (no antialiasing stretch), against the reference.
        const Rgb8Image small = makeImage(5, 4, [](int x, int y) {
            return std::array<int, 3>{x * 60, y * 80, 128};
        });
        const Rgb8Image up = resizeBicubicPil(small, 13, 11);
        QCOMPARE(up.pixels, referenceTwoPass(small, 13, 11).pixels);
    }

    void cropIsCentred() {
        QCOMPARE(clipResizedSize(640, 480, 224), (std::pair{298, 224}));  // 224 · 640/480 = 298.7 → 298
        QCOMPARE(clipResizedSize(480, 640, 224), (std::pair{224, 298}));
        QCOMPARE(clipResizedSize(100, 100, 224), (std::pair{224, 224}));
        QCOMPARE(clipCropOrigin(298, 224, 224), (std::pair{37, 0}));
        QCOMPARE(clipCropOrigin(224, 298, 224), (std::pair{0, 37}));
        // Python's round(): halves to even.
        QCOMPARE(clipCropOrigin(225, 224, 224), (std::pair{0, 0}));  // round(0.5) = 0
        QCOMPARE(clipCropOrigin(227, 224, 224), (std::pair{2, 0}));  // round(1.5) = 2
        QCOMPARE(clipCropOrigin(229, 224, 224), (std::pair{2, 0}));  // round(2.5) = 2
        QCOMPARE(clipCropOrigin(231, 224, 224), (std::pair{4, 0}));  // round(3.5) = 4

        // A 48 × 16 image at S = 16 is not resampled; the crop is exactly its middle third.
        const Rgb8Image wide = makeImage(48, 16, [](int x, int y) {
            return std::array<int, 3>{x, y, x >= 16 && x < 32 ? 255 : 0};
        });
        const Rgb8Image c = clipResizeAndCrop(wide, 16);
        for (int y = 0; y < 16; ++y)
            for (int x = 0; x < 16; ++x) {
                QCOMPARE(int(c.at(x, y, 0)), x + 16);
                QCOMPARE(int(c.at(x, y, 1)), y);
                QCOMPARE(int(c.at(x, y, 2)), 255);
            }
        // The same for a tall image: the middle third of the rows.
        const Rgb8Image tall = makeImage(16, 48, [](int x, int y) { return std::array<int, 3>{x, y, 0}; });
        const Rgb8Image t = clipResizeAndCrop(tall, 16);
        QCOMPARE(int(t.at(3, 0, 1)), 16);
        QCOMPARE(int(t.at(3, 15, 1)), 31);
    }

    void convertsGrayAndAlpha() {
        const std::vector<std::uint8_t> gray = {10, 20};
        QCOMPARE(toRgb8(gray, 2, 1, 1).pixels, (std::vector<std::uint8_t>{10, 10, 10, 20, 20, 20}));
        const std::vector<std::uint8_t> la = {10, 0, 20, 255};
        QCOMPARE(toRgb8(la, 2, 1, 2).pixels, (std::vector<std::uint8_t>{10, 10, 10, 20, 20, 20}));
        const std::vector<std::uint8_t> rgba = {1, 2, 3, 0, 4, 5, 6, 128};
        QCOMPARE(toRgb8(rgba, 1, 2, 4).pixels, (std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6}));
    }

    void rejectsAbsurdInput() {
        const std::vector<std::uint8_t> px(12, 0);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, preprocessClipImage(px, 0, 4, 3));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, preprocessClipImage(px, 2, 2, 5));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, preprocessClipImage(px, 2, 3, 3));  // 18 bytes needed
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, preprocessClipImage({}, 70000, 1, 1));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, preprocessClipImage(px, -2, -2, 3));
        ClipImageParams zero;
        zero.size = 0;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, preprocessClipImage(px, 2, 2, 3, zero));
        ClipImageParams huge;
        huge.size = 5000;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, preprocessClipImage(px, 2, 2, 3, huge));
        ClipImageParams badStd;
        badStd.size = 2;
        badStd.std[1] = 0.0f;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, preprocessClipImage(px, 2, 2, 3, badStd));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, resizeBicubicPil(toRgb8(px, 2, 2, 3), 4, 4, 2, 2, 3, 3));
        // A tiny image is upscaled to S without trouble.
        ClipImageParams small;
        small.size = 8;
        QCOMPARE(preprocessClipImage(px, 2, 2, 3, small).size(), std::size_t{3 * 8 * 8});
    }
};

QTEST_GUILESS_MAIN(TestClipImagePreprocess)
#include "tst_clip_image_preprocess.moc"
