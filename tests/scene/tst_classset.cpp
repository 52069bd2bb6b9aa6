// Shipped class sets and user class files: counts, ids and prompts as the datasets define them.
#include "core/common/Error.h"
#include "core/scene/ClassSet.h"
#include "tests/support/TestData.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
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
        test::ScratchFolder dir;
        const fs::path plain = dir.write("mine.txt", "# my classes\nchair\r\ncoffee table\n\n  lamp  \n");
        ClassSet a = loadClassSet(plain);
        QCOMPARE(a.classes.size(), std::size_t(3));
        QCOMPARE(a.classes[1].id, 1);
        QCOMPARE(a.classes[1].name, std::string("coffee table"));
        QCOMPARE(a.classes[2].name, std::string("lamp"));
        const fs::path withIds = dir.write("ids.txt", "5 wall\n7 floor mat\n");
        ClassSet b = resolveClassSet(withIds.string());
        QCOMPARE(b.byId(7)->name, std::string("floor mat"));
    }

    void badFilesAreClearErrors() {
        test::ScratchFolder dir;
        const fs::path dup = dir.write("dup.txt", "1 wall\n1 floor\n");
        QVERIFY_THROWS_EXCEPTION(IoError, loadClassSet(dup));
        const fs::path empty = dir.write("empty.txt", "# nothing\n");
        QVERIFY_THROWS_EXCEPTION(IoError, loadClassSet(empty));
        const fs::path badJson = dir.write("bad.json", "{\"classes\": [{\"id\": \"x\"}]}");
        QVERIFY_THROWS_EXCEPTION(IoError, loadClassSet(badJson));
        test::writeFile(badJson, "{not json");
        QVERIFY_THROWS_EXCEPTION(IoError, loadClassSet(badJson));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, builtinClassSet("imagenet"));
    }

    // Class files come from users: every malformed value is an IoError that names the file and the
    // place, never a JSON library exception, a wrapped id or unbounded reading.
    void hostileJsonIsRefusedWithThePlace() {
        test::ScratchFolder dir;
        const fs::path file = dir.write("set.json", "");
        const auto errorOf = [&](const std::string& text) -> std::string {
            test::writeFile(file, text);
            try {
                loadClassSet(file);
            } catch (const IoError& e) {
                return e.what();
            } catch (const std::exception& e) {
                return std::string("not an IoError: ") + e.what();
            }
            return "";
        };
        const auto refused = [&](const std::string& text, const std::string& expected) {
            const std::string e = errorOf(text);
            if (e.find("set.json") == std::string::npos || e.find(expected) == std::string::npos)
                qWarning("for %s: %s", text.c_str(), e.c_str());
            return e.find("set.json") != std::string::npos && e.find(expected) != std::string::npos;
        };
        QVERIFY(refused(R"({"classes": [{"id": 1, "name": "a", "prompt": 7}]})", "class 1: \"prompt\" must be a string"));
        QVERIFY(refused(R"({"name": 5, "classes": [{"id": 1, "name": "a"}]})", "\"name\" must be a string"));
        QVERIFY(refused(R"({"ignore_id": "x", "classes": [{"id": 1, "name": "a"}]})", "\"ignore_id\" must be an integer"));
        QVERIFY(refused(R"({"classes": [{"id": 1, "name": "a"}, {"id": 4294967297, "name": "b"}]})",
                        "class 2: \"id\" must be an integer from -1 to"));
        QVERIFY(refused(R"({"classes": [{"id": 1.5, "name": "a"}]})", "\"id\" must be an integer"));
        QVERIFY(refused(R"({"classes": [{"id": -1, "name": "a"}]})", "must not be negative"));
        QVERIFY(refused(R"({"classes": [{"id": 1}]})", "\"name\" is missing"));
        QVERIFY(refused(R"({"classes": [7]})", "class 1: must be an object"));
        QVERIFY(refused(R"({"classes": {"id": 1}})", "\"classes\" must be an array"));
        QVERIFY(refused(R"({"categories": [3]})", "category 1: must be an object"));
        QVERIFY(refused(R"({"categories": [{"category": 3, "classes": []}]})", "\"category\" must be a string"));
        QVERIFY(refused(R"({"classes": [{"id": 1, "name": "a", "name": "b"}]})", "repeats the key \"name\""));
        QVERIFY(refused(R"({"classes": [{"id": 1, "name": "a", "x": [[[[[[1]]]]]]}]})", "deeper than 8 levels"));
        QVERIFY(refused("{\n\"classes\": [\n{\"id\": 1,, }]}", "line 3: is not valid JSON"));
        // A category file as the shipped ShapeNetPart set is still read, with extra fields ignored.
        test::writeFile(file, R"({"categories": [{"category": "Mug", "classes": [{"id": 36, "name": "handle",
                                  "color": [1, 2, 3], "aliases": [["grip"]]}]}]})");
        const ClassSet parts = loadClassSet(file);
        QCOMPARE(parts.classes.size(), std::size_t(1));
        QCOMPARE(parts.classes[0].category, std::string("Mug"));
        QCOMPARE(parts.classes[0].prompt, std::string("handle"));

        // Text files: ids stay in range (the next id after the largest one must not wrap).
        const fs::path text = dir.write("set.txt", "2147483647 last\nnext\n");
        QVERIFY_THROWS_EXCEPTION(IoError, loadClassSet(text));
        test::writeFile(text, "1000000 last\nnext\n");
        QVERIFY_THROWS_EXCEPTION(IoError, loadClassSet(text));
        test::writeFile(text, "999999 last\nnext\n");
        QCOMPARE(loadClassSet(text).classes.back().id, 1000000);
        // A huge file is refused by its size, before it is read.
        {
            std::ofstream big(text, std::ios::binary);
            const std::string line(1023, 'x');
            for (int i = 0; i < 5 * 1024; ++i) big << line << '\n';
        }
        const std::string big = [&] {
            try {
                loadClassSet(text);
            } catch (const IoError& e) {
                return std::string(e.what());
            }
            return std::string();
        }();
        QVERIFY2(big.find("far larger than a class set") != std::string::npos, big.c_str());
    }
};

QTEST_GUILESS_MAIN(TestClassSet)
#include "tst_classset.moc"
