#pragma once
// One worker thread for the core stages the studio runs interactively (tokenization today). Jobs go into
// a queue served by an object living on a QThread; progress, results and errors come back as queued
// signals on the UI thread, so the UI never waits for core work. The worker owns the
// TokenizationPipeline and with it the stage cache (moving γ reruns sampling and grouping only).
//
// Coalescing: a new tokenization request removes queued older ones (reported as cancelled) and cancels
// the running one through its s4::CancelFlag, so dragging a slider never builds a backlog. γ sweeps
// coalesce the same way among themselves, independently of tokenizations.

#include "core/eval/PatchMetrics.h"
#include "core/pipeline/TokenizationPipeline.h"
#include "core/scene/Scene.h"

#include <QObject>
#include <QString>

#include "core/common/Progress.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class QThread;

namespace s4::gui {

/// A finished tokenization with what the studio shows about it.
struct TokenizationOutcome {
    std::shared_ptr<const Scene> scene;  ///< the scene it was computed on
    TokenizationParams params;
    TokenizationResult result;
    std::vector<std::int32_t> patchOfPoint;  ///< per point: displayed patch id or -1 (PatchAssignment.h)
    std::optional<PatchScores> patchScores;  ///< only when the scene has the requested ground truth
};

/// WFPS anchors for several γ on the same (cached) superpoints, all from the same first index.
struct GammaSweepOutcome {
    std::shared_ptr<const Scene> scene;  ///< the scene it was computed on
    WfpsParams sampling;                 ///< N, convention, seed, first index used; γ varies
    std::shared_ptr<const SuperpointPartition> superpoints;
    std::vector<double> gammas;
    std::vector<SampleSequence> anchors;  ///< one per entry of gammas
};

class CoreWorkerQueue;
struct CoreJob;

class CoreWorker : public QObject {
    Q_OBJECT
public:
    explicit CoreWorker(QObject* parent = nullptr);
    /// Cancels everything and joins the thread.
    ~CoreWorker() override;

    /// The scene later jobs run on. Cancels queued and running jobs (their results would be stale).
    void setScene(std::shared_ptr<const Scene> scene);
    /// Swaps in an edited copy of the scene (prompt labels added) through the queue, keeping the
    /// pipeline's cached stages where the copy allows (TokenizationPipeline::replaceSceneKeepingStages).
    /// Unlike setScene() nothing is cancelled: jobs already queued or running finish on the scene they
    /// started with (their outcome names it), later ones run on the new one.
    void replaceScene(std::shared_ptr<const Scene> scene);
    /// Queues a tokenization of the current scene; supersedes older tokenization requests. Returns the
    /// job id carried by the signals. withSuperpoints computes superpoints for kNN/ball too (display).
    /// Patch purity is measured against the integer attribute `truth` when the scene has it (the
    /// dataset's labels; empty: none, e.g. when "label" holds labels a tool assigned).
    quint64 requestTokenization(const TokenizationParams& params, bool withSuperpoints = true,
                                const std::string& truth = attr::kLabel);
    /// Queues WFPS runs for each γ (in [0, 1]) with the sampling parameters of params, on the superpoints
    /// of params.superpoints (cached by the pipeline: only WFPS runs per γ). Supersedes older sweeps.
    quint64 requestGammaSweep(const TokenizationParams& params, const std::vector<double>& gammas);
    /// Work of another panel (open-vocabulary model loading, scene encoding, prompt queries): fn runs on
    /// the worker thread with a Progress that reports to progress() and throws Cancelled when the job is
    /// cancelled; its result comes back through taskFinished(). A new task of the same channel
    /// supersedes queued and running ones of that channel, like tokenizations do among themselves.
    using TaskFunction = std::function<std::shared_ptr<void>(const Progress&)>;
    quint64 requestTask(int channel, TaskFunction fn);
    /// Cancels the running job and drops the queued ones.
    void cancelAll();
    /// Cancels the running and queued tasks of one channel only.
    void cancelChannel(int channel);
    /// Id of the newest tokenization requested so far (0 before any).
    quint64 latestJob() const { return lastTokenizationId_; }
    /// Id of the newest γ sweep requested so far (0 before any).
    quint64 latestGammaSweep() const { return lastSweepId_; }

signals:
    void jobStarted(quint64 job);
    /// Fraction in [0, 1] of the running job.
    void progress(quint64 job, double fraction);
    void tokenizationFinished(quint64 job, std::shared_ptr<const s4::gui::TokenizationOutcome> outcome);
    void gammaSweepFinished(quint64 job, std::shared_ptr<const s4::gui::GammaSweepOutcome> outcome);
    /// A task of requestTask() returned; result is what its function returned.
    void taskFinished(quint64 job, std::shared_ptr<void> result);
    /// message is a sentence from the core (s4::Error::what()).
    void failed(quint64 job, const QString& message);
    /// The job was superseded or cancelled before it produced a result.
    void cancelled(quint64 job);

private:
    /// Queues job, superseding queued and running jobs of the same kind; returns its id.
    quint64 enqueue(CoreJob job);
    /// Queues a scene change (kept by cancelAll()) behind the jobs already queued.
    void enqueueSceneChange(CoreJob job);

    QThread* thread_ = nullptr;
    std::shared_ptr<CoreWorkerQueue> queue_;
    QObject* executor_ = nullptr;  ///< lives on thread_
    quint64 lastId_ = 0;
    quint64 lastTokenizationId_ = 0;
    quint64 lastSweepId_ = 0;
};

}  // namespace s4::gui

Q_DECLARE_METATYPE(std::shared_ptr<const s4::gui::TokenizationOutcome>)
Q_DECLARE_METATYPE(std::shared_ptr<const s4::gui::GammaSweepOutcome>)
Q_DECLARE_METATYPE(std::shared_ptr<void>)
