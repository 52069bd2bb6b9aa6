#include "core/io/MappedFile.h"

#include "core/common/Error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace s4 {

MappedFile::MappedFile(const std::filesystem::path& path) : name_(path.string()) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw IoError(name_, std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int err = errno;
        ::close(fd);
        throw IoError(name_, std::string("cannot stat: ") + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw IoError(name_, "not a regular file");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    // An empty file maps nothing; data() still points at a valid (empty) buffer so callers may pass
    // it to memchr/memcpy with a zero length.
    static const std::uint8_t kEmpty = 0;
    data_ = &kEmpty;
    if (size_ > 0) {
        void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int err = errno;
            ::close(fd);
            throw IoError(name_, std::string("cannot map into memory: ") + std::strerror(err));
        }
        ::madvise(p, size_, MADV_SEQUENTIAL);
        data_ = static_cast<const std::uint8_t*>(p);
    }
    ::close(fd);
}

MappedFile::~MappedFile() {
    if (size_ > 0) ::munmap(const_cast<std::uint8_t*>(data_), size_);
}

} // namespace s4
