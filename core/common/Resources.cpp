#include "core/common/Resources.h"

#include "core/common/Error.h"

#include <cstdlib>
#include <system_error>

namespace s4 {
namespace fs = std::filesystem;

fs::path resourcesDirectory() {
    std::error_code ec;
    if (const char* env = std::getenv("S4STUDIO_RESOURCES"); env && *env) {
        if (fs::is_directory(env, ec)) return env;
        throw Error(std::string("S4STUDIO_RESOURCES points to '") + env + "', which is not a folder");
    }
    // Installed layout: <prefix>/bin/s4studio and <prefix>/share/s4studio.
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed = exe.parent_path().parent_path() / "share" / "s4studio";
        if (fs::is_directory(installed / "classes", ec)) return installed;
    }
    // Build-tree runs (tests, `./build/default/app/s4studio`) use the checkout's resources/.
    const fs::path source = S4_SOURCE_RESOURCES_DIR;
    if (fs::is_directory(source, ec)) return source;
    throw Error("cannot find S4Studio's resources folder (set S4STUDIO_RESOURCES to it)");
}

} // namespace s4
