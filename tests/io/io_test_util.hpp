// Shared helpers for the io tests: a per-test temporary folder and exception capture.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "descent/core/error.hpp"

namespace descent::io::test {

/// A fresh folder under the system temp dir, removed with its contents at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "descent_io_" + std::to_string(::getpid()) + "_" +
                       std::to_string(counter++) + "_" + (info ? info->name() : "x");
    for (char& c : name)
      if (c == '/') c = '_';
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }
  /// Names of the entries in the folder (to spot leftover temporary files).
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  /// Writes raw bytes (text or binary) and returns the path.
  std::string write(const std::string& name, const std::string& bytes) const {
    const std::string p = file(name);
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }

 private:
  std::filesystem::path path_;
};

/// Runs f and returns the descent::InputError it throws; records a failure otherwise.
inline std::optional<InputError> catch_input_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected descent::InputError, got another exception: " << e.what();
    return std::nullopt;
  }
  ADD_FAILURE() << "expected descent::InputError, nothing was thrown";
  return std::nullopt;
}

/// Path of a committed fixture under tests/io/data.
inline std::string fixture(const std::string& name) {
  return std::string(DESCENT_SOURCE_DIR) + "/tests/io/data/" + name;
}

/// The system python with numpy (the default `python3` may lack numpy).
inline bool have_numpy() {
  return std::filesystem::exists("/usr/bin/python3") &&
         std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
}

/// The largest single operator-new request since the last reset (tests/io/allocation_probe.cpp).
void reset_largest_allocation();
std::size_t largest_allocation();
/// Readers may allocate up to this much for small inputs; an absurd declared size must not.
inline constexpr std::size_t kSmallAllocation = std::size_t{16} << 20;

}  // namespace descent::io::test

/// Expects `stmt` to throw descent::InputError whose file is FILE, line is LINE, field contains
/// FIELD and message contains WHAT (and the file name).
#define EXPECT_INPUT_ERROR(stmt, FILE_, LINE_, FIELD_, WHAT_)                                \
  do {                                                                                       \
    const auto err_ = ::descent::io::test::catch_input_error([&] { (void)(stmt); });         \
    if (err_) {                                                                              \
      EXPECT_EQ(err_->file(), (FILE_));                                                      \
      EXPECT_EQ(err_->line(), static_cast<std::size_t>(LINE_)) << err_->what();              \
      EXPECT_NE(err_->field().find(FIELD_), std::string::npos)                               \
          << "field '" << err_->field() << "' lacks '" << (FIELD_) << "': " << err_->what(); \
      EXPECT_NE(std::string(err_->what()).find(WHAT_), std::string::npos)                    \
          << "message lacks '" << (WHAT_) << "': " << err_->what();                          \
      EXPECT_NE(std::string(err_->what()).find(FILE_), std::string::npos) << err_->what();   \
    }                                                                                        \
  } while (0)
