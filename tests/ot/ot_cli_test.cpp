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

// The default command: uniform 2-D Gaussian clouds N(0, I) (60 points) and N(1, I) (80
// points), raw squared-Euclidean cost (max C ~ 25-45), every option at its default. It used to
// write a plan with entries of 8.2e307, print "transport cost = inf" and exit 0.
TEST_F(OtCli, DefaultCommandOnRawCostCloudsWritesAPlan) {
  descent::Rng rng = descent::make_rng(7, {1});
  descent::io::write_csv(path("g0.csv"), descent::normal_matrix(rng, 60, 2), {"x", "y"});
  descent::io::write_npy(path("g1.npy"),
                         Eigen::MatrixXd(descent::normal_matrix(rng, 80, 2).array() + 1.0));
  const CliRun r = ot("--source " + path("g0.csv") + " --target " + path("g1.npy") + " --plan " +
                      path("p.npy") + " --json");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto j = descent::io::Json::parse(r.out);
  EXPECT_EQ(j["status"], "converged");
  EXPECT_LE(j["marginal_error"].get<double>(), 1e-9);
  EXPECT_TRUE(j["transport_cost"].is_number());
  const Eigen::MatrixXd plan = descent::io::read_npy_matrix(path("p.npy"));
  EXPECT_NEAR(plan.sum(), 1.0, 1e-9);
  EXPECT_LE(plan.maxCoeff(), 1.0);
  EXPECT_GE(plan.minCoeff(), 0.0);
}

// A run that cannot converge in its budget: exit 1, no plan unless --keep-partial, and the
// achieved error as a number.
TEST_F(OtCli, UnconvergedRunExitsOneAndWritesNoPlan) {
  const std::string base = "--source " + path("a.csv") + " --target " + path("b.npy") +
                           " --method sns --max-iterations 3 --plan " + path("p.npy") +
                           " --potentials " + path("z.npy");
  CliRun r = ot(base + " --json");
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  auto j = descent::io::Json::parse(r.out);
  EXPECT_EQ(j["status"], "max_iterations");
  ASSERT_TRUE(j["marginal_error"].is_number()) << r.out;
  EXPECT_GT(j["marginal_error"].get<double>(), 1e-10);
  EXPECT_TRUE(j["transport_cost"].is_number());
  EXPECT_FALSE(j.contains("plan_file"));
  EXPECT_FALSE(fs::exists(path("p.npy")));
  EXPECT_FALSE(fs::exists(path("z.npy")));
  EXPECT_NE(r.err.find("--keep-partial"), std::string::npos) << r.err;

  r = ot(base + " --keep-partial");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("warning"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(path("p.npy")));
  EXPECT_TRUE(fs::exists(path("z.npy")));
  // One marginal error in the text output, the plan's own.
  EXPECT_EQ(r.out.find("|g|"), std::string::npos) << r.out;

  // Sinkhorn too.
  r = ot("--source " + path("a.csv") + " --target " + path("b.npy") +
         " --method sinkhorn --max-iterations 2 --plan " + path("q.npy"));
  EXPECT_EQ(r.code, 1);
  EXPECT_FALSE(fs::exists(path("q.npy")));
}

TEST_F(OtCli, BadNumbersAreRefusedNotReplacedByDefaults) {
  const std::string base = "--source " + path("a.csv") + " --target " + path("b.npy");
  for (const char* bad : {"--tol -5", "--tol nan", "--max-iterations 0", "--max-newton-steps 0"}) {
    const CliRun r = ot(base + " --method sns " + bad);
    EXPECT_EQ(r.code, 2) << bad << ": " << r.out << r.err;
  }
  // Sinkhorn accepts a cap of 0 (it measures the starting point): that is an unconverged run,
  // not "the default cap" as it used to be.
  const CliRun r = ot(base + " --method sinkhorn --max-iterations 0 --json");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(descent::io::Json::parse(r.out)["iterations"], 0);
}

TEST_F(OtCli, MatrixFreePathEqualsTheDensePath) {
  const std::string base =
      "--source " + path("a.csv") + " --target " + path("b.npy") + " --target-weights " +
      path("wb.npy") + " --normalize-cost --eta 40 --tol 1e-11 --method sinkhorn --set domain=log";
  CliRun dense = ot(base + " --json --potentials " + path("zd.npy"));
  ASSERT_EQ(dense.code, 0) << dense.err;
  EXPECT_EQ(descent::io::Json::parse(dense.out)["path"], "dense");
  CliRun free = ot(base + " --json --matrix-free --potentials " + path("zf.npy"));
  ASSERT_EQ(free.code, 0) << free.err;
  const auto j = descent::io::Json::parse(free.out);
  EXPECT_EQ(j["path"], "matrix-free");
  EXPECT_EQ(j["rows"], 40);
  EXPECT_LE(j["marginal_error"].get<double>(), 1e-11);
  const Eigen::MatrixXd zd = descent::io::read_npy_matrix(path("zd.npy"));
  const Eigen::MatrixXd zf = descent::io::read_npy_matrix(path("zf.npy"));
  ASSERT_EQ(zd.size(), 70);
  EXPECT_LE((zd - zf).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_NEAR(j["transport_cost"].get<double>(),
              descent::io::Json::parse(dense.out)["transport_cost"].get<double>(), 1e-12);
}

TEST_F(OtCli, OverTheMemoryBudgetPointCloudsGoMatrixFree) {
  const std::string base = "--source " + path("a.csv") + " --target " + path("b.npy");
  // 40 x 30 dense costs take 29 KB: a budget of 1e-6 GB (1 KB) is exceeded. The default method
  // (sns) needs the dense cost, so the path runs sinkhorn and says so.
  CliRun r = ot(base + " --memory-budget 1e-6 --eta 50");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("path: matrix-free (the dense cost would need"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("method sinkhorn (sns needs the dense cost)"), std::string::npos) << r.out;
  // An explicit method that needs the dense cost is an error naming the flag.
  r = ot(base + " --memory-budget 1e-6 --method sns");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--method"), std::string::npos) << r.err;
  r = ot(base + " --matrix-free --method exact");
  EXPECT_EQ(r.code, 2);
  // Images are not point clouds.
  r = ot("--images --source " + path("a.csv") + " --target " + path("a.csv") + " --matrix-free");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--matrix-free"), std::string::npos) << r.err;
  // A plan from the matrix-free path, on request and within the budget.
  r = ot(base + " --matrix-free --method sinkhorn-eps --eta 100 --plan " + path("pf.npy"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NEAR(descent::io::read_npy_matrix(path("pf.npy")).sum(), 1.0, 1e-8);
}

}  // namespace
