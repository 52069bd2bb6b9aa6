// ShapeNetPart: the v0 layout (points/<id>.pts + points_label/<id>.seg, or a .seg beside the .pts) and
// the "normal" layout .txt files of ../shared/data, whose point counts and label histograms are checked
// against a separate minimal Qt parse, and whose labels must lie in the category's part-id range.
#include "core/common/Error.h"
#include "core/io/FormatReaders.h"
#include "core/io/SceneReader.h"
#include "tests/support/TestData.h"

#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <map>

using namespace s4;
namespace fs = std::filesystem;

namespace {

const char* kNormalRoot = "shapenetpart/shapenetcore_partanno_segmentation_benchmark_v0_normal";

struct Reference {
    std::size_t points = 0;
    std::map<std::int64_t, std::uint64_t> labels;
    QStringList firstLine;
};

// Independent of the production parser: Qt string splitting, the label as the 7th value.
Reference referenceOf(const QString& path) {
    Reference r;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return r;
    for (const QString& line : QString::fromLatin1(f.readAll()).split('\n')) {
        const QStringList v = line.split(' ', Qt::SkipEmptyParts);
        if (v.isEmpty()) continue;
        if (r.points == 0) r.firstLine = v;
        ++r.points;
        ++r.labels[std::llround(v[6].toDouble())];
    }
    return r;
}

// synset -> [first, last] global part id, from LABELS_shapenetpart.txt ("Table 04379243: 47-49").
std::map<QString, std::pair<int, int>> partRanges() {
    std::map<QString, std::pair<int, int>> ranges;
    QFile f(QString::fromStdString(test::sharedData("shapenetpart/LABELS_shapenetpart.txt").string()));
    if (!f.open(QIODevice::ReadOnly)) return ranges;
    const QRegularExpression re("(\\d{8}): (\\d+)-(\\d+)");
    auto it = re.globalMatch(QString::fromUtf8(f.readAll()));
    while (it.hasNext()) {
        const auto m = it.next();
        ranges[m.captured(1)] = {m.captured(2).toInt(), m.captured(3).toInt()};
    }
    return ranges;
}

}  // namespace

class TestShapeNetPart : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    fs::path root() const { return fs::path(dir_.path().toStdString()); }

    static std::string errorOf(const fs::path& p) { return test::readError(p); }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void officialLayoutWithPointsLabelFolder() {
        const fs::path pts = root() / "02691156/points/abc.pts";
        test::writeFile(pts, "0.1 0.2 0.3\n-0.5 0.25 0\n1 1 1\n");
        test::writeFile(root() / "02691156/points_label/abc.seg", "1\n3\n2\n");
        QCOMPARE(detectFormat(pts), SceneFormat::ShapeNetPartPts);
        const Scene s = readScene(pts);
        QCOMPARE(s.pointCount(), std::size_t(3));
        QCOMPARE(s.positions[1], Eigen::Vector3f(-0.5f, 0.25f, 0.0f));
        const auto* label = s.find(attr::kLabel)->data<std::int32_t>();
        QCOMPARE(label[0], 1);
        QCOMPARE(label[1], 3);
        QCOMPARE(label[2], 2);
        QCOMPARE(s.source.format, std::string("shapenetpart-pts"));
    }

    void segBesideThePts() {
        const fs::path pts = root() / "beside/x.pts";
        test::writeFile(pts, "0 0 0\r\n1 1 1\r\n");
        test::writeFile(root() / "beside/x.seg", "4\r\n5\r\n");
        const Scene s = readScene(pts);
        QCOMPARE(s.find(attr::kLabel)->data<std::int32_t>()[1], 5);
    }

    void countMismatchNamesTheSegFile() {
        const fs::path pts = root() / "few/points/a.pts";
        test::writeFile(pts, "0 0 0\n1 1 1\n2 2 2\n");
        test::writeFile(root() / "few/points_label/a.seg", "1\n2\n");
        const std::string fewer = errorOf(pts);
        QVERIFY2(fewer.find("a.seg") != std::string::npos && fewer.find("2 labels") != std::string::npos &&
                     fewer.find("3 points") != std::string::npos,
                 fewer.c_str());
        test::writeFile(root() / "few/points_label/a.seg", "1\n2\n3\n4\n");
        const std::string more = errorOf(pts);
        QVERIFY2(more.find("a.seg: line 4") != std::string::npos, more.c_str());
    }

    void malformedPtsAndSeg() {
        const fs::path pts = root() / "bad/b.pts";
        test::writeFile(pts, "0 0 0\n1 1\n");
        test::writeFile(root() / "bad/b.seg", "1\n2\n");
        std::string e = errorOf(pts);
        QVERIFY2(e.find("b.pts: line 2") != std::string::npos, e.c_str());
        test::writeFile(pts, "0 0 0\n1 1 1\n");
        test::writeFile(root() / "bad/b.seg", "1\n2.5\n");
        e = errorOf(pts);
        QVERIFY2(e.find("b.seg: line 2") != std::string::npos && e.find("'2.5'") != std::string::npos,
                 e.c_str());
        // Without any .seg it is not ShapeNetPart for detectFormat; the reader itself says what is missing.
        const fs::path lone = root() / "lone/c.pts";
        test::writeFile(lone, "0 0 0\n");
        QCOMPARE(detectFormat(lone), SceneFormat::Text);
        QVERIFY_THROWS_EXCEPTION(IoError, readShapeNetPartPts(lone, {}, {}));
    }

    void sharedNormalLayoutFiles() {
        const fs::path base = test::sharedData(kNormalRoot);
        if (!fs::is_directory(base)) QSKIP("shared ShapeNetPart data not available");
        const auto ranges = partRanges();
        QVERIFY(ranges.size() == 16);
        int files = 0;
        QDirIterator it(QString::fromStdString(base.string()), {"*.txt"}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            const QString synset = QFileInfo(path).dir().dirName();
            if (!ranges.count(synset)) continue;  // synsetoffset2category.txt and the like
            ++files;
            const Reference ref = referenceOf(path);
            const Scene s = readScene(path.toStdString());
            QCOMPARE(s.pointCount(), ref.points);
            QVERIFY(ref.points >= 2475 && ref.points <= 2794);
            QVERIFY(s.find(attr::kNormal));
            QCOMPARE(s.histogram(attr::kLabel), ref.labels);
            const auto [lo, hi] = ranges.at(synset);
            for (const auto& [label, count] : ref.labels) QVERIFY(label >= lo && label <= hi);
            QCOMPARE(s.positions[0].x(), ref.firstLine[0].toFloat());
            QCOMPARE(s.find(attr::kNormal)->data<float>()[2], ref.firstLine[5].toFloat());
        }
        QCOMPARE(files, 4);
    }
};

QTEST_GUILESS_MAIN(TestShapeNetPart)
#include "tst_shapenetpart.moc"
