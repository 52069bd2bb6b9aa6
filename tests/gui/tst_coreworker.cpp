// The core worker runs tokenizations off the UI thread: results arrive through queued signals on the UI
// thread, a γ-only change is served from the superpoint cache, newer requests supersede older ones, and
// a cancelled job ends with cancelled() and no result. Needs no display.

#include "GuiTestSupport.h"
#include "TwoPlaneScene.h"
#include "core/common/Error.h"
#include "gui/CoreWorker.h"
#include "tests/support/TestData.h"

#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include <atomic>
#include <map>
#include <random>
#include <set>

using namespace s4;
using namespace s4::gui;

namespace {

constexpr int kGenerousMs = 120000;  // 2-core CI machines; the tests never assert on speed

TokenizationParams smallParams(double gamma) {
    TokenizationParams p;
    p.sampling.count = 48;
    p.sampling.gamma = gamma;
    p.grouping.groupSize = 16;
    return p;
}

std::shared_ptr<const TokenizationOutcome> outcomeOf(const QSignalSpy& spy, int i) {
    return spy.at(i).at(1).value<std::shared_ptr<const TokenizationOutcome>>();
}

// Several hundred thousand noisy points: the superpoint stage alone takes seconds.
std::shared_ptr<Scene> largeNoisyScene() {
    auto scene = std::make_shared<Scene>();
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0.f, 20.f), noise(-0.05f, 0.05f);
    for (int k = 0; k < 400000; ++k) scene->positions.emplace_back(u(rng), u(rng), noise(rng) + (k % 3));
    return scene;
}

}  // namespace

class TestCoreWorker : public QObject {
    Q_OBJECT
private slots:
    void deliversTokenizationOnTheUiThread() {
        CoreWorker worker;
        auto scene = test::twoPlaneScene();
        worker.setScene(scene);
        QThread* deliveredOn = nullptr;
        connect(&worker, &CoreWorker::tokenizationFinished, this,
                [&] { deliveredOn = QThread::currentThread(); });
        QSignalSpy finished(&worker, &CoreWorker::tokenizationFinished);
        QSignalSpy failed(&worker, &CoreWorker::failed);
        const quint64 id = worker.requestTokenization(smallParams(0.1));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() >= 1, kGenerousMs);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(1).toString()));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).value<quint64>(), id);
        QCOMPARE(deliveredOn, QThread::currentThread());

        const auto outcome = outcomeOf(finished, 0);
        QVERIFY(outcome);
        QCOMPARE(outcome->scene.get(), scene.get());
        const TokenizationResult& r = outcome->result;
        QVERIFY(r.superpoints && r.anchors && r.patches);
        QVERIFY(r.superpointsRecomputed);
        QCOMPARE(r.anchors->indices.size(), std::size_t(48));
        QCOMPARE(r.patches->count, std::size_t(48));
        // No superpoint spans the two planes (5 units apart, perpendicular normals).
        QVERIFY(r.superpoints->count >= 2);
        const std::int32_t* label = scene->find(attr::kLabel)->data<std::int32_t>();
        std::vector<std::int32_t> planeOf(r.superpoints->count, 0);
        for (std::size_t k = 0; k < scene->pointCount(); ++k) {
            std::int32_t& plane = planeOf[std::size_t(r.superpoints->labels[k])];
            if (plane == 0) plane = label[k];
            QCOMPARE(plane, label[k]);
        }
        // Every point gets a valid patch id or -1, and a point's patch lists it as a member.
        QCOMPARE(outcome->patchOfPoint.size(), scene->pointCount());
        for (std::size_t k = 0; k < scene->pointCount(); ++k) {
            const std::int32_t p = outcome->patchOfPoint[k];
            QVERIFY(p >= -1 && p < 48);
            if (p < 0) continue;
            bool listed = false;
            for (int m = 0; m < r.patches->groupSize; ++m) {
                const std::size_t slot = std::size_t(p) * r.patches->groupSize + m;
                listed |= r.patches->valid[slot] && r.patches->members[slot] == std::int32_t(k);
            }
            QVERIFY(listed);
        }
        // Superpoint-constrained patches on plane-pure superpoints are pure.
        QVERIFY(outcome->patchScores.has_value());
        QCOMPARE(outcome->patchScores->meanPurity, 1.0);
        QCOMPARE(outcome->patchScores->crossingPatches, std::size_t(0));
    }

    void changingOnlyGammaReusesTheSuperpoints() {
        CoreWorker worker;
        worker.setScene(test::twoPlaneScene());
        QSignalSpy finished(&worker, &CoreWorker::tokenizationFinished);
        QSignalSpy failed(&worker, &CoreWorker::failed);
        worker.requestTokenization(smallParams(0.1));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() >= 1, kGenerousMs);
        worker.requestTokenization(smallParams(0.7));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() >= 2, kGenerousMs);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(1).toString()));
        const auto first = outcomeOf(finished, 0), second = outcomeOf(finished, 1);
        QVERIFY(first->result.superpointsRecomputed);
        QVERIFY(!second->result.superpointsRecomputed);
        QCOMPARE(second->result.timings.superpointsMs, 0.0);
        QVERIFY(second->result.samplingRecomputed);
        QCOMPARE(second->result.superpoints.get(), first->result.superpoints.get());
        QCOMPARE(second->params.sampling.gamma, 0.7);
    }

    void newerRequestsSupersedeOlderOnes() {
        CoreWorker worker;
        worker.setScene(test::twoPlaneScene());
        QSignalSpy finished(&worker, &CoreWorker::tokenizationFinished);
        QSignalSpy cancelled(&worker, &CoreWorker::cancelled);
        // Issued back to back as a slider drag would: the superpoint stage of the first takes far longer
        // than issuing the next two, so only the last one may complete.
        const quint64 a = worker.requestTokenization(smallParams(0.1));
        const quint64 b = worker.requestTokenization(smallParams(0.2));
        const quint64 c = worker.requestTokenization(smallParams(0.3));
        QSignalSpy failed(&worker, &CoreWorker::failed);
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() >= 1, kGenerousMs);
        QVERIFY(failed.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(cancelled.count() >= 2, kGenerousMs);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).value<quint64>(), c);
        std::set<quint64> ids;
        for (const auto& args : cancelled) ids.insert(args.at(0).value<quint64>());
        QCOMPARE(ids, (std::set<quint64>{a, b}));
        QCOMPARE(outcomeOf(finished, 0)->params.sampling.gamma, 0.3);
    }

    void cancellingALongJobLeavesNoResult() {
        CoreWorker worker;
        worker.setScene(largeNoisyScene());
        QSignalSpy started(&worker, &CoreWorker::jobStarted);
        QSignalSpy finished(&worker, &CoreWorker::tokenizationFinished);
        QSignalSpy cancelled(&worker, &CoreWorker::cancelled);
        const quint64 id = worker.requestTokenization(TokenizationParams{});
        QTRY_VERIFY_WITH_TIMEOUT(started.count() == 1, kGenerousMs);
        worker.cancelAll();
        QTRY_VERIFY_WITH_TIMEOUT(cancelled.count() == 1, kGenerousMs);
        QCOMPARE(cancelled.at(0).at(0).value<quint64>(), id);
        QTest::qWait(300);  // anything still queued would arrive now
        QCOMPARE(finished.count(), 0);

        // The worker stays usable after a cancellation.
        worker.setScene(test::twoPlaneScene());
        const quint64 next = worker.requestTokenization(smallParams(0.1));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, kGenerousMs);
        QCOMPARE(finished.at(0).at(0).value<quint64>(), next);
    }

    void destroyingTheWorkerDuringAJobDoesNotCrash() {
        auto worker = std::make_unique<CoreWorker>();
        worker->setScene(largeNoisyScene());
        QSignalSpy started(worker.get(), &CoreWorker::jobStarted);
        worker->requestTokenization(TokenizationParams{});
        QTRY_VERIFY_WITH_TIMEOUT(started.count() == 1, kGenerousMs);
        worker.reset();  // cancels and joins
        QTest::qWait(100);
    }

    void tasksRunOnTheWorkerAndSupersedeTheirOwnChannel() {
        CoreWorker worker;
        QSignalSpy finished(&worker, &CoreWorker::taskFinished);
        QSignalSpy cancelled(&worker, &CoreWorker::cancelled);
        QSignalSpy failed(&worker, &CoreWorker::failed);
        QThread* ranOn = nullptr;
        // A task that waits until cancelled: blocks its channel's newer tasks only by being superseded.
        std::atomic<bool> blockerStarted{false};
        const quint64 blocker = worker.requestTask(1, [&](const Progress& progress) -> std::shared_ptr<void> {
            blockerStarted = true;
            for (;;) {
                progress.check();
                QThread::msleep(5);
            }
        });
        QTRY_VERIFY_WITH_TIMEOUT(blockerStarted.load(), kGenerousMs);
        const quint64 replacement = worker.requestTask(1, [&](const Progress&) -> std::shared_ptr<void> {
            ranOn = QThread::currentThread();
            return std::make_shared<int>(42);
        });
        const quint64 otherChannel = worker.requestTask(2, [](const Progress&) -> std::shared_ptr<void> {
            return std::make_shared<int>(7);
        });
        const quint64 failing = worker.requestTask(3, [](const Progress&) -> std::shared_ptr<void> {
            throw InvalidArgument("no such model");
        });
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2 && failed.count() == 1, kGenerousMs);
        QCOMPARE(cancelled.count(), 1);
        QCOMPARE(cancelled.at(0).at(0).toULongLong(), blocker);
        std::map<quint64, int> values;
        for (const auto& call : finished)
            values[call.at(0).toULongLong()] = *std::static_pointer_cast<int>(call.at(1).value<std::shared_ptr<void>>());
        QCOMPARE(values[replacement], 42);
        QCOMPARE(values[otherChannel], 7);
        QCOMPARE(failed.at(0).at(0).toULongLong(), failing);
        QVERIFY(failed.at(0).at(1).toString().contains("no such model"));
        QVERIFY(ranOn && ranOn != QThread::currentThread());
    }

    // The launcher's tokenization options are checked before any window opens (no display needed).
    void badTokenizationOptionsAreRejected() {
        test::StudioRun run = test::runStudio({"--gamma", "1.5", "--exit"}, kGenerousMs);
        QCOMPARE(run.code, 2);
        QVERIFY2(run.err.contains("--gamma"), qPrintable(run.err));
        run = test::runStudio({"--tokenizer", "octree", "--exit"}, kGenerousMs);
        QCOMPARE(run.code, 2);
        QVERIFY2(run.err.contains("octree"), qPrintable(run.err));
    }
};

S4_GUI_TEST_MAIN(TestCoreWorker)
#include "tst_coreworker.moc"
