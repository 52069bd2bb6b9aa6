#include "core/io/FormatReaders.h"

#include "core/common/Error.h"

namespace s4 {

Scene readKittiBin(const std::filesystem::path& path, const ReadOptions&, const Progress&) {
    throw IoError(path.string(), "this format is not supported yet");
}

} // namespace s4
