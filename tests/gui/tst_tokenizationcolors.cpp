// Tokenization layer colours: one colour per id, equal ids equal colours, missing ids grey, many ids
// distinguishable, and the patch layer's colour for an id differs from the superpoint layer's.

#include "gui/ColorModes.h"
#include "gui/TokenizationColors.h"

#include <QtTest>

#include <set>

using namespace s4::gui;

namespace {

Rgb8 colourAt(const std::vector<std::uint8_t>& rgb, std::size_t i) {
    return {rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]};
}

}  // namespace

class TestTokenizationColors : public QObject {
    Q_OBJECT
private slots:
    void equalIdsShareAColourAndMissingIdsAreGrey() {
        const std::vector<std::int32_t> ids{3, -1, 3, 7, 0, -5};
        const auto sp = superpointLayerColors(ids);
        QCOMPARE(sp.size(), ids.size() * 3);
        QCOMPARE(colourAt(sp, 0), colourAt(sp, 2));
        QVERIFY(colourAt(sp, 0) != colourAt(sp, 3));
        QCOMPARE(colourAt(sp, 1), kNeutralGrey);
        QCOMPARE(colourAt(sp, 5), kNeutralGrey);
        QVERIFY(colourAt(sp, 4) != kNeutralGrey);

        const auto patches = patchLayerColors(ids);
        const Rgb8 unassigned{kUnassignedGrey[0], kUnassignedGrey[1], kUnassignedGrey[2]};
        QCOMPARE(colourAt(patches, 1), unassigned);
        QCOMPARE(colourAt(patches, 0), colourAt(patches, 2));
        QVERIFY(colourAt(patches, 0) != unassigned);
    }

    void manyIdsGetDistinctColoursAwayFromTheGreys() {
        std::vector<std::int32_t> ids(512);
        for (int i = 0; i < 512; ++i) ids[i] = i;
        for (const auto& rgb : {superpointLayerColors(ids), patchLayerColors(ids)}) {
            std::set<Rgb8> distinct;
            for (std::size_t i = 0; i < ids.size(); ++i) {
                const Rgb8 c = colourAt(rgb, i);
                distinct.insert(c);
                // Saturated: the channels spread apart, unlike any grey.
                const int spread = std::max({c[0], c[1], c[2]}) - std::min({c[0], c[1], c[2]});
                QVERIFY2(spread >= 40, qPrintable(QString("id %1 is nearly grey").arg(i)));
            }
            QVERIFY2(distinct.size() >= 500, qPrintable(QString("%1 distinct of 512").arg(distinct.size())));
        }
    }

    void patchAndSuperpointLayersColourAnIdDifferently() {
        std::vector<std::int32_t> ids(64);
        for (int i = 0; i < 64; ++i) ids[i] = i;
        const auto sp = superpointLayerColors(ids), patches = patchLayerColors(ids);
        int same = 0;
        for (std::size_t i = 0; i < ids.size(); ++i) same += colourAt(sp, i) == colourAt(patches, i);
        QVERIFY2(same <= 1, qPrintable(QString("%1 ids share a colour across layers").arg(same)));
    }
};

QTEST_GUILESS_MAIN(TestTokenizationColors)
#include "tst_tokenizationcolors.moc"
