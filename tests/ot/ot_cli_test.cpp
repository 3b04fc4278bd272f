// End-to-end checks of `descent ot`: CSV and .npy inputs, every method, plan and potential
// files, JSON output, and clear errors (exit code 2) for bad files and inconsistent masses.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "../support/cli_runner.hpp"
#include "descent/core/rng.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/json.hpp"
#include "descent/io/npy.hpp"

namespace {

namespace fs = std::filesystem;

using CliRun = descent::test::CliResult;

// stdout in out, stderr (via a file in `dir`) in err.
CliRun run(const std::string& args, const fs::path& dir) {
  return descent::test::run_cli(DESCENT_CLI, args, descent::test::CliStderr::file,
                                (dir / "stderr.txt").string());
}

class OtCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("descent_ot_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    descent::Rng rng = descent::make_rng(5, {1});
    descent::io::write_csv(path("a.csv"), descent::uniform_matrix(rng, 40, 2), {"x", "y"});
    descent::io::write_npy(path("b.npy"), descent::uniform_matrix(rng, 30, 2));
    descent::io::write_npy(path("wb.npy"), Eigen::MatrixXd::Constant(30, 1, 1.0 / 30));
    descent::io::write_npy(path("wb_bad.npy"), Eigen::MatrixXd::Constant(30, 1, 1.1 / 30));
    std::ofstream(path("ragged.csv")) << "1,2\n3\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  CliRun ot(const std::string& args) const { return run("ot " + args, dir_); }

  fs::path dir_;
};

TEST_F(OtCli, EveryMethodSolvesCsvAgainstNpy) {
  double exact = 0;
  for (const char* m : {"exact", "sinkhorn", "sinkhorn-eps", "sns"}) {
    const CliRun r = ot("--json --source " + path("a.csv") + " --target " + path("b.npy") +
                        " --target-weights " + path("wb.npy") +
                        " --normalize-cost --eta 300 --tol 1e-9 --method " + m);
    ASSERT_EQ(r.code, 0) << m << ": " << r.err;
    const auto j = descent::io::Json::parse(r.out);
    EXPECT_EQ(j["status"], "converged") << m;
    EXPECT_EQ(j["rows"], 40);
    EXPECT_EQ(j["cols"], 30);
    EXPECT_LE(j["marginal_error"].get<double>(), 1e-9) << m;
    if (std::string(m) == "exact")
      exact = j["transport_cost"].get<double>();
    else
      EXPECT_GE(j["transport_cost"].get<double>(), exact - 1e-12) << m;
  }
}

TEST_F(OtCli, WritesPlanAndPotentials) {
  const CliRun r =
      ot("--source " + path("a.csv") + " --target " + path("b.npy") +
         " --method sns --eta 200 --plan " + path("plan.npy") + " --potentials " + path("pot.npy"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("transport cost"), std::string::npos);
  EXPECT_NE(r.out.find("marginal error"), std::string::npos);
  const Eigen::MatrixXd plan = descent::io::read_npy_matrix(path("plan.npy"));
  EXPECT_EQ(plan.rows(), 40);
  EXPECT_EQ(plan.cols(), 30);
  EXPECT_NEAR(plan.sum(), 1.0, 1e-9);
  EXPECT_EQ(descent::io::read_npy_matrix(path("pot.npy")).size(), 70);
}

TEST_F(OtCli, ClearErrorsForBadInput) {
  CliRun r = ot("--source " + path("a.csv") + " --target " + path("b.npy") + " --target-weights " +
                path("wb_bad.npy"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("masses differ"), std::string::npos) << r.err;
  r = ot("--source " + path("ragged.csv") + " --target " + path("b.npy"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("ragged.csv:2"), std::string::npos) << r.err;
  r = ot("--source " + path("missing.csv") + " --target " + path("b.npy"));
  EXPECT_EQ(r.code, 2);
  r = ot("--source " + path("a.csv") + " --target " + path("wb.npy"));  // 1-D vs 2-D points
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("coordinates"), std::string::npos) << r.err;
  r = ot("--source " + path("a.txt.json") + " --target " + path("b.npy"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unsupported"), std::string::npos) << r.err;
  EXPECT_NE(ot("--source " + path("a.csv") + " --target " + path("b.npy") + " --method nope").code,
            0);
}

}  // namespace
