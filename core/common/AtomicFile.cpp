#include "core/common/AtomicFile.h"

#include "core/common/Error.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace s4 {
namespace {
constexpr std::size_t kBufferSize = 1 << 20;
}

namespace {

// The file a chain of symbolic links ends at (which need not exist yet); the path itself otherwise.
std::filesystem::path followLinks(std::filesystem::path path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    for (int hops = 0; hops < 40 && fs::is_symlink(path, ec); ++hops) {
        const fs::path to = fs::read_symlink(path, ec);
        if (ec) break;
        path = to.is_absolute() ? to : path.parent_path() / to;
    }
    return path;
}

}  // namespace

void checkWritableTarget(const std::filesystem::path& target) {
    namespace fs = std::filesystem;
    if (target.empty()) throw IoError("output", "no file name given");
    std::error_code ec;
    const fs::path real = followLinks(target);
    if (fs::is_directory(real, ec)) throw IoError(target.string(), "is a folder, not a file");
    const fs::path folder = real.parent_path().empty() ? fs::path(".") : real.parent_path();
    if (!fs::is_directory(folder, ec))
        throw IoError(target.string(), "the folder " + folder.string() + " does not exist");
    if (::access(folder.c_str(), W_OK) != 0)
        throw IoError(target.string(), "cannot write in the folder " + folder.string() + ": " + std::strerror(errno));
}

AtomicFileWriter::AtomicFileWriter(std::filesystem::path target) : target_(std::move(target)) {
    if (target_.empty()) throw IoError("output", "no file name given");
    target_ = followLinks(target_);  // replace what a link points to, not the link itself
    std::string pattern = target_.string() + ".tmp-XXXXXX";
    fd_ = ::mkstemp(pattern.data());
    if (fd_ < 0)
        throw IoError(target_.string(), std::string("cannot create a temporary file beside it: ") +
                                            std::strerror(errno));
    tempPath_ = pattern;
    // mkstemp creates 0600; a saved scene or label file should get the usual permissions.
    mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd_, 0666 & ~mask);
    buffer_.reserve(kBufferSize);
}

AtomicFileWriter::~AtomicFileWriter() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_ && !tempPath_.empty()) ::unlink(tempPath_.c_str());
}

void AtomicFileWriter::write(const void* data, std::size_t size) {
    const char* bytes = static_cast<const char*>(data);
    if (buffer_.size() + size > kBufferSize) flushBuffer();
    if (size >= kBufferSize) {
        std::size_t done = 0;
        while (done < size) {
            ssize_t n = ::write(fd_, bytes + done, size - done);
            if (n < 0) {
                if (errno == EINTR) continue;
                throw IoError(target_.string(), std::string("write failed: ") + std::strerror(errno));
            }
            done += static_cast<std::size_t>(n);
        }
        return;
    }
    buffer_.append(bytes, size);
}

void AtomicFileWriter::flushBuffer() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
        ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw IoError(target_.string(), std::string("write failed: ") + std::strerror(errno));
        }
        done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
}

void AtomicFileWriter::commit() {
    flushBuffer();
    if (::fsync(fd_) != 0)
        throw IoError(target_.string(), std::string("fsync failed: ") + std::strerror(errno));
    if (::close(fd_) != 0) {
        fd_ = -1;
        throw IoError(target_.string(), std::string("close failed: ") + std::strerror(errno));
    }
    fd_ = -1;
    if (::rename(tempPath_.c_str(), target_.c_str()) != 0)
        throw IoError(target_.string(), std::string("cannot replace the file: ") + std::strerror(errno));
    committed_ = true;
}

} // namespace s4
