#include "core/io/Lzf.h"

#include "core/common/Error.h"

namespace s4 {

std::uint64_t lzfMaxDecodedSize(std::uint64_t inSize) {
    return inSize / 3 * 264 + 264;
}

void lzfDecompress(const std::uint8_t* in, std::size_t inSize, std::uint8_t* out, std::size_t outSize,
                   const std::string& fileName, std::uint64_t inFileOffset) {
    // Stream grammar (liblzf lzf_d.c): a control byte c < 32 starts a literal run of c + 1 bytes;
    // otherwise len = c >> 5 (7 means "add the next byte"), and the back-reference copies len + 2 bytes
    // from distance ((c & 31) << 8) + next byte + 1 behind the output cursor. Copies may overlap.
    std::size_t ip = 0, op = 0;
    auto fail = [&](std::size_t at, const std::string& problem) {
        throw IoError(fileName, IoError::atByte(inFileOffset + at), "LZF-compressed data " + problem);
    };
    while (ip < inSize) {
        const std::size_t controlAt = ip;
        const unsigned control = in[ip++];
        if (control < 32) {
            const std::size_t run = control + 1;
            if (run > inSize - ip)
                fail(controlAt, "ends inside a literal run of " + std::to_string(run) + " bytes");
            if (run > outSize - op)
                fail(controlAt, "has a literal run that overruns the declared uncompressed size of " +
                                    std::to_string(outSize) + " bytes");
            for (std::size_t k = 0; k < run; ++k) out[op + k] = in[ip + k];
            ip += run;
            op += run;
            continue;
        }
        std::size_t length = control >> 5;
        if (length == 7) {
            if (ip >= inSize) fail(controlAt, "ends inside a back-reference");
            length += in[ip++];
        }
        if (ip >= inSize) fail(controlAt, "ends inside a back-reference");
        const std::size_t distance = ((static_cast<std::size_t>(control) & 31u) << 8) + in[ip++] + 1;
        length += 2;
        if (distance > op)
            fail(controlAt, "has a back-reference " + std::to_string(distance) +
                                " bytes back from output byte " + std::to_string(op) +
                                ", before the start of the output");
        if (length > outSize - op)
            fail(controlAt, "has a back-reference that overruns the declared uncompressed size of " +
                                std::to_string(outSize) + " bytes");
        // Byte by byte on purpose: overlapping copies (distance < length) repeat a pattern.
        for (std::size_t k = 0; k < length; ++k) out[op + k] = out[op + k - distance];
        op += length;
    }
    if (op != outSize)
        fail(inSize, "decodes to " + std::to_string(op) + " bytes, but the header declares " +
                         std::to_string(outSize));
}

}  // namespace s4
