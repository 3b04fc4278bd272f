// IDX files (the MNIST format), raw or gzip-compressed (detected by the 1f 8b magic bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace descent::io {

struct IdxArray {
  std::vector<std::size_t> dims;
  std::uint8_t type_code = 0x08;  ///< 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64
  std::vector<float> values;      ///< row-major; i32 and f64 are rounded to float
};

/// Largest element count accepted (larger headers fail before any allocation).
inline constexpr std::size_t kMaxIdxElements = std::size_t{1} << 31;

/// Reads an IDX file. Throws descent::InputError (line 0, byte offset in the message, counted in
/// decompressed bytes) for a bad magic number (first two bytes must be 0), an unknown type, 0 or
/// more than 4 dimensions, more than kMaxIdxElements elements, a truncated payload or gzip
/// stream, and trailing bytes.
IdxArray read_idx(const std::string& path);

/// Writes an unsigned-byte IDX file (gzip-compressed if `gzip`), atomically. Throws
/// descent::Error if the dims are not 1..4 values whose product is data.size().
void write_idx_u8(const std::string& path, std::span<const std::uint8_t> data,
                  const std::vector<std::size_t>& dims, bool gzip = true);

}  // namespace descent::io
