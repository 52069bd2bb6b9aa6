#pragma once
// Atomic file writing: data goes to a temporary file beside the target, is flushed to disk and
// renamed over the target only on commit(). A crash or an exception leaves the old file intact.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace s4 {

/// Throws IoError unless `target` could be written by AtomicFileWriter: a non-empty path that is not a
/// folder, in an existing folder this process may write. For commands that check their output before
/// a long computation rather than after it.
void checkWritableTarget(const std::filesystem::path& target);

class AtomicFileWriter {
public:
    /// Creates "<target>.tmp-XXXXXX" in the target's folder. Throws IoError if that fails. A target that
    /// is a symbolic link is followed: the file it points to is replaced and the link kept.
    explicit AtomicFileWriter(std::filesystem::path target);
    ~AtomicFileWriter();  ///< Removes the temporary file unless commit() succeeded.

    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    /// Appends bytes (buffered). Throws IoError on a write error (disk full, ...).
    void write(const void* data, std::size_t size);
    void write(std::string_view text) { write(text.data(), text.size()); }
    /// Flushes, fsyncs and renames onto the target. Throws IoError on failure.
    void commit();

    const std::filesystem::path& target() const { return target_; }

private:
    void flushBuffer();

    std::filesystem::path target_;
    std::string tempPath_;
    int fd_ = -1;
    bool committed_ = false;
    std::string buffer_;
};

} // namespace s4
