#include "core/common/Error.h"

#include <cstdio>

namespace s4 {

IoError::IoError(const std::string& file, const std::string& problem)
    : Error(file + ": " + problem), file_(file) {}

IoError::IoError(const std::string& file, const std::string& location, const std::string& problem)
    : Error(file + ": " + location + ": " + problem), file_(file) {}

std::string IoError::atLine(std::uint64_t line) { return "line " + std::to_string(line); }

std::string IoError::atByte(std::uint64_t offset) { return "byte " + std::to_string(offset); }

std::string formatBytes(std::uint64_t bytes) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024.0 && unit < 6) {
        value /= 1024.0;
        ++unit;
    }
    char buf[32];
    if (unit == 0)
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    else
        std::snprintf(buf, sizeof buf, "%.1f %s", value, units[unit]);
    return buf;
}

} // namespace s4
