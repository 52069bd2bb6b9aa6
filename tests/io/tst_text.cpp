// Text point clouds (XYZ/TXT/CSV/PTS): every column-guessing rule, header lines, the explicit column
// spec, separators and line endings, count lines, large coordinates, NaN dropping, and malformed files
// answered with an IoError naming the file, the line and the offending value.
#include "core/common/Error.h"
#include "core/io/FormatReaders.h"
#include "core/io/SceneReader.h"
#include "tests/support/TestData.h"

#include <QFile>
#include <QtTest>

#include <cmath>

using namespace s4;
namespace fs = std::filesystem;

#define EXPECT_IO_ERROR(...)                                   \
    do {                                                       \
        const std::string problem = errorProblem(__VA_ARGS__); \
        QVERIFY2(problem.empty(), problem.c_str());            \
    } while (0)

namespace {

bool hasNote(const Scene& s, const std::string& text) {
    for (const auto& n : s.source.notes)
        if (n.find(text) != std::string::npos) return true;
    return false;
}

std::string notes(const Scene& s) {
    std::string out;
    for (const auto& n : s.source.notes) out += n + " | ";
    return out;
}

}  // namespace

class TestText : public QObject {
    Q_OBJECT

    test::ScratchFolder dir_;
    fs::path write(const std::string& name, const std::string& bytes) { return dir_.write(name, bytes); }

    Scene read(const std::string& name, const std::string& bytes, const std::string& columns = "") {
        ReadOptions o;
        o.columns = columns;
        return readScene(write(name, bytes), o);
    }

    // Reads a file that must fail. Returns what is wrong with the outcome (empty if the IoError names
    // the file and holds every fragment).
    std::string errorProblem(const std::string& name, const std::string& bytes,
                             const std::vector<std::string>& fragments, const std::string& columns = "") {
        const fs::path p = write(name, bytes);
        ReadOptions o;
        o.columns = columns;
        try {
            readScene(p, o);
        } catch (const IoError& e) {
            const std::string msg = e.what();
            if (msg.find(p.filename().string()) == std::string::npos) return "no file name in: " + msg;
            for (const auto& f : fragments)
                if (msg.find(f) == std::string::npos) return "'" + f + "' missing in: " + msg;
            return {};
        }
        return name + ": the malformed file was accepted";
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void threeColumnsAreXyz() {
        const Scene s = read("a.xyz", "1 2 3\n4.5 -5 6e1\n");
        QCOMPARE(s.pointCount(), std::size_t(2));
        QCOMPARE(s.positions[1], Eigen::Vector3f(4.5f, -5.0f, 60.0f));
        QVERIFY(s.attributes().empty());
        QCOMPARE(s.source.format, std::string("text"));
        QVERIFY2(hasNote(s, "columns guessed as x y z"), notes(s).c_str());
        QVERIFY(s.offset.isZero());
    }

    void fourColumnsAddIntensity() {
        const Scene s = read("b.txt", "0 0 0 0.25\n1 1 1 17\n");
        QVERIFY(s.find(attr::kIntensity));
        QCOMPARE(s.find(attr::kIntensity)->data<float>()[0], 0.25f);
        QCOMPARE(s.find(attr::kIntensity)->data<float>()[1], 17.0f);
        QVERIFY(hasNote(s, "columns guessed as x y z intensity"));
    }

    void sixIntegerColumnsAreColours() {
        const Scene s = read("c.xyz", "0 0 0 255 128 0\n1 1 1 10 20 30\n");
        const auto* rgb = s.find(attr::kColor);
        QVERIFY(rgb && !s.find(attr::kNormal));
        const auto* c = rgb->data<std::uint8_t>();
        QCOMPARE(int(c[0]), 255);
        QCOMPARE(int(c[1]), 128);
        QCOMPARE(int(c[5]), 30);
        QVERIFY(hasNote(s, "columns guessed as x y z r g b"));
    }

    void sixUnitFloatColumnsAreScaledColours() {
        const Scene s = read("d.xyz", "0 0 0 1.0 0.5 0\n1 1 1 0.2 0.2 0.25\n");
        const auto* c = s.find(attr::kColor)->data<std::uint8_t>();
        QCOMPARE(int(c[0]), 255);
        QCOMPARE(int(c[1]), 128);  // round(127.5)
        QCOMPARE(int(c[2]), 0);
        QCOMPARE(int(c[5]), 64);  // round(63.75)
        QVERIFY(hasNote(s, "0..1"));
    }

    void sixUnitVectorColumnsAreNormals() {
        // (0,0,1) would also pass as integer colours; unit length on every row wins.
        const Scene s = read("e.xyz", "0 0 0 0 0 1\n1 0 0 0.6 0.8 0\n2 0 0 0 0 0\n");
        QVERIFY(s.find(attr::kNormal) && !s.find(attr::kColor));
        const float* n = s.find(attr::kNormal)->data<float>();
        QCOMPARE(n[3], 0.6f);
        QCOMPARE(n[4], 0.8f);
        QVERIFY(hasNote(s, "columns guessed as x y z nx ny nz"));
    }

    void sixteenBitColoursAreScaled() {
        const Scene s = read("x16.txt", "0 0 0 65535 257 0\n", "x y z r g b");
        const auto* c = s.find(attr::kColor)->data<std::uint8_t>();
        QCOMPARE(int(c[0]), 255);
        QCOMPARE(int(c[1]), 1);
        QVERIFY(hasNote(s, "16-bit"));
    }

    void sixColumnsNeitherColourNorUnitAreNormals() {
        const Scene s = read("f.xyz", "0 0 0 -0.5 2 3\n1 1 1 0.1 0.1 0.1\n");
        QVERIFY(s.find(attr::kNormal) && !s.find(attr::kColor));
    }

    void sevenColumnsShapeNetPartWithFloatLabels() {
        const Scene s = read("g.txt",
                             "0.24 0.11 -0.16 -0.7734 0.5287 0.3496 47.000000\n"
                             "-0.24 0.006 0.014 -0.1174 0.8432 -0.5246 48.000000\n");
        QVERIFY(s.find(attr::kNormal));
        QCOMPARE(s.find(attr::kLabel)->type(), ScalarType::Int32);
        QCOMPARE(s.find(attr::kLabel)->data<std::int32_t>()[0], 47);
        QCOMPARE(s.find(attr::kLabel)->data<std::int32_t>()[1], 48);
        QVERIFY2(hasNote(s, "columns guessed as x y z nx ny nz label"), notes(s).c_str());
    }

    void sevenColumnsWithFractionalLastAreColoursAndIntensity() {
        const Scene s = read("h.txt", "0 0 0 200 100 50 0.75\n1 1 1 1 2 3 0.5\n");
        QVERIFY(s.find(attr::kColor) && s.find(attr::kIntensity) && !s.find(attr::kLabel));
        QCOMPARE(s.find(attr::kIntensity)->data<float>()[0], 0.75f);
        QVERIFY2(hasNote(s, "columns guessed as x y z r g b intensity"), notes(s).c_str());
    }

    void nineColumnsColoursThenNormals() {
        const Scene s = read("i.txt", "0 0 0 9 8 7 0 1 0\n1 1 1 4 5 6 1 0 0\n");
        QCOMPARE(int(s.find(attr::kColor)->data<std::uint8_t>()[0]), 9);
        QCOMPARE(s.find(attr::kNormal)->data<float>()[1], 1.0f);
        QVERIFY2(hasNote(s, "columns guessed as x y z r g b nx ny nz"), notes(s).c_str());
    }

    void otherCountsBecomeNamedScalarFields() {
        const Scene s = read("j.txt", "0 0 0 1.5 2.5\n1 1 1 3.5 4.5\n");
        QVERIFY(s.find("column_4") && s.find("column_5"));
        QCOMPARE(s.find("column_5")->data<float>()[1], 4.5f);
    }

    void headerLineNamesColumns() {
        const Scene s = read("k.txt", "x y z red green blue label\n1 2 3 10 20 30 5\n");
        QCOMPARE(s.pointCount(), std::size_t(1));
        QCOMPARE(int(s.find(attr::kColor)->data<std::uint8_t>()[2]), 30);
        QCOMPARE(s.find(attr::kLabel)->data<std::int32_t>()[0], 5);
        QVERIFY2(hasNote(s, "header on line 1"), notes(s).c_str());
    }

    void cloudCompareCommentHeaderWithCsv() {
        const Scene s = read("l.csv", "//X,Y,Z,R,G,B,Scalar field\n1.5,2,3,0,0,255,0.5\n4,5,6,1,1,1,2\n");
        QCOMPARE(s.pointCount(), std::size_t(2));
        QCOMPARE(s.positions[0].x(), 1.5f);
        QCOMPARE(int(s.find(attr::kColor)->data<std::uint8_t>()[2]), 255);
        QVERIFY(s.find("Scalar_field"));
        QCOMPARE(s.find("Scalar_field")->data<float>()[1], 2.0f);
    }

    void ordinaryCommentIsNotAHeader() {
        const Scene s = read("m.xyz", "# made by tool\n1 2 3\n");
        QVERIFY(hasNote(s, "columns guessed as x y z"));
    }

    void explicitColumnSpec() {
        const Scene s = read("n.txt", "7 1 2 3 0.5 9\n8 4 5 6 0.25 10\n", "skip x y z curvature instance");
        QCOMPARE(s.positions[1], Eigen::Vector3f(4, 5, 6));
        QCOMPARE(s.find("curvature")->data<float>()[0], 0.5f);
        QCOMPARE(s.find(attr::kInstance)->data<std::int32_t>()[1], 10);
        QVERIFY(!s.find("skip"));
        const Scene t = read("o.csv", "a,b,c,d,e,f,g\n1,2,3,4,5,6,7\n", "x,y,z,r,g,b,label");
        QCOMPARE(t.find(attr::kLabel)->data<std::int32_t>()[0], 7);
        QCOMPARE(int(t.find(attr::kColor)->data<std::uint8_t>()[0]), 4);
        QVERIFY(hasNote(t, "header line 1 ignored"));
    }

    void badColumnSpecIsInvalidArgument() {
        const fs::path p = write("p.xyz", "1 2 3\n");
        ReadOptions o;
        o.columns = "x,y";
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, readScene(p, o));
        o.columns = "x y z r";
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, readScene(p, o));
        o.columns = "x y z x";
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, readScene(p, o));
    }

    void separatorsAndLineEndings() {
        const Scene s = read("q.txt", "1\t2\t3\r\n4;5;6\n7, 8 ,9\r10 11 12\r\n\r\n   \n13  14\t 15");
        QCOMPARE(s.pointCount(), std::size_t(5));
        QCOMPARE(s.positions[2], Eigen::Vector3f(7, 8, 9));
        QCOMPARE(s.positions[3], Eigen::Vector3f(10, 11, 12));
        QCOMPARE(s.positions[4], Eigen::Vector3f(13, 14, 15));
    }

    void countLineIsValidated() {
        const Scene s = read("r.pts", "3\n1 2 3\n4 5 6\n7 8 9\n");
        QCOMPARE(s.pointCount(), std::size_t(3));
        EXPECT_IO_ERROR("s.pts", "5\n1 2 3\n4 5 6\n", {"line 1", "5 points", "2 point lines"});
        // A lying huge count must not be trusted for allocation.
        EXPECT_IO_ERROR("t.pts", "1000000000000\n1 2 3\n", {"line 1"});
    }

    void leicaPtsWithCountLine() {
        const Scene s = read("u.pts", "2\n1 2 3 -120 255 0 10\n4 5 6 33 0 128 20\n");
        QCOMPARE(s.find(attr::kIntensity)->data<float>()[0], -120.0f);
        QCOMPARE(int(s.find(attr::kColor)->data<std::uint8_t>()[4]), 128);
        QVERIFY2(hasNote(s, "columns guessed as x y z intensity r g b"), notes(s).c_str());
    }

    void largeCoordinatesGoToOffset() {
        const Scene s = read("v.xyz", "500000.25 4000000.5 12.0\n500001.75 4000002.5 13.0\n");
        QCOMPARE(s.offset, Eigen::Vector3d(500000.0, 4000001.0, 12.0));  // the first point rounded
        QCOMPARE(s.positions[0], Eigen::Vector3f(0.25f, -0.5f, 0.0f));
        QCOMPARE(s.positions[1], Eigen::Vector3f(1.75f, 1.5f, 1.0f));  // exact: no float cancellation
        QCOMPARE(s.bounds().max.x(), 500001.75);
        QVERIFY(hasNote(s, "offset"));
    }

    void nanCoordinatesAreDroppedAndCounted() {
        const Scene s = read("w.xyz", "1 2 3 1\nnan 5 6 2\n7 8 inf 3\n10 11 12 4\n");
        QCOMPARE(s.pointCount(), std::size_t(2));
        QCOMPARE(s.source.droppedNonFinite, std::uint64_t(2));
        QCOMPARE(s.find(attr::kIntensity)->data<float>()[1], 4.0f);  // attributes stay aligned
    }

    void utf8FileName() {
        const Scene s = read("Wohnzimmer_ß_点云.xyz", "0 0 0\n1 1 1\n");
        QCOMPARE(s.pointCount(), std::size_t(2));
    }

    void malformedFiles() {
        EXPECT_IO_ERROR("empty.xyz", "", {"no points"});
        EXPECT_IO_ERROR("comments.xyz", "# x y z\n// nothing\n\n", {"no points"});
        EXPECT_IO_ERROR("change.xyz", "1 2 3 4\n5 6 7 8\n9 10 11\n",
                        {"line 3", "3 values", "line 1 holds 4"});
        EXPECT_IO_ERROR("token.xyz", "1 2 3\n4 5 6\n7 eight 9\n", {"line 3", "'eight'"});
        EXPECT_IO_ERROR("emptyfield.csv", "1,2,3\n4,,6\n", {"line 2", "''"});
        EXPECT_IO_ERROR("short.xyz", "1 2\n", {"line 1", "three"});
        EXPECT_IO_ERROR("header.txt", "x y z r\n1 2 3 4\n", {"line 1"});
        EXPECT_IO_ERROR("header2.txt", "x y z\n1 2 3 4\n", {"line 1", "names 3"});
        EXPECT_IO_ERROR("spec.txt", "1 2 3 4\n", {"line 1", "names 3"}, "x y z");
        EXPECT_IO_ERROR("label.txt", "1 2 3 4\n1 2 3 4.5\n", {"line 2", "4.5"}, "x y z label");
        EXPECT_IO_ERROR("colour.txt", "1 2 3 4 5 6\n\n1 2 3 4 5 -6\n", {"line 3", "-6"}, "x y z r g b");
        EXPECT_IO_ERROR("nul.xyz", std::string("1 2 3\n4 5\0 6\n", 12), {"byte 9", "binary"});
        EXPECT_IO_ERROR("binary.xyz", std::string("1 2 3\n\x01\x02\xff\xfe 5 6\n", 15), {"line 2", "\\x01"});
    }

    void cancellationStopsReading() {
        std::string big;
        for (int i = 0; i < 70000; ++i) big += "1 2 3\n";
        const fs::path p = write("big.xyz", big);
        CancelFlag flag;
        flag.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, readScene(p, {}, Progress([](double) {}, flag.asCallback())));
    }

    void open3dBunnyPts() {
        const fs::path p = test::sharedData("open3d_test_data/bunnyData.pts");
        if (!fs::exists(p)) QSKIP("shared data (open3d_test_data/bunnyData.pts) not available");
        // Independent reference: the count line and the first/last points, read with Qt.
        QFile f(QString::fromStdString(p.string()));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromLatin1(f.readAll()).split('\n', Qt::SkipEmptyParts);
        const int declared = lines[0].trimmed().toInt();
        const QStringList first = lines[1].trimmed().split(' ');
        const QStringList last = lines.last().trimmed().split(' ');
        const Scene s = readScene(p);
        QCOMPARE(declared, 30571);
        QCOMPARE(s.pointCount(), std::size_t(declared));
        QCOMPARE(s.positions.front().x(), first[0].toFloat());
        QCOMPARE(s.positions.back().z(), last[2].toFloat());
        QVERIFY(hasNote(s, "point count line 1"));
    }
};

QTEST_GUILESS_MAIN(TestText)
#include "tst_text.moc"
