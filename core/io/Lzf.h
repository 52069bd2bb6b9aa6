#pragma once
// Decompression of LZF streams (liblzf's format), as used by PCD "binary_compressed" files.

#include <cstddef>
#include <cstdint>
#include <string>

namespace s4 {

/// Decodes the LZF stream in[0, inSize) into exactly outSize bytes at out. Every literal run and
/// back-reference is bounds-checked: a stream that reads past its end, writes past outSize, refers to
/// bytes before the start of the output, or decodes to fewer than outSize bytes throws s4::IoError
/// naming fileName and the file byte offset (inFileOffset + position in the stream).
void lzfDecompress(const std::uint8_t* in, std::size_t inSize, std::uint8_t* out, std::size_t outSize,
                   const std::string& fileName, std::uint64_t inFileOffset);

/// The most bytes an LZF stream of inSize bytes can decode to: a 3-byte back-reference yields at most
/// 264 bytes, so anything claiming more is a lie and is rejected before allocating.
std::uint64_t lzfMaxDecodedSize(std::uint64_t inSize);

}  // namespace s4
