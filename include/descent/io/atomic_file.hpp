// Whole-file reads and crash-safe (atomic) writes.
//
// A write goes to a temporary file in the destination's directory, is flushed and fsync'ed, and
// is then renamed over the destination. Readers therefore see either the old or the new file,
// never a half-written one; on failure the temporary file is removed and the old file is kept.
#pragma once

#include <fstream>
#include <ostream>
#include <string>
#include <string_view>

namespace descent::io {

/// Atomically replaces `path` with `contents`. Throws descent::Error naming the path on failure
/// (e.g. "cannot create temporary file for DIR/x.csv: No such file or directory").
void write_file_atomic(const std::string& path, std::string_view contents);

/// RAII atomic writer for streamed output: write to stream(), then commit(). Destroying the
/// writer without commit() removes the temporary file and leaves `path` untouched.
class AtomicWriter {
 public:
  /// Creates the temporary file now (throws descent::Error if the directory is not writable).
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
  std::string path_;
  std::string temp_;
  std::ofstream out_;
  bool committed_ = false;
};

/// Reads a whole file. Throws descent::Error "cannot open FILE: REASON" if it cannot be opened.
std::string read_file(const std::string& path);

/// Like read_file, but a gzip-compressed file (recognised by its magic bytes, whatever its name)
/// is decompressed. A truncated or corrupt gzip stream is a descent::InputError.
std::string read_file_decompressed(const std::string& path);

}  // namespace descent::io
