// Atomic writes: temp file next to the real destination, fsync, rename (POSIX). Destinations
// that are not regular files (devices, FIFOs, sockets, /dev/stdout) are written in place, since
// renaming over them would replace the node itself.
#include "descent/io/atomic_file.hpp"

#include "byte_source.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <vector>

#include "descent/core/error.hpp"

namespace descent::io {

namespace {

namespace fs = std::filesystem;

std::string errno_text(int err) {
  return std::strerror(err);
}

std::string directory_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// "/dev/stdout", "/dev/fd/3", "/proc/self/fd/1": names of descriptors this process already
// holds. Writing to the descriptor itself keeps what the shell set up (a pipe, a terminal, a
// file opened for appending); opening the name again, or renaming over it, would not.
int inherited_descriptor(const std::string& path) {
  if (path == "/dev/stdout") return STDOUT_FILENO;
  if (path == "/dev/stderr") return STDERR_FILENO;
  for (const char* prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    const std::size_t k = std::strlen(prefix);
    if (path.size() > k && path.compare(0, k, prefix) == 0 &&
        path.find_first_not_of("0123456789", k) == std::string::npos && path.size() - k < 9)
      return std::stoi(path.substr(k));
  }
  return -1;
}

// Follows a chain of symbolic links without requiring the last target to exist (a dangling
// link names the file to create). Relative link targets are relative to the link's folder.
std::string follow_links(const std::string& path) {
  fs::path p = path;
  for (int hop = 0; hop < 40; ++hop) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(p, ec)) || ec) return p.string();
    const fs::path target = fs::read_symlink(p, ec);
    if (ec) throw Error("cannot write " + path + ": " + ec.message());
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
  throw Error("cannot write " + path + ": " + errno_text(ELOOP));
}

}  // namespace

OutputTarget resolve_output(const std::string& path) {
  OutputTarget t;
  t.path = path;
  if (const int fd = inherited_descriptor(path); fd >= 0) {
    t.kind = OutputTarget::Kind::descriptor;
    t.descriptor = fd;
    return t;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw Error("cannot write " + path + ": it is a directory");
    if (S_ISBLK(st.st_mode))
      throw Error("cannot write " + path +
                  ": it is a block device (refused: it would be "
                  "overwritten in place)");
    if (!S_ISREG(st.st_mode)) {  // character device, FIFO or socket
      t.kind = OutputTarget::Kind::in_place;
      return t;
    }
    // An existing regular file, possibly behind links: replace the real file, keeping its mode
    // and owner, and leave the links alone. The attributes come from the resolved path itself.
    char* real = ::realpath(path.c_str(), nullptr);
    if (real == nullptr) throw Error("cannot write " + path + ": " + errno_text(errno));
    t.path = real;
    std::free(real);
    if (::stat(t.path.c_str(), &st) != 0)
      throw Error("cannot write " + path + ": " + errno_text(errno));
    t.existing = true;
    t.mode = st.st_mode & 07777;
    t.uid = st.st_uid;
    t.gid = st.st_gid;
    return t;
  }
  t.path = follow_links(path);  // a new file, or the missing target of a dangling link
  return t;
}

namespace {

// Removes the temporary files "PATH.tmp.PID.*" that a process killed mid-write (SIGKILL, power
// loss) left next to `path`, when PID is no longer running. Best effort: a PID reused by
// another process keeps its files until a later write.
void remove_stale_temps(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const std::string prefix = (slash == std::string::npos ? path : path.substr(slash + 1)) + ".tmp.";
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    char* stop = nullptr;
    const long pid = std::strtol(name.c_str() + prefix.size(), &stop, 10);
    if (pid <= 0 || *stop != '.' || pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      std::filesystem::remove(it->path(), ec);
  }
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

// Gives the temporary file the mode (and, best effort, the owner) of the file it replaces.
// Owner first: chown clears the set-user-ID and set-group-ID bits, which the mode restores.
void copy_attributes(int fd, const OutputTarget& t) {
  if (!t.existing) return;
  if (::fchown(fd, t.uid, t.gid) != 0) {
    // Only root may give a file away; an ordinary user's replacement is theirs.
  }
  if (::fchmod(fd, t.mode) != 0)
    throw Error("cannot write " + t.path + ": fchmod: " + errno_text(errno));
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

// Opens an in-place destination (device, FIFO, socket path) or duplicates an inherited
// descriptor, for writing.
int open_in_place(const OutputTarget& t) {
  if (t.kind == OutputTarget::Kind::descriptor) {
    // What the program already printed goes first.
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    const int fd = ::fcntl(t.descriptor, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) throw Error("cannot write " + t.path + ": " + errno_text(errno));
    return fd;
  }
  const int fd = ::open(t.path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot write " + t.path + ": " + errno_text(errno));
  return fd;
}

void close_or_throw(int fd, const std::string& path) {
  if (::close(fd) != 0) throw Error("cannot write " + path + ": close: " + errno_text(errno));
}

}  // namespace

void write_file_atomic(const std::string& path, std::string_view contents) {
  const OutputTarget target = resolve_output(path);
  if (target.kind != OutputTarget::Kind::replace) {
    const int fd = open_in_place(target);
    try {
      write_all(fd, contents, path);
    } catch (...) {
      ::close(fd);
      throw;
    }
    close_or_throw(fd, path);
    return;
  }
  std::string temp;
  int fd = create_temp(target.path, temp);
  try {
    copy_attributes(fd, target);
    write_all(fd, contents, path);
    fsync_or_throw(fd, path);
    const int rc = ::close(fd);
    fd = -1;
    if (rc != 0) throw Error("cannot write " + path + ": close: " + errno_text(errno));
    rename_or_throw(temp, target.path);
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(temp.c_str());
    throw;
  }
  remove_stale_temps(target.path);
}

// A stream buffer over a descriptor (for in-place destinations); a failed write sets the
// stream's badbit, and the first errno is kept for the message.
class AtomicWriter::DescriptorBuffer : public std::streambuf {
 public:
  explicit DescriptorBuffer(int fd) : fd_(fd), buffer_(1 << 16) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  ~DescriptorBuffer() override {
    if (fd_ >= 0) ::close(fd_);
  }
  int error() const noexcept { return error_; }
  /// Flushes and closes; returns false (error() says why) on failure.
  bool close() {
    const bool ok = flush();
    const int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0 && error_ == 0) error_ = errno;
    return ok && rc == 0;
  }

 protected:
  int_type overflow(int_type ch) override {
    if (!flush()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  int sync() override { return flush() ? 0 : -1; }

 private:
  bool flush() {
    if (error_ != 0) return false;
    const char* p = pbase();
    while (p < pptr()) {
      const ssize_t n = ::write(fd_, p, std::size_t(pptr() - p));
      if (n < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        return false;
      }
      p += n;
    }
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return true;
  }

  int fd_;
  int error_ = 0;
  std::vector<char> buffer_;
};

AtomicWriter::AtomicWriter(std::string path, bool binary) : path_(std::move(path)) {
  const OutputTarget target = resolve_output(path_);
  if (target.kind != OutputTarget::Kind::replace) {
    const int fd = open_in_place(target);
    try {
      direct_ = std::make_unique<DescriptorBuffer>(fd);
    } catch (...) {
      ::close(fd);
      throw;
    }
    out_.rdbuf(direct_.get());
    out_.clear();
    return;
  }
  target_ = target;
  // Reserve a unique name with O_EXCL, then let the filebuf write it. The replaced file's mode
  // is applied at commit(): a read-only mode now would stop the filebuf from opening it.
  ::close(create_temp(target_.path, temp_));
  std::ios::openmode mode = std::ios::out | std::ios::trunc;
  if (binary) mode |= std::ios::binary;
  if (!file_.open(temp_, mode)) {
    ::unlink(temp_.c_str());
    throw Error("cannot open temporary file " + temp_ + " for " + path_);
  }
  out_.rdbuf(&file_);
  out_.clear();
}

AtomicWriter::~AtomicWriter() {
  if (committed_) return;
  out_.rdbuf(nullptr);
  if (!direct_) {
    file_.close();
    ::unlink(temp_.c_str());
  }
}

std::ostream& AtomicWriter::stream() {
  if (committed_) throw Error("AtomicWriter for " + path_ + ": stream() after commit()");
  return out_;
}

void AtomicWriter::commit() {
  if (committed_) throw Error("AtomicWriter for " + path_ + ": commit() called twice");
  committed_ = true;
  if (direct_) {
    out_.flush();
    const bool ok = !out_.bad() && direct_->close();
    out_.rdbuf(nullptr);
    if (!ok)
      throw Error("cannot write " + path_ + ": " +
                  (direct_->error() != 0 ? errno_text(direct_->error()) : "stream error"));
    return;
  }
  try {
    out_.flush();
    const bool ok = !out_.fail();
    out_.rdbuf(nullptr);
    if (!file_.close() || !ok) throw Error("cannot write " + path_ + ": stream error");
    // A filebuf cannot fsync; reopen the file to flush it to disk.
    const int fd = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error("cannot write " + path_ + ": " + errno_text(errno));
    try {
      copy_attributes(fd, target_);
    } catch (...) {
      ::close(fd);
      throw;
    }
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) throw Error("cannot write " + path_ + ": fsync: " + errno_text(err));
    rename_or_throw(temp_, target_.path);
  } catch (...) {
    ::unlink(temp_.c_str());
    temp_.clear();
    throw;
  }
  temp_.clear();
  remove_stale_temps(target_.path);
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
