#include "gui/SampleScene.h"

#include "core/common/Error.h"
#include "core/common/Log.h"
#include "core/common/Resources.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <filesystem>
#include <memory>

// s4gui is a static library: the linker drops the resource's self-registration unless something
// references it, so register it explicitly (Q_INIT_RESOURCE must be used outside any namespace).
static void registerStudioResources() {
    Q_INIT_RESOURCE(s4studio);
}

namespace s4::gui {
namespace {

bool sameContent(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.size() == bytes.size() && f.open(QIODevice::ReadOnly) && f.readAll() == bytes;
}

bool writeAtomically(const QString& path, const QByteArray& bytes) {
    QSaveFile out(path);
    return out.open(QIODevice::WriteOnly) && out.write(bytes) == bytes.size() && out.commit();
}

}  // namespace

// Two sources, in order. (1) The file on disk under s4::resourcesDirectory() ($S4STUDIO_RESOURCES,
// <prefix>/share/s4studio when installed, the source tree in a build tree): no copy, and a user or
// packager can swap it. (2) The copy compiled into the executable (Qt resource), written once to the
// user's cache because readers take file paths. The embedded copy is what makes this robust: a moved
// build folder, a relocated package or a start through a symlink can lose (1), never (2); it costs
// 1.5 MB in the binary.
QString sampleScenePath() {
    try {
        const std::filesystem::path onDisk = resourcesDirectory() / "scenes" / "sample_room.ply";
        if (std::filesystem::is_regular_file(onDisk)) return QString::fromStdString(onDisk.string());
    } catch (const Error&) {
        // No resources folder: fall through to the embedded copy.
    }
    registerStudioResources();
    QFile resource(kSampleSceneResource);
    if (!resource.open(QIODevice::ReadOnly)) {
        logger("gui")->error("the sample scene is missing from the executable's resources");
        return {};
    }
    const QByteArray bytes = resource.readAll();

    // The user's cache keeps one copy across runs; rewritten only if a newer build changed it.
    const QString cacheDir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    if (!cacheDir.isEmpty() && QDir().mkpath(cacheDir)) {
        const QString path = QDir(cacheDir).filePath("sample_room.ply");
        if (sameContent(path, bytes) || writeAtomically(path, bytes)) return path;
    }
    // No writable cache (read-only home, sandbox): a temporary folder living as long as the process.
    static std::unique_ptr<QTemporaryDir> tempDir;
    if (!tempDir) tempDir = std::make_unique<QTemporaryDir>();
    if (tempDir->isValid()) {
        const QString path = tempDir->filePath("sample_room.ply");
        if (sameContent(path, bytes) || writeAtomically(path, bytes)) return path;
    }
    logger("gui")->error("cannot write the sample scene to {} or a temporary folder", cacheDir.toStdString());
    return {};
}

}  // namespace s4::gui
