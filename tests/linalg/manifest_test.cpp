// Sequence manifests: round trip, relative paths, comments and line-accurate errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "descent/core/error.hpp"
#include "descent/linalg/manifest.hpp"

namespace {

namespace fs = std::filesystem;
using namespace descent;
using namespace descent::linalg;

TEST(Manifest, RoundTripAndRelativePaths) {
  const fs::path dir =
      fs::temp_directory_path() / ("descent_manifest_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "m.txt").string();
  write_manifest(path, {{"A1.mtx", "b1.mtx", {0.25, -1.5}, 0}, {"/abs/A2.mtx", "b2.mtx", {}, 0}},
                 "test");
  const auto e = read_manifest(path);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].a_path, (dir / "A1.mtx").string());
  EXPECT_EQ(e[0].contexts, (std::vector<double>{0.25, -1.5}));
  EXPECT_EQ(e[0].line, 3u);  // two comment lines first
  EXPECT_EQ(e[1].a_path, "/abs/A2.mtx");
  EXPECT_TRUE(e[1].contexts.empty());
  fs::remove_all(dir);
}

TEST(Manifest, Errors) {
  const fs::path dir =
      fs::temp_directory_path() / ("descent_manifest_e" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "m.txt").string();
  std::ofstream(path) << "# header\n\nA.mtx b.mtx 1.0\nA.mtx b.mtx nan\n";
  try {
    read_manifest(path);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 4u);
    EXPECT_EQ(e.field(), "column 3");
  }
  std::ofstream(path) << "# only comments\n";
  EXPECT_THROW(read_manifest(path), Error);
  EXPECT_THROW(read_manifest((dir / "missing.txt").string()), Error);
  EXPECT_THROW(write_manifest(path, {{"a b.mtx", "b.mtx", {}, 0}}), Error);
  fs::remove_all(dir);
}

}  // namespace
