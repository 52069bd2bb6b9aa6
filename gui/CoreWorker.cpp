#include "gui/CoreWorker.h"

#include "core/common/Error.h"
#include "core/common/Log.h"
#include "core/common/Progress.h"
#include "core/tokenize/PatchAssignment.h"
#include "core/tokenize/WeightedFarthestPointSampler.h"

#include <QMetaObject>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <deque>
#include <mutex>
#include <optional>
#include <span>

namespace s4::gui {

struct CoreJob {
    enum class Kind { SetScene, ReplaceScene, Tokenize, GammaSweep, Task };
    quint64 id = 0;
    Kind kind = Kind::Tokenize;
    std::shared_ptr<const Scene> scene;
    TokenizationParams params;
    bool withSuperpoints = true;
    std::string truth;           ///< Tokenize only: the ground-truth attribute for patch purity
    std::vector<double> gammas;  ///< GammaSweep only
    int channel = 0;             ///< Task only: tasks supersede others of their channel
    CoreWorker::TaskFunction task;
    CancelFlag cancel;
};

// Shared by the UI thread (which fills it) and the worker thread (which drains it).
class CoreWorkerQueue {
public:
    std::mutex mutex;
    std::deque<CoreJob> jobs;
    std::optional<CoreJob> running;  ///< a copy; its CancelFlag shares the state of the running job's
};

namespace {

// Runs on the worker thread; the only place the pipeline is touched.
class CoreExecutor : public QObject {
public:
    CoreExecutor(std::shared_ptr<CoreWorkerQueue> queue, CoreWorker* owner)
        : queue_(std::move(queue)), owner_(owner) {}

    // Serves the queue until it is empty. Posted once per request; surplus calls find nothing to do.
    void drain() {
        for (;;) {
            CoreJob job;
            {
                std::lock_guard lock(queue_->mutex);
                if (queue_->jobs.empty()) return;
                job = std::move(queue_->jobs.front());
                queue_->jobs.pop_front();
                queue_->running = job;
            }
            execute(job);
            std::lock_guard lock(queue_->mutex);
            queue_->running.reset();
        }
    }

private:
    // Signals are emitted on the UI thread: a queued call into the owner. If the owner is gone the call
    // is dropped by Qt together with the owner's pending events.
    template <class F>
    void post(F&& f) {
        QMetaObject::invokeMethod(owner_, std::forward<F>(f), Qt::QueuedConnection);
    }

    void execute(const CoreJob& job) {
        if (job.kind == CoreJob::Kind::SetScene) {
            pipeline_.setScene(job.scene);
            return;
        }
        if (job.kind == CoreJob::Kind::ReplaceScene) {
            using Reuse = TokenizationPipeline::StageReuse;
            const Reuse reuse = pipeline_.replaceSceneKeepingStages(job.scene);
            logger("gui")->debug("scene replaced; cached stages {}", reuse == Reuse::All ? "kept"
                                                                     : reuse == Reuse::None
                                                                         ? "dropped"
                                                                         : "kept except superpoints");
            return;
        }
        if (job.kind == CoreJob::Kind::GammaSweep) {
            executeSweep(job);
            return;
        }
        if (job.kind == CoreJob::Kind::Task) {
            executeTask(job);
            return;
        }
        executeTokenization(job);
    }

    // Runs one job on this thread: tells the UI it starts (or that it was cancelled while it waited),
    // forwards its progress, and posts its outcome. body(progress) does the work and returns the call
    // that emits the result; a cancellation or an error is posted instead. `what` names the job in the log.
    template <typename Body>
    void runJob(const CoreJob& job, const char* what, Body&& body) {
        CoreWorker* owner = owner_;
        const quint64 id = job.id;
        if (!beginJob(job)) return;
        const Progress progress = jobProgress(job);
        try {
            auto emitResult = body(progress);
            progress.check();
            post(std::move(emitResult));
        } catch (const Cancelled&) {
            logger("gui")->debug("{} {} cancelled", what, id);
            post([owner, id] { emit owner->cancelled(id); });
        } catch (const std::exception& e) {
            const QString message = QString::fromUtf8(e.what());
            logger("gui")->warn("{} {} failed: {}", what, id, e.what());
            post([owner, id, message] { emit owner->failed(id, message); });
        } catch (...) {
            // An exception escaping this thread would terminate the program.
            logger("gui")->error("{} {} failed with a non-standard exception", what, id);
            post([owner, id] { emit owner->failed(id, QObject::tr("unknown error")); });
        }
    }

    void executeTokenization(const CoreJob& job) {
        CoreWorker* owner = owner_;
        const quint64 id = job.id;
        runJob(job, "tokenization job", [&](const Progress& progress) {
            auto outcome = std::make_shared<TokenizationOutcome>();
            outcome->scene = pipeline_.scene();
            outcome->params = job.params;
            outcome->result = pipeline_.run(job.params, progress, job.withSuperpoints);
            progress.check();
            const Scene& scene = *outcome->scene;
            const Patches& patches = *outcome->result.patches;
            outcome->patchOfPoint = assignPointsToPatches(scene.positions, patches);
            const AttributeArray* label = job.truth.empty() ? nullptr : scene.find(job.truth);
            if (label && label->type() == ScalarType::Int32 && label->components() == 1 &&
                label->size() == scene.pointCount()) {
                // ScanNet / S3DIS convention: label 0 is "unannotated" and does not vote.
                outcome->patchScores = evaluatePatches(
                    patches.members, patches.valid, static_cast<std::size_t>(patches.groupSize),
                    std::span(label->data<std::int32_t>(), label->size()), 0);
            }
            std::shared_ptr<const TokenizationOutcome> done = std::move(outcome);
            return [owner, id, done] { emit owner->tokenizationFinished(id, done); };
        });
    }

    // Tells the UI a job starts, or that it was cancelled while it waited (then returns false).
    bool beginJob(const CoreJob& job) {
        CoreWorker* owner = owner_;
        const quint64 id = job.id;
        if (job.cancel.isCancelled()) {
            post([owner, id] { emit owner->cancelled(id); });
            return false;
        }
        post([owner, id] { emit owner->jobStarted(id); });
        return true;
    }

    // Progress of one job: forwarded to the UI as whole percents (core stages report far more often
    // than a progress bar can show), cancelled through the job's flag.
    Progress jobProgress(const CoreJob& job) {
        CoreWorker* owner = owner_;
        const quint64 id = job.id;
        auto lastPercent = std::make_shared<int>(-1);
        return Progress(
            [this, owner, id, lastPercent](double fraction) {
                const int percent = static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * 100));
                if (percent == *lastPercent) return;
                *lastPercent = percent;
                post([owner, id, fraction] { emit owner->progress(id, fraction); });
            },
            job.cancel.asCallback());
    }

    // γ sweep: superpoints from the pipeline's cache (computed once), then one WFPS run per γ. The runs
    // share the first index of the first one, so they differ only by γ.
    void executeSweep(const CoreJob& job) {
        CoreWorker* owner = owner_;
        const quint64 id = job.id;
        runJob(job, "gamma sweep job", [&](const Progress& progress) {
            auto outcome = std::make_shared<GammaSweepOutcome>();
            outcome->scene = pipeline_.scene();
            const double superpointShare = 0.5;
            outcome->superpoints =
                pipeline_.superpoints(job.params.superpoints, progress.sub(0.0, superpointShare));
            outcome->sampling = job.params.sampling;
            outcome->gammas = job.gammas;
            const double step = (1.0 - superpointShare) / double(std::max<std::size_t>(job.gammas.size(), 1));
            for (std::size_t g = 0; g < job.gammas.size(); ++g) {
                progress.check();
                WfpsParams sampling = outcome->sampling;
                sampling.gamma = job.gammas[g];
                const double from = superpointShare + step * double(g);
                outcome->anchors.push_back(
                    runWeightedFarthestPointSampling(outcome->scene->positions, outcome->superpoints->labels,
                                                     sampling, progress.sub(from, from + step)));
                if (g == 0 && !outcome->anchors.front().indices.empty())
                    outcome->sampling.firstIndex = outcome->anchors.front().indices.front();
            }
            std::shared_ptr<const GammaSweepOutcome> done = std::move(outcome);
            return [owner, id, done] { emit owner->gammaSweepFinished(id, done); };
        });
    }

    void executeTask(const CoreJob& job) {
        CoreWorker* owner = owner_;
        const quint64 id = job.id;
        runJob(job, "task", [&](const Progress& progress) {
            std::shared_ptr<void> result = job.task(progress);
            return [owner, id, result] { emit owner->taskFinished(id, result); };
        });
    }

    std::shared_ptr<CoreWorkerQueue> queue_;
    CoreWorker* owner_;
    TokenizationPipeline pipeline_;
};

}  // namespace

CoreWorker::CoreWorker(QObject* parent) : QObject(parent), queue_(std::make_shared<CoreWorkerQueue>()) {
    qRegisterMetaType<std::shared_ptr<const TokenizationOutcome>>();
    qRegisterMetaType<std::shared_ptr<const GammaSweepOutcome>>();
    qRegisterMetaType<std::shared_ptr<void>>();
    thread_ = new QThread(this);
    thread_->setObjectName("s4-core-worker");
    auto* executor = new CoreExecutor(queue_, this);
    executor->moveToThread(thread_);
    executor_ = executor;
    thread_->start();
}

CoreWorker::~CoreWorker() {
    // Destroyed with its panel (a QObject child), whose members are already gone: nothing this worker
    // says from here on (e.g. "cancelled" for queued jobs) may reach the panel's slots.
    blockSignals(true);
    cancelAll();
    thread_->quit();
    thread_->wait();
    // The thread has stopped, so the executor (and the pipeline) can be destroyed from here.
    delete executor_;
}

void CoreWorker::setScene(std::shared_ptr<const Scene> scene) {
    cancelAll();
    CoreJob job;
    job.kind = CoreJob::Kind::SetScene;
    job.scene = std::move(scene);
    enqueueSceneChange(std::move(job));
}

void CoreWorker::replaceScene(std::shared_ptr<const Scene> scene) {
    CoreJob job;
    job.kind = CoreJob::Kind::ReplaceScene;
    job.scene = std::move(scene);
    enqueueSceneChange(std::move(job));
}

void CoreWorker::enqueueSceneChange(CoreJob job) {
    job.id = ++lastId_;
    {
        std::lock_guard lock(queue_->mutex);
        queue_->jobs.push_back(std::move(job));
    }
    auto* executor = static_cast<CoreExecutor*>(executor_);
    QMetaObject::invokeMethod(
        executor, [executor] { executor->drain(); }, Qt::QueuedConnection);
}

quint64 CoreWorker::requestTokenization(const TokenizationParams& params, bool withSuperpoints,
                                        const std::string& truth) {
    CoreJob job;
    job.kind = CoreJob::Kind::Tokenize;
    job.params = params;
    job.withSuperpoints = withSuperpoints;
    job.truth = truth;
    return enqueue(std::move(job));
}

quint64 CoreWorker::requestGammaSweep(const TokenizationParams& params, const std::vector<double>& gammas) {
    CoreJob job;
    job.kind = CoreJob::Kind::GammaSweep;
    job.params = params;
    job.gammas = gammas;
    return enqueue(std::move(job));
}

quint64 CoreWorker::requestTask(int channel, TaskFunction fn) {
    CoreJob job;
    job.kind = CoreJob::Kind::Task;
    job.channel = channel;
    job.task = std::move(fn);
    return enqueue(std::move(job));
}

void CoreWorker::cancelChannel(int channel) {
    std::vector<quint64> dropped;
    {
        std::lock_guard lock(queue_->mutex);
        for (auto it = queue_->jobs.begin(); it != queue_->jobs.end();) {
            if (it->kind == CoreJob::Kind::Task && it->channel == channel) {
                dropped.push_back(it->id);
                it = queue_->jobs.erase(it);
            } else {
                ++it;
            }
        }
        if (queue_->running && queue_->running->kind == CoreJob::Kind::Task &&
            queue_->running->channel == channel)
            queue_->running->cancel.cancel();
    }
    for (quint64 id : dropped) emit cancelled(id);
}

quint64 CoreWorker::enqueue(CoreJob job) {
    job.id = ++lastId_;
    const CoreJob::Kind kind = job.kind;
    const int channel = job.channel;
    const quint64 id = job.id;
    if (kind == CoreJob::Kind::GammaSweep)
        lastSweepId_ = id;
    else if (kind == CoreJob::Kind::Tokenize)
        lastTokenizationId_ = id;
    auto sameKind = [kind, channel](const CoreJob& other) {
        return other.kind == kind && (kind != CoreJob::Kind::Task || other.channel == channel);
    };
    std::vector<quint64> superseded;
    {
        std::lock_guard lock(queue_->mutex);
        for (auto it = queue_->jobs.begin(); it != queue_->jobs.end();) {
            if (sameKind(*it)) {
                superseded.push_back(it->id);
                it = queue_->jobs.erase(it);
            } else {
                ++it;
            }
        }
        if (queue_->running && sameKind(*queue_->running)) queue_->running->cancel.cancel();
        queue_->jobs.push_back(std::move(job));
    }
    for (quint64 old : superseded) emit cancelled(old);
    auto* executor = static_cast<CoreExecutor*>(executor_);
    QMetaObject::invokeMethod(
        executor, [executor] { executor->drain(); }, Qt::QueuedConnection);
    return id;
}

void CoreWorker::cancelAll() {
    std::vector<quint64> dropped;
    {
        std::lock_guard lock(queue_->mutex);
        for (auto it = queue_->jobs.begin(); it != queue_->jobs.end();) {
            // Scene changes are kept: later jobs rely on them.
            if (it->kind != CoreJob::Kind::SetScene && it->kind != CoreJob::Kind::ReplaceScene) {
                dropped.push_back(it->id);
                it = queue_->jobs.erase(it);
            } else {
                ++it;
            }
        }
        if (queue_->running) queue_->running->cancel.cancel();
    }
    for (quint64 id : dropped) emit cancelled(id);
}

}  // namespace s4::gui
