// S3DIS rooms: a tiny hand-made Area_1/office_1 with known classes, instances, colours and point order;
// both the room folder and its Annotations/ folder; progress per file and cancellation; the stray
// control character quirk (skipped with a note naming file and line); unknown classes and malformed lines.
#include "core/common/Error.h"
#include "core/io/SceneReader.h"
#include "tests/support/TestData.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace s4;
namespace fs = std::filesystem;

class TestS3dis : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    fs::path root() const { return fs::path(dir_.path().toStdString()); }

    // Files written in an unsorted order on purpose: the reader must sort them.
    fs::path makeRoom(const std::string& name) {
        const fs::path room = root() / "Area_1" / name;
        test::writeFile(room / "Annotations/wall_1.txt", "0 0 0 10 20 30\n0 1 0 11 21 31\n0 2 0 12 22 32\n");
        test::writeFile(room / "Annotations/chair_2.txt", "5.5 1.25 0.5 200 100 50\n");
        test::writeFile(room / "Annotations/ceiling_1.txt", "1 1 3 255 255 255\r\n2 2 3 254 254 254\r\n");
        test::writeFile(room / "Annotations/stairs_1.txt", "9 9 1 1 2 3\n");
        test::writeFile(room / (name + ".txt"), "ignored: the room's own merged file\n");
        return room;
    }

    static std::string errorOf(const fs::path& p) { return test::readError(p); }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void tinyRoomHasKnownLabelsAndInstances() {
        const fs::path room = makeRoom("office_1");
        QCOMPARE(detectFormat(room), SceneFormat::S3disRoom);
        const Scene s = readScene(room);
        QCOMPARE(s.source.format, std::string("s3dis"));
        QCOMPARE(s.pointCount(), std::size_t(7));
        // Sorted: ceiling_1 (2 points), chair_2 (1), stairs_1 (1), wall_1 (3).
        const std::vector<int> labels{0, 0, 8, 12, 2, 2, 2};
        const std::vector<int> instances{0, 0, 1, 2, 3, 3, 3};
        const auto* l = s.find(attr::kLabel)->data<std::int32_t>();
        const auto* in = s.find(attr::kInstance)->data<std::int32_t>();
        for (std::size_t i = 0; i < 7; ++i) {
            QCOMPARE(l[i], labels[i]);
            QCOMPARE(in[i], instances[i]);
        }
        QCOMPARE(s.positions[2], Eigen::Vector3f(5.5f, 1.25f, 0.5f));
        const auto* rgb = s.find(attr::kColor)->data<std::uint8_t>();
        QCOMPARE(int(rgb[3 * 2 + 0]), 200);
        QCOMPARE(int(rgb[3 * 6 + 2]), 32);
        bool stairsNoted = false;
        for (const auto& n : s.source.notes)
            stairsNoted = stairsNoted || n.find("stairs") != std::string::npos;
        QVERIFY(stairsNoted);
    }

    void annotationsFolderReadsTheSame() {
        const fs::path room = makeRoom("office_2");
        const Scene a = readScene(room);
        const Scene b = readScene(room / "Annotations");
        const Scene c = readScene((room / "Annotations").string() + "/");
        QVERIFY(a.positions == b.positions);
        QCOMPARE(a.histogram(attr::kLabel), b.histogram(attr::kLabel));
        QVERIFY(a.positions == c.positions);
    }

    void progressPerFileAndCancellation() {
        const fs::path room = makeRoom("office_3");
        std::vector<double> reports;
        readScene(room, {}, Progress([&](double f) { reports.push_back(f); }));
        QVERIFY(reports.size() >= 4);  // one per annotation file at least
        QVERIFY(std::is_sorted(reports.begin(), reports.end()));
        QCOMPARE(reports.back(), 1.0);
        CancelFlag flag;
        flag.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, readScene(room, {}, Progress([](double) {}, flag.asCallback())));
    }

    void strayControlCharacterLineIsSkippedWithANote() {
        const fs::path room = root() / "Area_5/hallway_6";
        test::writeFile(room / "Annotations/ceiling_1.txt", "1 1 3 1 2 3\n1 2 3\x10 4 5 6\n2 2 3 7 8 9\n");
        const Scene s = readScene(room);
        QCOMPARE(s.pointCount(), std::size_t(2));
        QCOMPARE(s.positions[1], Eigen::Vector3f(2, 2, 3));
        bool noted = false;
        for (const auto& n : s.source.notes)
            noted = noted || (n.find("ceiling_1.txt line 2") != std::string::npos &&
                              n.find("\\x10") != std::string::npos);
        QVERIFY(noted);
    }

    void unknownClassNamesTheFile() {
        const fs::path room = root() / "Area_2/office_9";
        test::writeFile(room / "Annotations/wall_1.txt", "0 0 0 1 2 3\n");
        test::writeFile(room / "Annotations/lamp_1.txt", "0 0 0 1 2 3\n");
        const std::string e = errorOf(room);
        QVERIFY2(e.find("lamp_1.txt") != std::string::npos && e.find("'lamp'") != std::string::npos,
                 e.c_str());
    }

    void malformedLinesNameFileAndLine() {
        const fs::path room = root() / "Area_3/office_1";
        test::writeFile(room / "Annotations/door_1.txt", "0 0 0 1 2 3\n0 0 0 1 2\n");
        std::string e = errorOf(room);
        QVERIFY2(e.find("door_1.txt: line 2") != std::string::npos, e.c_str());
        test::writeFile(room / "Annotations/door_1.txt", "0 0 0 1 2 3\n0 0 x 1 2 3\n");
        e = errorOf(room);
        QVERIFY2(e.find("door_1.txt: line 2") != std::string::npos && e.find("'x'") != std::string::npos,
                 e.c_str());
        test::writeFile(room / "Annotations/door_1.txt", "0 0 0 1 2 300\n");
        e = errorOf(room);
        QVERIFY2(e.find("door_1.txt: line 1") != std::string::npos && e.find("'300'") != std::string::npos,
                 e.c_str());
        test::writeFile(room / "Annotations/door_1.txt", "");
        e = errorOf(room);
        QVERIFY2(e.find("no points") != std::string::npos, e.c_str());
        const fs::path empty = root() / "Area_3/office_2/Annotations";
        fs::create_directories(empty);
        e = errorOf(empty);
        QVERIFY2(e.find("Annotations") != std::string::npos && e.find("no <class>") != std::string::npos,
                 e.c_str());
    }
};

QTEST_GUILESS_MAIN(TestS3dis)
#include "tst_s3dis.moc"
