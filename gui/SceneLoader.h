#pragma once
// Reads a scene off the UI thread. load() starts s4::readScene on a worker (QtConcurrent); progress,
// the result and errors come back as signals delivered on the UI thread. cancel() sets the
// s4::CancelFlag that the reader polls. One load at a time: a new load cancels the running one, and
// results of a superseded load are dropped.

#include "core/io/SceneReader.h"
#include "core/scene/Scene.h"

#include <QFuture>
#include <QObject>
#include <QString>

#include <memory>

namespace s4::gui {

class SceneLoader : public QObject {
    Q_OBJECT
public:
    explicit SceneLoader(QObject* parent = nullptr);
    /// Cancels a running load and waits for its worker to stop.
    ~SceneLoader() override;

    /// Starts reading path with the given options.
    void load(const QString& path, const ReadOptions& options = {});
    bool isLoading() const { return loading_; }

public slots:
    /// Asks the running load to stop; it ends with cancelled().
    void cancel();

signals:
    void started(const QString& path);
    /// Fraction in [0, 1].
    void progress(double fraction);
    void loaded(std::shared_ptr<s4::Scene> scene);
    /// message is a full sentence naming the file (s4::Error::what()).
    void failed(const QString& path, const QString& message);
    void cancelled(const QString& path);

private:
    struct Job;
    void finish(quint64 generation, std::shared_ptr<s4::Scene> scene, const QString& error,
                bool wasCancelled);

    QFuture<void> future_;
    std::shared_ptr<Job> job_;
    quint64 generation_ = 0;
    bool loading_ = false;
    QString path_;
};

}  // namespace s4::gui
