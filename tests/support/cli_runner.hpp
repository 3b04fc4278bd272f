// Runs the `descent` binary from end-to-end tests through the shell (popen) and captures its
// exit code and output. Header-only; tests pass the binary's path (DESCENT_CLI) themselves.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

namespace descent::test {

struct CliResult {
  int code = -1;    // exit status; -1 if the command could not start or was killed
  std::string out;  // stdout (and stderr too with CliStderr::merge)
  std::string err;  // stderr with CliStderr::file
};

enum class CliStderr {
  merge,    // 2>&1: stderr lands in out, in order
  discard,  // 2>/dev/null
  file,     // 2>err_file, read back into err
};

inline CliResult run_cli(const std::string& cli, const std::string& args,
                         CliStderr mode = CliStderr::merge, const std::string& err_file = "") {
  std::string cmd = cli + " " + args;
  switch (mode) {
    case CliStderr::merge:
      cmd += " 2>&1";
      break;
    case CliStderr::discard:
      cmd += " 2>/dev/null";
      break;
    case CliStderr::file:
      cmd += " 2>" + err_file;
      break;
  }
  CliResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (mode == CliStderr::file) {
    std::ifstream in(err_file);
    r.err.assign(std::istreambuf_iterator<char>(in), {});
  }
  return r;
}

}  // namespace descent::test
