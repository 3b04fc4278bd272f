// Atomic writes and whole-file reads.
#include "descent/io/atomic_file.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <thread>

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

// A process killed mid-write leaves "PATH.tmp.PID.*" behind; the next write to PATH removes it
// once PID is gone, and leaves the temporaries of running processes alone.
TEST(AtomicFile, RemovesTemporariesOfDeadWriters) {
  TempDir dir;
  const std::string p = dir.file("plan.csv");
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);  // its pid is now free (and not reused this soon)
  write_file_atomic(p + ".tmp." + std::to_string(child) + ".0.7", "torn");
  write_file_atomic(p + ".tmp.1.0.7", "init's, still running");
  write_file_atomic(p + ".tmp.x.0.7", "not a pid");
  write_file_atomic(p, "complete\n");
  EXPECT_EQ(dir.entries(),
            (std::vector<std::string>{"plan.csv", "plan.csv.tmp.1.0.7", "plan.csv.tmp.x.0.7"}));
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

TEST(AtomicWriter, RefusesADirectory) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "sub");
  std::filesystem::create_directory(dir.path() / "sub" / "inner");
  const std::string sub = (dir.path() / "sub").string();
  expect_error([&] { AtomicWriter w(sub); }, sub + ": it is a directory");
  expect_error([&] { write_file_atomic(sub, "x"); }, "it is a directory");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"sub"}) << "no temporary left behind";
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "sub" / "inner"));
}

// The destination's kind, without following a final symbolic link.
std::filesystem::file_type kind_of(const std::string& p) {
  return std::filesystem::symlink_status(p).type();
}

TEST(AtomicFile, WritesThroughASymlinkAndKeepsTheLink) {
  TempDir dir;
  const std::string real = dir.write("real.npy", "old");
  const std::string link = dir.file("link.npy");
  std::filesystem::create_symlink("real.npy", link);  // relative, as users make them
  write_file_atomic(link, "new contents");
  EXPECT_EQ(kind_of(link), std::filesystem::file_type::symlink);
  EXPECT_EQ(read_file(real), "new contents");
  {
    AtomicWriter w(link);
    w.stream() << "streamed";
    w.commit();
  }
  EXPECT_EQ(kind_of(link), std::filesystem::file_type::symlink);
  EXPECT_EQ(read_file(real), "streamed");
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"link.npy", "real.npy"}));
}

TEST(AtomicFile, DanglingSymlinkCreatesItsTarget) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "d");
  const std::string link = dir.file("link.csv");
  std::filesystem::create_symlink(dir.path() / "d" / "made.csv", link);
  write_file_atomic(link, "x");
  EXPECT_EQ(kind_of(link), std::filesystem::file_type::symlink);
  EXPECT_EQ(read_file((dir.path() / "d" / "made.csv").string()), "x");
}

TEST(AtomicFile, SymlinkLoopIsAnError) {
  TempDir dir;
  std::filesystem::create_symlink("b", dir.path() / "a");
  std::filesystem::create_symlink("a", dir.path() / "b");
  expect_error([&] { write_file_atomic(dir.file("a"), "x"); }, dir.file("a"));
}

TEST(AtomicFile, ReplacingKeepsThePermissions) {
  TempDir dir;
  const std::string p = dir.write("mode.txt", "old");
  namespace fs = std::filesystem;
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  write_file_atomic(p, "new");
  EXPECT_EQ(fs::status(p).permissions(),
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  fs::permissions(p, fs::perms::owner_all);
  {
    AtomicWriter w(p);
    w.stream() << "newer";
    w.commit();
  }
  EXPECT_EQ(fs::status(p).permissions(), fs::perms::owner_all);
  EXPECT_EQ(read_file(p), "newer");
  // A read-only file is replaced (the directory is writable) and stays read-only.
  fs::permissions(p, fs::perms::owner_read);
  {
    AtomicWriter w(p);
    w.stream() << "newest";
    w.commit();
  }
  EXPECT_EQ(fs::status(p).permissions(), fs::perms::owner_read);
  write_file_atomic(p, "again");
  EXPECT_EQ(fs::status(p).permissions(), fs::perms::owner_read);
  fs::permissions(p, fs::perms::owner_all);
  EXPECT_EQ(read_file(p), "again");
}

TEST(AtomicFile, CharacterDevicesAreWrittenInPlace) {
  // /dev/null and /dev/full stay devices; /dev/full's ENOSPC is an error, not a success.
  write_file_atomic("/dev/null", "discarded");
  EXPECT_EQ(kind_of("/dev/null"), std::filesystem::file_type::character);
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  expect_error([] { write_file_atomic("/dev/full", "x"); },
               "cannot write /dev/full: No space left on device");
  expect_error(
      [] {
        AtomicWriter w("/dev/full");
        w.stream() << "x";
        w.commit();
      },
      "cannot write /dev/full: No space left on device");
  EXPECT_EQ(kind_of("/dev/full"), std::filesystem::file_type::character);
}

TEST(AtomicFile, FifoReaderGetsTheData) {
  TempDir dir;
  const std::string fifo = dir.file("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = read_file(fifo); });
  write_file_atomic(fifo, "through the fifo");
  reader.join();
  EXPECT_EQ(got, "through the fifo");
  EXPECT_EQ(kind_of(fifo), std::filesystem::file_type::fifo);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"pipe"});
}

TEST(AtomicFile, InheritedDescriptorNamesWriteToTheDescriptor) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string name = "/dev/fd/" + std::to_string(fds[1]);
  EXPECT_EQ(resolve_output(name).kind, OutputTarget::Kind::descriptor);
  EXPECT_EQ(resolve_output("/dev/stdout").descriptor, 1);
  write_file_atomic(name, "one ");
  {
    AtomicWriter w("/proc/self/fd/" + std::to_string(fds[1]));
    w.stream() << "two";
    w.commit();
  }
  ::close(fds[1]);
  char buf[64] = {};
  const ssize_t n = ::read(fds[0], buf, sizeof buf);
  ::close(fds[0]);
  EXPECT_EQ(std::string(buf, n > 0 ? std::size_t(n) : 0), "one two");
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
