// Runs `descent repro ID --quick` into a fresh temporary folder and reads its summary.json: the
// steps every quick-reproduction test shares. Header-only; tests pass DESCENT_CLI themselves.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "descent/io/json.hpp"

namespace descent::test {

// One quick run. The output folder lives as long as this object, so tests can check the files a
// reproduction writes (plots, CSVs) before it is removed.
class QuickRepro {
 public:
  QuickRepro(const std::string& cli, const std::string& id, const std::string& extra_args = "")
      : id_(id),
        dir_(std::filesystem::temp_directory_path() /
             ("descent_repro_" + id + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    const std::string cmd = cli + " repro " + id + " --quick " + extra_args + " --out " +
                            dir_.string() + " > /dev/null 2>&1";
    exit_code_ = std::system(cmd.c_str());
    EXPECT_EQ(exit_code_, 0) << cmd;
    const auto summary = dir_ / id / "summary.json";
    if (std::filesystem::exists(summary))
      summary_ = io::read_json(summary.string());
    else
      ADD_FAILURE() << "no " << summary;
  }
  ~QuickRepro() { std::filesystem::remove_all(dir_); }
  QuickRepro(const QuickRepro&) = delete;
  QuickRepro& operator=(const QuickRepro&) = delete;

  bool ok() const { return exit_code_ == 0 && summary_.is_object(); }
  const nlohmann::json& summary() const { return summary_; }
  const nlohmann::json& metrics() const { return summary_["metrics"]; }
  // A file the reproduction wrote, e.g. file("trajectory_f1.csv").
  std::filesystem::path file(const std::string& name) const { return dir_ / id_ / name; }

 private:
  std::string id_;
  std::filesystem::path dir_;
  int exit_code_ = -1;
  nlohmann::json summary_;
};

// The verdict of claim `id`, or "missing".
inline std::string verdict(const nlohmann::json& summary, const std::string& id) {
  for (const auto& c : summary["claims"])
    if (c["id"] == id) return c["verdict"].get<std::string>();
  return "missing";
}

// Every claim in `ids` is present and held.
inline void expect_claims_held(const nlohmann::json& summary, const std::set<std::string>& ids) {
  std::size_t seen = 0;
  for (const auto& c : summary["claims"]) {
    if (!ids.count(c["id"].get<std::string>())) continue;
    ++seen;
    EXPECT_EQ(c["verdict"], "held") << c.dump();
  }
  EXPECT_EQ(seen, ids.size());
}

}  // namespace descent::test
