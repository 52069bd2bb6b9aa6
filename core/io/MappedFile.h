#pragma once
// A read-only memory mapping of a whole file: readers parse straight from the page cache, so
// memory stays bounded by what they allocate for the result, and every offset can be checked
// against size() before it is touched.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace s4 {

class MappedFile {
public:
    /// Maps the file. Throws IoError if it does not exist, is a folder or cannot be read.
    explicit MappedFile(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    /// Never null, also for an empty file.
    const std::uint8_t* data() const { return data_; }
    std::size_t size() const { return size_; }
    std::string_view text() const { return {reinterpret_cast<const char*>(data_), size_}; }
    /// The path as given, for error messages.
    const std::string& name() const { return name_; }

private:
    std::string name_;
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

} // namespace s4
