// Atomic writes: temp file next to the destination, fsync, rename (POSIX).
#include "descent/io/atomic_file.hpp"

#include "byte_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "descent/core/error.hpp"

namespace descent::io {

namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

std::string directory_of(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// Creates a fresh temporary file next to `path` with mode 0666 & ~umask (like an ordinary
// file, unlike mkstemp's 0600). Returns the open descriptor and stores its name.
int create_temp(const std::string& path, std::string& temp) {
  static std::atomic<unsigned> counter{0};
  thread_local std::minstd_rand rng{std::random_device{}()};
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++) + "." +
           std::to_string(rng());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    if (errno != EEXIST)
      throw Error("cannot create temporary file for " + path + ": " + errno_text(errno));
  }
  throw Error("cannot create temporary file for " + path + ": too many name collisions");
}

// Best effort: make the rename itself durable. Failure here does not undo the write.
void sync_directory(const std::string& path) {
  const int fd = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot write " + path + ": " + errno_text(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void fsync_or_throw(int fd, const std::string& path) {
  if (::fsync(fd) != 0) throw Error("cannot write " + path + ": fsync: " + errno_text(errno));
}

void rename_or_throw(const std::string& temp, const std::string& path) {
  if (::rename(temp.c_str(), path.c_str()) != 0)
    throw Error("cannot write " + path + ": rename: " + errno_text(errno));
  sync_directory(path);
}

}  // namespace

void write_file_atomic(const std::string& path, std::string_view contents) {
  std::string temp;
  int fd = create_temp(path, temp);
  try {
    write_all(fd, contents, path);
    fsync_or_throw(fd, path);
    const int rc = ::close(fd);
    fd = -1;
    if (rc != 0) throw Error("cannot write " + path + ": close: " + errno_text(errno));
    rename_or_throw(temp, path);
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(temp.c_str());
    throw;
  }
}

AtomicWriter::AtomicWriter(std::string path, bool binary) : path_(std::move(path)) {
  // Reserve a unique name with O_EXCL, then let the ofstream write it.
  ::close(create_temp(path_, temp_));
  std::ios::openmode mode = std::ios::out | std::ios::trunc;
  if (binary) mode |= std::ios::binary;
  out_.open(temp_, mode);
  if (!out_) {
    ::unlink(temp_.c_str());
    throw Error("cannot open temporary file " + temp_ + " for " + path_);
  }
}

AtomicWriter::~AtomicWriter() {
  if (committed_) return;
  out_.close();
  ::unlink(temp_.c_str());
}

std::ostream& AtomicWriter::stream() {
  if (committed_) throw Error("AtomicWriter for " + path_ + ": stream() after commit()");
  return out_;
}

void AtomicWriter::commit() {
  if (committed_) throw Error("AtomicWriter for " + path_ + ": commit() called twice");
  try {
    out_.flush();
    const bool ok = static_cast<bool>(out_);
    out_.close();
    if (!ok || out_.fail()) throw Error("cannot write " + path_ + ": stream error");
    // std::ofstream cannot fsync; reopen the file to flush it to disk.
    const int fd = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error("cannot write " + path_ + ": " + errno_text(errno));
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) throw Error("cannot write " + path_ + ": fsync: " + errno_text(err));
    rename_or_throw(temp_, path_);
  } catch (...) {
    ::unlink(temp_.c_str());
    committed_ = true;  // nothing left for the destructor to clean up
    temp_.clear();
    throw;
  }
  committed_ = true;
  temp_.clear();
}

std::string read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open " + path + ": " + errno_text(errno));
  std::string data;
  try {
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw Error("cannot open " + path + ": " + errno_text(errno));
    if (S_ISDIR(st.st_mode)) throw Error("cannot open " + path + ": " + errno_text(EISDIR));
    // Size from fstat is a hint (pipes and /proc files report 0); read until EOF regardless.
    std::size_t capacity = st.st_size > 0 ? static_cast<std::size_t>(st.st_size) + 1 : 65536;
    data.resize(capacity);
    std::size_t used = 0;
    for (;;) {
      if (used == data.size()) data.resize(data.size() * 2);
      const ssize_t n = ::read(fd, data.data() + used, data.size() - used);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw Error("cannot read " + path + ": " + errno_text(errno));
      }
      if (n == 0) break;
      used += static_cast<std::size_t>(n);
    }
    data.resize(used);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  return data;
}

std::string read_file_decompressed(const std::string& path) {
  detail::ByteSource src(path);
  if (!src.gzip()) return read_file(path);
  std::string out;
  std::size_t got;
  do {
    const std::size_t old = out.size();
    out.resize(old + detail::kChunk);
    got = src.read(reinterpret_cast<unsigned char*>(out.data() + old), detail::kChunk);
    out.resize(old + got);
  } while (got == detail::kChunk);
  return out;
}

}  // namespace descent::io
