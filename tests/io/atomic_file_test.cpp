// Atomic writes and whole-file reads.
#include "descent/io/atomic_file.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "io_test_util.hpp"

namespace descent::io {
namespace {

using test::TempDir;

// Expects f to throw descent::Error (not InputError) whose message contains `what`.
template <class F>
void expect_error(F&& f, const std::string& what) {
  try {
    f();
    ADD_FAILURE() << "expected descent::Error";
  } catch (const InputError& e) {
    ADD_FAILURE() << "expected a plain descent::Error, got InputError: " << e.what();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

TEST(AtomicFile, WriteCreatesFileAndLeavesNoTemporary) {
  TempDir dir;
  const std::string p = dir.file("out.txt");
  write_file_atomic(p, "hello\n");
  EXPECT_EQ(read_file(p), "hello\n");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.txt"});
}

TEST(AtomicFile, OverwritesAndKeepsBinaryBytes) {
  TempDir dir;
  const std::string p = dir.file("b.bin");
  write_file_atomic(p, "old contents that are longer");
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  bytes += std::string(3, '\0');
  write_file_atomic(p, bytes);
  EXPECT_EQ(read_file(p), bytes);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"b.bin"});
}

TEST(AtomicFile, LargeContents) {
  TempDir dir;
  std::string big(5'000'003, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>('a' + i % 26);
  write_file_atomic(dir.file("big"), big);
  EXPECT_EQ(read_file(dir.file("big")), big);
}

TEST(AtomicFile, EmptyContents) {
  TempDir dir;
  write_file_atomic(dir.file("e"), "");
  EXPECT_EQ(read_file(dir.file("e")), "");
}

TEST(AtomicFile, RelativePathInCurrentDirectory) {
  TempDir dir;
  const auto old = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  write_file_atomic("rel.txt", "r");
  std::filesystem::current_path(old);
  EXPECT_EQ(read_file(dir.file("rel.txt")), "r");
}

TEST(AtomicFile, MissingDirectoryThrowsErrorWithPath) {
  TempDir dir;
  const std::string p = dir.file("no/such/dir/out.csv");
  expect_error([&] { write_file_atomic(p, "x"); }, p);
  expect_error([&] { AtomicWriter w(p); }, p);
  EXPECT_TRUE(dir.entries().empty());
}

TEST(AtomicWriter, CommitRenamesAndRemovesTemporary) {
  TempDir dir;
  const std::string p = dir.file("w.txt");
  {
    AtomicWriter w(p);
    EXPECT_EQ(w.path(), p);
    EXPECT_TRUE(std::filesystem::exists(w.temp_path()));
    EXPECT_EQ(std::filesystem::path(w.temp_path()).parent_path(), dir.path())
        << "the temporary file must live in the destination's folder (rename is atomic)";
    w.stream() << "line " << 1 << "\n";
    EXPECT_FALSE(std::filesystem::exists(p)) << "nothing visible before commit";
    w.commit();
    EXPECT_TRUE(w.temp_path().empty());
  }
  EXPECT_EQ(read_file(p), "line 1\n");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"w.txt"});
}

TEST(AtomicWriter, BinaryMode) {
  TempDir dir;
  const std::string p = dir.file("w.bin");
  AtomicWriter w(p, true);
  const char bytes[] = {'\0', '\n', '\r', '\xff'};
  w.stream().write(bytes, sizeof bytes);
  w.commit();
  EXPECT_EQ(read_file(p), std::string(bytes, sizeof bytes));
}

TEST(AtomicWriter, DestroyedWithoutCommitKeepsOldFile) {
  TempDir dir;
  const std::string p = dir.file("keep.txt");
  write_file_atomic(p, "original\n");
  {
    AtomicWriter w(p);
    w.stream() << "half-written replacement";
  }
  EXPECT_EQ(read_file(p), "original\n");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"keep.txt"});
}

TEST(AtomicWriter, ExceptionWhileWritingKeepsOldFileAndRemovesTemporary) {
  TempDir dir;
  const std::string p = dir.file("keep.txt");
  write_file_atomic(p, "original\n");
  EXPECT_THROW(
      {
        AtomicWriter w(p);
        w.stream() << "partial";
        throw std::runtime_error("producer failed");
      },
      std::runtime_error);
  EXPECT_EQ(read_file(p), "original\n");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"keep.txt"});
}

TEST(AtomicWriter, DestroyedWithoutCommitCreatesNothing) {
  TempDir dir;
  { AtomicWriter w(dir.file("never.txt")); }
  EXPECT_TRUE(dir.entries().empty());
}

TEST(AtomicWriter, MisuseAfterCommitThrows) {
  TempDir dir;
  AtomicWriter w(dir.file("m.txt"));
  w.commit();
  expect_error([&] { w.commit(); }, "twice");
  expect_error([&] { w.stream(); }, "after commit");
  EXPECT_EQ(read_file(dir.file("m.txt")), "");
}

TEST(AtomicWriter, CommitFailsWhenTheDestinationIsADirectory) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "sub");
  std::filesystem::create_directory(dir.path() / "sub" / "inner");
  AtomicWriter w((dir.path() / "sub").string());
  w.stream() << "x";
  expect_error([&] { w.commit(); }, "sub");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"sub"}) << "temporary removed on failure";
}

TEST(ReadFile, MissingFileThrowsErrorWithPathAndReason) {
  TempDir dir;
  const std::string p = dir.file("absent.csv");
  expect_error([&] { read_file(p); }, "cannot open " + p + ": No such file or directory");
}

TEST(ReadFile, DirectoryThrowsError) {
  TempDir dir;
  expect_error([&] { read_file(dir.path().string()); }, dir.path().string());
}

}  // namespace
}  // namespace descent::io
