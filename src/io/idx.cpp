// IDX (MNIST) reader and writer, raw or gzip-compressed, streamed through zlib in large chunks.
#include "descent/io/idx.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "byte_source.hpp"
#include "descent/core/error.hpp"
#include "descent/io/atomic_file.hpp"

namespace descent::io {

namespace {

using detail::at;
using detail::ByteSource;
using detail::kChunk;
using detail::kMaxDeflateRatio;

std::size_t type_size(std::uint8_t code) {
  switch (code) {
    case 0x08:
    case 0x09:
      return 1;
    case 0x0B:
      return 2;
    case 0x0C:
    case 0x0D:
      return 4;
    case 0x0E:
      return 8;
    default:
      return 0;
  }
}

std::uint64_t load_be(const unsigned char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

// Converts `count` big-endian items of `code` at p into floats at out.
void convert(std::uint8_t code, const unsigned char* p, std::size_t count, float* out) {
  switch (code) {
    case 0x08:
      for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<float>(p[i]);
      break;
    case 0x09:
      for (std::size_t i = 0; i < count; ++i)
        out[i] = static_cast<float>(static_cast<std::int8_t>(p[i]));
      break;
    case 0x0B:
      for (std::size_t i = 0; i < count; ++i)
        out[i] = static_cast<float>(static_cast<std::int16_t>(load_be(p + 2 * i, 2)));
      break;
    case 0x0C:
      for (std::size_t i = 0; i < count; ++i)
        out[i] = static_cast<float>(static_cast<std::int32_t>(load_be(p + 4 * i, 4)));
      break;
    case 0x0D:
      for (std::size_t i = 0; i < count; ++i) {
        const auto bits = static_cast<std::uint32_t>(load_be(p + 4 * i, 4));
        std::memcpy(&out[i], &bits, 4);
      }
      break;
    case 0x0E:
      for (std::size_t i = 0; i < count; ++i) {
        const std::uint64_t bits = load_be(p + 8 * i, 8);
        double d;
        std::memcpy(&d, &bits, 8);
        out[i] = static_cast<float>(d);
      }
      break;
    default:
      break;
  }
}

std::string gzip_compress(std::string_view data, const std::string& path) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    throw Error("cannot write " + path + ": zlib initialisation failed");
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw Error("cannot write " + path + ": gzip compression failed");
  return out;
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  ByteSource src(path);
  unsigned char magic[4];
  if (src.read(magic, 4) < 4)
    throw InputError(path, 0, "magic", "file too short for the 4-byte IDX magic number" + at(0));
  if (magic[0] != 0 || magic[1] != 0)
    throw InputError(path, 0, "magic", "not an IDX file: the first two bytes must be 0" + at(0));
  IdxArray a;
  a.type_code = magic[2];
  const std::size_t isize = type_size(a.type_code);
  if (isize == 0) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", magic[2]);
    throw InputError(path, 0, "type", std::string("unknown IDX type code ") + hex + at(2));
  }
  const std::size_t ndims = magic[3];
  if (ndims == 0 || ndims > 4)
    throw InputError(path, 0, "dims",
                     std::to_string(ndims) + " dimensions (supported: 1 to 4)" + at(3));
  unsigned char dim_bytes[16];
  if (src.read(dim_bytes, 4 * ndims) < 4 * ndims)
    throw InputError(path, 0, "dims", "file ends inside the dimension sizes" + at(4));
  std::uint64_t count = 1;
  for (std::size_t d = 0; d < ndims; ++d) {
    const std::uint64_t n = load_be(dim_bytes + 4 * d, 4);
    a.dims.push_back(static_cast<std::size_t>(n));
    count *= n;  // 4 factors below 2^32 may overflow; re-check each step
    if (count > kMaxIdxElements)
      throw InputError(path, 0, "dims",
                       "more than 2^31 elements declared by the dimensions" + at(4 + 4 * d));
  }
  // Cheap plausibility check before allocating: the payload must fit in the file.
  const std::uint64_t header = 4 + 4 * ndims;
  const std::uint64_t payload = count * isize;
  const std::uint64_t capacity = src.gzip()
                                     ? src.file_size() * kMaxDeflateRatio
                                     : (src.file_size() > header ? src.file_size() - header : 0);
  if (src.file_size() > 0 && payload > capacity)
    throw InputError(path, 0, "dims",
                     "dimensions declare " + std::to_string(payload) +
                         " bytes of data but the file is only " + std::to_string(src.file_size()) +
                         " bytes (truncated)" + at(header));

  a.values.resize(static_cast<std::size_t>(count));
  std::vector<unsigned char> buf(std::min<std::uint64_t>(payload, kChunk / isize * isize));
  std::size_t done = 0;
  while (done < count) {
    const std::size_t want = std::min<std::size_t>(buf.size(), (count - done) * isize);
    if (src.read(buf.data(), want) < want)
      throw InputError(path, 0, "data",
                       "truncated payload: expected " + std::to_string(payload) + " bytes of data" +
                           at(src.offset()));
    convert(a.type_code, buf.data(), want / isize, a.values.data() + done);
    done += want / isize;
  }
  const std::uint64_t end = src.offset();
  if (!src.at_end()) throw InputError(path, 0, "data", "trailing bytes after the data" + at(end));
  return a;
}

void write_idx_u8(const std::string& path, std::span<const std::uint8_t> data,
                  const std::vector<std::size_t>& dims, bool gzip) {
  if (dims.empty() || dims.size() > 4)
    throw Error("write_idx_u8 " + path + ": " + std::to_string(dims.size()) +
                " dimensions (supported: 1 to 4)");
  std::uint64_t count = 1;
  for (std::size_t d : dims) {
    if (d > std::numeric_limits<std::uint32_t>::max())
      throw Error("write_idx_u8 " + path + ": dimension " + std::to_string(d) + " above 2^32-1");
    count *= d;
  }
  if (count != data.size())
    throw Error("write_idx_u8 " + path + ": dims hold " + std::to_string(count) +
                " elements but data has " + std::to_string(data.size()));
  std::string out;
  out.reserve(4 + 4 * dims.size() + data.size());
  out += '\0';
  out += '\0';
  out += '\x08';
  out += static_cast<char>(dims.size());
  for (std::size_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((d >> shift) & 0xff);
  out.append(reinterpret_cast<const char*>(data.data()), data.size());
  write_file_atomic(path, gzip ? gzip_compress(out, path) : out);
}

}  // namespace descent::io
