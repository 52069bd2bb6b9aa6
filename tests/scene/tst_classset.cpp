// Shipped class sets and user class files: counts, ids and prompts as the datasets define them.
#include "core/common/Error.h"
#include "core/scene/ClassSet.h"
#include "tests/support/TestData.h"

#include <QTemporaryDir>
#include <QtTest>

#include <set>

using namespace s4;
namespace fs = std::filesystem;

class TestClassSet : public QObject {
    Q_OBJECT
private slots:
    void shippedSetsHaveTheDatasetsSizes() {
        QCOMPARE(builtinClassSet("scannet20").classes.size(), std::size_t(20));
        QCOMPARE(builtinClassSet("s3dis13").classes.size(), std::size_t(13));
        QCOMPARE(builtinClassSet("modelnet40").classes.size(), std::size_t(40));
        QCOMPARE(builtinClassSet("nyu40").classes.size(), std::size_t(40));
        const ClassSet parts = builtinClassSet("shapenetpart");
        QCOMPARE(parts.classes.size(), std::size_t(50));
        std::set<std::string> categories;
        for (const auto& c : parts.classes) categories.insert(c.category);
        QCOMPARE(categories.size(), std::size_t(16));
    }

    void idsMatchTheDatasetConventions() {
        const ClassSet scannet = builtinClassSet("scannet20");
        QCOMPARE(scannet.ignoreId, 0);
        // The ScanNet benchmark's 20 NYU40 ids.
        const int expected[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 24, 28, 33, 34, 36, 39};
        for (int i = 0; i < 20; ++i) QCOMPARE(scannet.classes[std::size_t(i)].id, expected[i]);
        QCOMPARE(scannet.byId(39)->prompt, std::string("other furniture"));
        QVERIFY(scannet.byId(13) == nullptr);
        // ShapeNetPart: Skateboard parts 44-46, Table 47-49 (LABELS_shapenetpart.txt).
        const ClassSet parts = builtinClassSet("shapenetpart");
        auto skate = parts.category("skateboard");
        QCOMPARE(skate.size(), std::size_t(3));
        QCOMPARE(skate.front().id, 44);
        QCOMPARE(parts.category("Table").back().id, 49);
        QCOMPARE(builtinClassSet("s3dis13").byId(12)->name, std::string("clutter"));
        QCOMPARE(builtinClassSet("semantickitti").byId(40)->name, std::string("road"));
        QCOMPARE(builtinClassSet("modelnet40").byId(22)->name, std::string("monitor"));
    }

    void userTextFiles() {
        QTemporaryDir dir;
        const fs::path plain = fs::path(dir.path().toStdString()) / "mine.txt";
        test::writeFile(plain, "# my classes\nchair\r\ncoffee table\n\n  lamp  \n");
        ClassSet a = loadClassSet(plain);
        QCOMPARE(a.classes.size(), std::size_t(3));
        QCOMPARE(a.classes[1].id, 1);
        QCOMPARE(a.classes[1].name, std::string("coffee table"));
        QCOMPARE(a.classes[2].name, std::string("lamp"));
        const fs::path withIds = fs::path(dir.path().toStdString()) / "ids.txt";
        test::writeFile(withIds, "5 wall\n7 floor mat\n");
        ClassSet b = resolveClassSet(withIds.string());
        QCOMPARE(b.byId(7)->name, std::string("floor mat"));
    }

    void badFilesAreClearErrors() {
        QTemporaryDir dir;
        const fs::path dup = fs::path(dir.path().toStdString()) / "dup.txt";
        test::writeFile(dup, "1 wall\n1 floor\n");
        QVERIFY_THROWS_EXCEPTION(IoError, loadClassSet(dup));
        const fs::path empty = fs::path(dir.path().toStdString()) / "empty.txt";
        test::writeFile(empty, "# nothing\n");
        QVERIFY_THROWS_EXCEPTION(IoError, loadClassSet(empty));
        const fs::path badJson = fs::path(dir.path().toStdString()) / "bad.json";
        test::writeFile(badJson, "{\"classes\": [{\"id\": \"x\"}]}");
        QVERIFY_THROWS_EXCEPTION(IoError, loadClassSet(badJson));
        test::writeFile(badJson, "{not json");
        QVERIFY_THROWS_EXCEPTION(IoError, loadClassSet(badJson));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, builtinClassSet("imagenet"));
    }
};

QTEST_GUILESS_MAIN(TestClassSet)
#include "tst_classset.moc"
