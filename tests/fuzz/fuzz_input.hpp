// Shared by the fuzz targets: the readers take paths, so each input is written to a
// per-process file first; a descent::Error (the readers' documented refusal) is a pass, anything
// else (another exception, a crash, a sanitizer report) is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "descent/core/error.hpp"

namespace descent::fuzz {

/// Writes the input to $TMPDIR/descent_fuzz_<pid><ext> and returns the path.
inline std::string write_input(const std::uint8_t* data, std::size_t size, const char* ext) {
  static const std::string path =
      (std::filesystem::temp_directory_path() / ("descent_fuzz_" + std::to_string(getpid())))
          .string();
  const std::string file = path + ext;
  std::FILE* f = std::fopen(file.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return file;
}

/// Runs `read`; descent::Error is the expected refusal of bad input.
template <class Read>
int guarded(Read read) {
  try {
    read();
  } catch (const descent::Error&) {
  }
  return 0;
}

}  // namespace descent::fuzz

/// One target = this function (libFuzzer calls it; replay_main.cpp too).
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
