// Per-process temporary directories for tests, removed when the test binary exits, so that a
// run leaves nothing in /tmp. Set DESCENT_KEEP_TEST_FILES=1 to keep them for a post-mortem.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

namespace descent::test {

namespace detail {
class TempDirs {
 public:
  static TempDirs& instance() {
    static TempDirs dirs;
    return dirs;
  }
  void add(const std::filesystem::path& p) {
    const std::lock_guard<std::mutex> lock(mutex_);
    dirs_.push_back(p);
  }
  ~TempDirs() {
    if (const char* keep = std::getenv("DESCENT_KEEP_TEST_FILES"); keep && *keep == '1') return;
    std::error_code ec;  // best effort: never throw from a destructor at exit
    for (const auto& d : dirs_) std::filesystem::remove_all(d, ec);
  }

 private:
  std::mutex mutex_;
  std::vector<std::filesystem::path> dirs_;
};
}  // namespace detail

/// An empty directory TMPDIR/descent_<name>_<pid>, removed at exit.
inline std::filesystem::path fresh_temp_dir(const std::string& name) {
  const std::filesystem::path d = std::filesystem::temp_directory_path() /
                                  ("descent_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  detail::TempDirs::instance().add(d);
  return d;
}

}  // namespace descent::test
