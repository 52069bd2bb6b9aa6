#include "tests/support/TestData.h"

#include "core/common/Error.h"

#include <QDir>
#include <QProcess>

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace s4::test {

std::filesystem::path sharedDataDir() { return std::filesystem::path(S4_SHARED_DATA_DIR); }

std::filesystem::path sharedData(const std::string& relative) { return sharedDataDir() / relative; }

bool sharedDataAvailable() { return std::filesystem::is_directory(sharedDataDir()); }

std::filesystem::path sourceDir() { return std::filesystem::path(S4_SOURCE_DIR); }

QString studioExecutable() { return QString::fromUtf8(S4_STUDIO_EXE); }

StudioRun runStudio(const QStringList& args, int timeoutMs) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_STATE_HOME", QDir::tempPath() + "/s4studio-test-state");
    p.setProcessEnvironment(env);
    p.start(studioExecutable(), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {-1, {}, "timed out"};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

StudioText runStudioText(const QStringList& args) {
    const StudioRun r = runStudio(args);
    return {r.code, r.out.toStdString(), r.err.toStdString()};
}

std::string readError(const std::filesystem::path& path, const ReadOptions& options) {
    try {
        readScene(path, options);
    } catch (const IoError& e) {
        return e.what();
    }
    return {};
}

void writeFile(const std::filesystem::path& path, const std::string& bytes) {
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write test file " + path.string());
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::filesystem::path ScratchFolder::file(const std::string& name) const {
    return std::filesystem::path(dir_.path().toStdString()) / std::filesystem::u8path(name);
}

std::filesystem::path ScratchFolder::write(const std::string& name, const std::string& bytes) const {
    const std::filesystem::path p = file(name);
    writeFile(p, bytes);
    return p;
}

} // namespace s4::test
