#pragma once
// Typed errors of the core library. Every message is a full sentence a user can act on;
// the GUI shows it, `--batch` prints it and exits non-zero.

#include <cstdint>
#include <stdexcept>
#include <string>

namespace s4 {

/// Base of every error the core throws on purpose.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// A long-running stage was cancelled through its Progress.
class Cancelled : public Error {
public:
    Cancelled() : Error("operation cancelled") {}
};

/// Unreadable, malformed or unsupported input or output file.
/// what() reads "<file>: <location>: <problem>", e.g. "a.ply: byte 312: vertex count says 10^12 ...".
class IoError : public Error {
public:
    IoError(const std::string& file, const std::string& problem);
    IoError(const std::string& file, const std::string& location, const std::string& problem);

    const std::string& file() const { return file_; }

    static std::string atLine(std::uint64_t line);      ///< "line N" (1-based)
    static std::string atByte(std::uint64_t offset);    ///< "byte N" (0-based)

private:
    std::string file_;
};

/// Invalid parameter or state in an algorithm call (not a file problem).
class InvalidArgument : public Error {
public:
    explicit InvalidArgument(const std::string& message) : Error(message) {}
};

/// Human-readable byte count: "512 B", "4.0 MB", "1.2 GB".
std::string formatBytes(std::uint64_t bytes);

} // namespace s4
