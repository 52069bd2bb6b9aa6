// Atomic writes: the target changes only on commit; failures leave the old content and no litter.
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/common/Progress.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace s4;
namespace fs = std::filesystem;

static std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

static int entriesIn(const fs::path& dir) {
    int n = 0;
    for ([[maybe_unused]] auto& e : fs::directory_iterator(dir)) ++n;
    return n;
}

class TestAtomicFile : public QObject {
    Q_OBJECT
private slots:
    void commitReplacesTarget() {
        QTemporaryDir dir;
        fs::path target = fs::path(dir.path().toStdString()) / "labels.txt";
        { std::ofstream(target) << "old"; }
        {
            AtomicFileWriter w(target);
            w.write("new ");
            std::string big(3 << 20, 'x');  // larger than the internal buffer
            w.write(big.data(), big.size());
            QCOMPARE(slurp(target), std::string("old"));  // untouched until commit
            w.commit();
        }
        std::string content = slurp(target);
        QCOMPARE(content.size(), std::size_t(4 + (3 << 20)));
        QCOMPARE(content.substr(0, 4), std::string("new "));
        QCOMPARE(entriesIn(target.parent_path()), 1);
    }

    void abandonedWriteLeavesOldFileAndNoTemp() {
        QTemporaryDir dir;
        fs::path target = fs::path(dir.path().toStdString()) / "scene.ply";
        { std::ofstream(target) << "keep me"; }
        {
            AtomicFileWriter w(target);
            w.write("half-written");
        }  // destroyed without commit, as when an exception unwinds
        QCOMPARE(slurp(target), std::string("keep me"));
        QCOMPARE(entriesIn(target.parent_path()), 1);
    }

    void unwritableFolderIsAClearError() {
        try {
            AtomicFileWriter w("/nonexistent-folder-s4/x.ply");
            QFAIL("expected IoError");
        } catch (const IoError& e) {
            QVERIFY(std::string(e.what()).find("/nonexistent-folder-s4/x.ply") != std::string::npos);
        }
    }

    // A target that is a symbolic link: the file it points to gets the new content, the link stays.
    void symbolicLinkIsFollowed() {
        QTemporaryDir dir;
        const fs::path root(dir.path().toStdString());
        fs::create_directory(root / "real");
        const fs::path file = root / "real" / "labels.txt", link = root / "link.txt";
        { std::ofstream(file) << "old"; }
        fs::create_symlink(file, link);
        {
            AtomicFileWriter w(link);
            w.write("new");
            w.commit();
        }
        QVERIFY(fs::is_symlink(link));
        QCOMPARE(slurp(file), std::string("new"));
        QCOMPARE(entriesIn(root / "real"), 1);
        // A dangling link (relative, to a file not yet there) creates that file and stays a link.
        const fs::path dangling = root / "next.txt";
        fs::create_symlink(fs::path("real") / "next.txt", dangling);
        checkWritableTarget(dangling);
        {
            AtomicFileWriter w(dangling);
            w.write("first");
            w.commit();
        }
        QVERIFY(fs::is_symlink(dangling));
        QCOMPARE(slurp(root / "real" / "next.txt"), std::string("first"));
    }

    // checkWritableTarget refuses, before any work, what the writer would refuse after it.
    void writableTargetIsCheckedUpFront() {
        QTemporaryDir dir;
        const fs::path root(dir.path().toStdString());
        checkWritableTarget(root / "new.ply");  // a new file in an existing folder
        for (const fs::path& bad : {fs::path(), root, root / "missing" / "x.ply"}) {
            try {
                checkWritableTarget(bad);
                QFAIL(bad.c_str());
            } catch (const IoError& e) {
                const std::string what = e.what();
                QVERIFY2(what.find("no file name") != std::string::npos || what.find("is a folder") != std::string::npos ||
                             what.find("does not exist") != std::string::npos,
                         e.what());
            }
        }
        QVERIFY_THROWS_EXCEPTION(IoError, AtomicFileWriter(fs::path()));
        QCOMPARE(entriesIn(root), 0);
    }

    void progressSubRangesAndCancel() {
        std::vector<double> seen;
        CancelFlag flag;
        Progress p([&](double f) { seen.push_back(f); }, flag.asCallback());
        Progress half = p.sub(0.5, 1.0);
        half.report(0.5);
        QCOMPARE(seen.back(), 0.75);
        half.sub(0.0, 0.5).report(1.0);
        QCOMPARE(seen.back(), 0.75);
        QVERIFY(!half.cancelled());
        half.check();
        flag.cancel();
        QVERIFY(p.cancelled());
        QVERIFY_THROWS_EXCEPTION(Cancelled, half.check());
    }
};

QTEST_GUILESS_MAIN(TestAtomicFile)
#include "tst_atomicfile.moc"
