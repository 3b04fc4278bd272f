// Whole-file reads and crash-safe (atomic) writes.
//
// A write to a regular file goes to a temporary file in the destination's directory, is flushed
// and fsync'ed, and is then renamed over the destination. Readers therefore see either the old
// or the new file, never a half-written one; on failure the temporary file is removed and the
// old file is kept. The destination is resolved first:
//  - a symbolic link (or a chain of them) is followed, and the real file is replaced; the link
//    stays a link (a dangling link names the file to create);
//  - a file being replaced keeps its permission bits (and, when run as root, its owner);
//  - character devices and FIFOs are written in place: `/dev/null` stays a device, `/dev/full`
//    reports "No space left on device", a reader on a FIFO gets the data (opening a FIFO waits
//    for its reader, as a shell redirection does); a socket cannot be opened (an Error);
//  - `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` write to the descriptor
//    this process already holds (a pipe, a terminal, or a file the shell opened);
//  - a directory or a block device is refused with descent::Error.
// In-place writes are not atomic (there is nothing to rename); a failure is still an Error.
#pragma once

#include <sys/types.h>

#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace descent::io {

/// Where a write to `path` goes (see the top of this file). Throws descent::Error for a
/// directory, a block device or a symbolic-link loop.
struct OutputTarget {
  enum class Kind {
    replace,     ///< regular file (new or existing): temporary file + rename at `path`
    in_place,    ///< character device or FIFO (a socket fails to open): written directly
    descriptor,  ///< an inherited descriptor (/dev/stdout, /dev/fd/N)
  };
  Kind kind = Kind::replace;
  std::string path;       ///< the real destination (links followed) for `replace`
  int descriptor = -1;    ///< for Kind::descriptor
  bool existing = false;  ///< replace: a file exists there (its mode and owner are kept)
  mode_t mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};
OutputTarget resolve_output(const std::string& path);

/// Atomically replaces `path` with `contents`. Throws descent::Error naming the path on failure
/// (e.g. "cannot create temporary file for DIR/x.csv: No such file or directory").
void write_file_atomic(const std::string& path, std::string_view contents);

/// RAII atomic writer for streamed output: write to stream(), then commit(). Destroying the
/// writer without commit() removes the temporary file and leaves `path` untouched.
class AtomicWriter {
 public:
  /// Creates the temporary file now (throws descent::Error if the directory is not writable,
  /// or the destination is a directory); an in-place destination is opened now.
  explicit AtomicWriter(std::string path, bool binary = false);
  AtomicWriter(const AtomicWriter&) = delete;
  AtomicWriter& operator=(const AtomicWriter&) = delete;
  ~AtomicWriter();

  /// The stream writing the temporary file; descent::Error after commit().
  std::ostream& stream();
  /// Flushes, fsyncs and renames the temporary file over the destination. Throws descent::Error
  /// (and removes the temporary file) if any write failed. Calling it twice is an Error.
  void commit();

  const std::string& path() const noexcept { return path_; }
  /// The temporary file's name (empty once committed).
  const std::string& temp_path() const noexcept { return temp_; }

 private:
  class DescriptorBuffer;

  std::string path_;
  OutputTarget target_;  // the real file behind `path_` and its attributes (replace mode)
  std::string temp_;
  std::filebuf file_;                         // the temporary file (replace mode)
  std::unique_ptr<DescriptorBuffer> direct_;  // in-place destinations
  std::ostream out_{nullptr};
  bool committed_ = false;
};

/// Reads a whole file. Throws descent::Error "cannot open FILE: REASON" if it cannot be opened.
std::string read_file(const std::string& path);

/// Like read_file, but a gzip-compressed file (recognised by its magic bytes, whatever its name)
/// is decompressed. A truncated or corrupt gzip stream is a descent::InputError.
std::string read_file_decompressed(const std::string& path);

}  // namespace descent::io
