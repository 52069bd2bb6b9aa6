#pragma once
// One spdlog logger per subsystem ("io", "geometry", "gui", ...), all sharing the sinks that
// configureLogging() installs (stderr, plus a log file when the application asks for one).

#include <filesystem>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace s4 {

/// The logger of one subsystem, created on first use.
std::shared_ptr<spdlog::logger> logger(const std::string& subsystem);

/// Sets the level of every logger ("trace" ... "off") and, if logFile is non-empty, adds a file sink.
/// Throws s4::InvalidArgument for an unknown level name.
void configureLogging(const std::string& level, const std::filesystem::path& logFile = {});

/// $XDG_STATE_HOME/s4studio (default ~/.local/state/s4studio): where the application keeps its log.
std::filesystem::path userStateDirectory();

} // namespace s4
