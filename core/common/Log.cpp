#include "core/common/Log.h"

#include "core/common/Error.h"

#include <cstdlib>
#include <mutex>
#include <vector>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace s4 {
namespace {

struct LogState {
    std::mutex mutex;
    std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_color_sink_mt>()};
    spdlog::level::level_enum level = spdlog::level::warn;
};

LogState& state() {
    static LogState s;
    return s;
}

} // namespace

std::shared_ptr<spdlog::logger> logger(const std::string& subsystem) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    if (auto existing = spdlog::get(subsystem)) return existing;
    auto created = std::make_shared<spdlog::logger>(subsystem, s.sinks.begin(), s.sinks.end());
    created->set_level(s.level);
    spdlog::register_logger(created);
    return created;
}

void configureLogging(const std::string& level, const std::filesystem::path& logFile) {
    auto parsed = spdlog::level::from_str(level);
    if (parsed == spdlog::level::off && level != "off")
        throw InvalidArgument("unknown log level '" + level +
                              "' (use trace, debug, info, warn, error, critical or off)");
    auto& s = state();
    std::lock_guard lock(s.mutex);
    s.level = parsed;
    if (!logFile.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(logFile.parent_path(), ec);
        try {
            auto fileSink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(logFile.string());
            fileSink->set_level(spdlog::level::debug);
            s.sinks.push_back(fileSink);
        } catch (const spdlog::spdlog_ex&) {
            // A read-only home must not stop the program; stderr still receives everything.
        }
    }
    spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) {
        l->sinks() = s.sinks;
        l->set_level(parsed);
    });
}

std::filesystem::path userStateDirectory() {
    if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg)
        return std::filesystem::path(xdg) / "s4studio";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::filesystem::path(home) / ".local" / "state" / "s4studio";
    return std::filesystem::temp_directory_path() / "s4studio";
}

} // namespace s4
