#pragma once
// Locating the files S4Studio ships (class sets, prompt templates, the sample scene) at run time.

#include <filesystem>

namespace s4 {

/// The resources folder: $S4STUDIO_RESOURCES if set, else <exe>/../share/s4studio when installed,
/// else the source tree's resources/ (build-tree runs). Throws s4::Error if none exists.
std::filesystem::path resourcesDirectory();

} // namespace s4
