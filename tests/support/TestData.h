#pragma once
// Paths and small helpers shared by the test suites.

#include "core/io/SceneReader.h"

#include <QString>
#include <QTemporaryDir>
#include <QStringList>

#include <filesystem>
#include <string>

namespace s4::test {

/// ../shared/data beside the repository.
std::filesystem::path sharedDataDir();
/// A shared data file; QSKIP-worthy absence is reported by sharedDataAvailable().
std::filesystem::path sharedData(const std::string& relative);
bool sharedDataAvailable();
/// The repository root.
std::filesystem::path sourceDir();
/// The built s4studio executable.
QString studioExecutable();
/// Exit code (-1 timed out, -2 crashed), stdout and stderr of one s4studio run.
struct StudioRun {
    int code = -1;
    QString out;
    QString err;
};
/// Runs the built s4studio with args (logging to a temporary state folder, not the user's).
StudioRun runStudio(const QStringList& args, int timeoutMs = 300000);
/// The same run with stdout and stderr as UTF-8 std::strings (for JSON parsing and QVERIFY2 messages).
struct StudioText {
    int code = -1;
    std::string out;
    std::string err;
};
StudioText runStudioText(const QStringList& args);

/// The message of the s4::IoError that reading path throws, or "" if it reads.
std::string readError(const std::filesystem::path& path, const ReadOptions& options = {});

/// A temporary folder for one test suite, removed with it; write() puts a file in it.
class ScratchFolder {
public:
    bool isValid() const { return dir_.isValid(); }
    QString path() const { return dir_.path(); }
    /// The path of the file `name` (UTF-8) in the folder; nothing is created.
    std::filesystem::path file(const std::string& name) const;
    /// Writes bytes to the file `name` (UTF-8) in the folder and returns its path.
    std::filesystem::path write(const std::string& name, const std::string& bytes) const;

private:
    QTemporaryDir dir_;
};

/// The bytes of a file ("" if it cannot be read).
std::string readFile(const std::filesystem::path& path);

/// Writes bytes to a file (creating folders), replacing it.
void writeFile(const std::filesystem::path& path, const std::string& bytes);

} // namespace s4::test
