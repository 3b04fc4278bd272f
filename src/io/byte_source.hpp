// A sequential reader over a raw or gzip-compressed file (detected by its magic bytes, not its
// name), shared by the IDX reader and read_file_decompressed(). Private to src/io.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "descent/core/error.hpp"

namespace descent::io::detail {

inline constexpr std::size_t kChunk = std::size_t{1} << 20;
// Deflate cannot compress better than about 1032:1, which bounds what a gzip file can hold.
inline constexpr std::uint64_t kMaxDeflateRatio = 1032;

inline std::string at(std::uint64_t offset) {
  return " (byte offset " + std::to_string(offset) + ")";
}

// Sequential reader over a raw or gzip file; counts decompressed bytes for error messages.
class ByteSource {
 public:
  explicit ByteSource(const std::string& path) : path_(path) {
    file_ = std::fopen(path.c_str(), "rb");
    if (!file_) throw Error("cannot open " + path + ": " + std::strerror(errno));
    if (std::fseek(file_, 0, SEEK_END) == 0) {
      const long size = std::ftell(file_);
      file_size_ = size > 0 ? static_cast<std::uint64_t>(size) : 0;
      std::fseek(file_, 0, SEEK_SET);
    }
    in_.reset(new unsigned char[kChunk]);
    try {
      fill();
    } catch (...) {
      std::fclose(file_);
      throw;
    }
    gzip_ = in_len_ >= 2 && in_[0] == 0x1f && in_[1] == 0x8b;
    if (gzip_) {
      std::memset(&z_, 0, sizeof z_);
      // 16 + MAX_WBITS: expect a gzip wrapper (header and CRC-checked trailer).
      if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) {
        std::fclose(file_);
        throw Error("cannot read " + path + ": zlib initialisation failed");
      }
      z_open_ = true;
    }
  }
  ~ByteSource() {
    if (z_open_) inflateEnd(&z_);
    if (file_) std::fclose(file_);
  }
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  bool gzip() const { return gzip_; }
  std::uint64_t file_size() const { return file_size_; }
  std::uint64_t offset() const { return offset_; }

  // Reads up to n bytes; fewer only at the end of the data.
  std::size_t read(unsigned char* dst, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
      if (!gzip_) {
        if (in_pos_ == in_len_ && !fill()) break;
        const std::size_t k = std::min(n - got, in_len_ - in_pos_);
        std::memcpy(dst + got, in_.get() + in_pos_, k);
        in_pos_ += k;
        got += k;
        continue;
      }
      if (stream_end_) {
        // Another gzip member may follow (concatenated .gz files are valid gzip).
        if (in_pos_ == in_len_ && !fill()) break;
        if (in_len_ - in_pos_ == 1) fill_keep();
        if (in_len_ - in_pos_ < 2 || in_[in_pos_] != 0x1f || in_[in_pos_ + 1] != 0x8b)
          throw InputError(path_, 0, "gzip",
                           "trailing bytes after the gzip stream (compressed byte offset " +
                               std::to_string(buffer_start_ + in_pos_) + ")");
        inflateReset(&z_);
        stream_end_ = false;
      }
      if (in_pos_ == in_len_ && !eof_) fill();
      z_.next_in = in_.get() + in_pos_;
      z_.avail_in = static_cast<uInt>(in_len_ - in_pos_);
      z_.next_out = dst + got;
      z_.avail_out = static_cast<uInt>(std::min<std::size_t>(n - got, 1u << 30));
      const int rc = inflate(&z_, Z_NO_FLUSH);
      const auto produced = static_cast<std::size_t>(z_.next_out - (dst + got));
      const auto consumed = static_cast<std::size_t>(z_.next_in - (in_.get() + in_pos_));
      in_pos_ += consumed;
      got += produced;
      if (rc == Z_STREAM_END) {
        stream_end_ = true;
      } else if (rc == Z_OK || rc == Z_BUF_ERROR) {
        // No progress with all input used: the stream stops before its end.
        if (produced == 0 && consumed == 0 && in_pos_ == in_len_ && eof_)
          throw InputError(path_, 0, "gzip", "truncated gzip stream" + at(offset_ + got));
      } else {
        throw InputError(path_, 0, "gzip",
                         std::string("corrupt gzip stream: ") + (z_.msg ? z_.msg : "zlib error") +
                             at(offset_ + got));
      }
    }
    offset_ += got;
    return got;
  }

  // True if no data remains; for gzip this also verifies the stream's trailer (CRC, length).
  bool at_end() {
    unsigned char b;
    return read(&b, 1) == 0;
  }

 private:
  // Refills the input buffer once it is used up; false (and eof_) at end of file.
  bool fill() {
    buffer_start_ += in_len_;
    in_pos_ = 0;
    in_len_ = std::fread(in_.get(), 1, kChunk, file_);
    if (in_len_ == 0 && std::ferror(file_))
      throw Error("cannot read " + path_ + ": " + std::strerror(errno));
    if (in_len_ == 0) eof_ = true;
    return in_len_ > 0;
  }
  // Moves the single unread byte to the front and appends more input.
  void fill_keep() {
    buffer_start_ += in_pos_;
    in_[0] = in_[in_pos_];
    in_pos_ = 0;
    in_len_ = 1 + std::fread(in_.get() + 1, 1, kChunk - 1, file_);
    if (in_len_ == 1) eof_ = true;
  }

  std::string path_;
  std::FILE* file_ = nullptr;
  std::uint64_t file_size_ = 0;
  std::unique_ptr<unsigned char[]> in_;
  std::size_t in_pos_ = 0, in_len_ = 0;
  std::uint64_t buffer_start_ = 0;  // file offset of in_[0]
  bool gzip_ = false, z_open_ = false, stream_end_ = false, eof_ = false;
  z_stream z_{};
  std::uint64_t offset_ = 0;
};

}  // namespace descent::io::detail
