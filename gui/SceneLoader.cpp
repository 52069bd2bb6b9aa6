#include "gui/SceneLoader.h"

#include "core/common/Error.h"
#include "core/common/Log.h"

#include <QMetaObject>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <new>

namespace s4::gui {

// State shared between the UI thread and one worker.
struct SceneLoader::Job {
    CancelFlag cancel;
    std::atomic<int> lastPermille{-1};
};

SceneLoader::SceneLoader(QObject* parent) : QObject(parent) {
    qRegisterMetaType<std::shared_ptr<s4::Scene>>("std::shared_ptr<s4::Scene>");
}

SceneLoader::~SceneLoader() {
    // The worker posts back to this object: it must be gone before we are.
    if (job_) job_->cancel.cancel();
    future_.waitForFinished();
}

void SceneLoader::load(const QString& path, const ReadOptions& options) {
    if (job_) job_->cancel.cancel();
    // Waiting here is short: the reader polls the cancel flag in its loops.
    future_.waitForFinished();
    const quint64 generation = ++generation_;
    job_ = std::make_shared<Job>();
    loading_ = true;
    path_ = path;
    emit started(path);
    emit progress(0.0);

    std::shared_ptr<Job> job = job_;
    future_ = QtConcurrent::run([this, job, generation, path, options] {
        // Progress crosses threads through queued invocations; reports are thinned to 0.1 % steps so a
        // reader calling report() per row cannot flood the event queue.
        Progress progressSink(
            [this, job, generation](double fraction) {
                const int permille = static_cast<int>(fraction * 1000.0);
                if (job->lastPermille.exchange(permille) == permille) return;
                QMetaObject::invokeMethod(
                    this,
                    [this, fraction, generation] {
                        if (generation == generation_) emit progress(fraction);  // not a superseded load's
                    },
                    Qt::QueuedConnection);
            },
            job->cancel.asCallback());
        std::shared_ptr<Scene> scene;
        QString error;
        bool wasCancelled = false;
        try {
            scene = std::make_shared<Scene>(readScene(path.toStdString(), options, progressSink));
        } catch (const Cancelled&) {
            wasCancelled = true;
        } catch (const std::bad_alloc&) {
            error = path + ": out of memory while reading.";
        } catch (const std::exception& e) {
            // s4::Error carries the full sentence; anything else is a bug, but must not kill the window.
            error = QString::fromStdString(e.what());
        } catch (...) {
            // Not even a std::exception: still end the load, or the window would stay busy forever.
            error = path + ": the reader failed with an unknown error.";
        }
        QMetaObject::invokeMethod(
            this,
            [this, generation, scene, error, wasCancelled] {
                finish(generation, scene, error, wasCancelled);
            },
            Qt::QueuedConnection);
    });
}

void SceneLoader::cancel() {
    if (job_ && loading_) job_->cancel.cancel();
}

void SceneLoader::finish(quint64 generation, std::shared_ptr<Scene> scene, const QString& error,
                         bool wasCancelled) {
    if (generation != generation_) return;  // a newer load superseded this one
    loading_ = false;
    // A reader that finished before it next polled the flag still honours the user's Cancel.
    if (error.isEmpty() && job_ && job_->cancel.isCancelled()) wasCancelled = true;
    if (wasCancelled) {
        logger("gui")->info("loading {} cancelled", path_.toStdString());
        emit cancelled(path_);
    } else if (!error.isEmpty()) {
        logger("gui")->error("{}", error.toStdString());
        emit failed(path_, error);
    } else {
        emit progress(1.0);
        emit loaded(std::move(scene));
    }
}

}  // namespace s4::gui
