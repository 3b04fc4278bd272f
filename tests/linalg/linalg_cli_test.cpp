// End-to-end checks of `descent solve`, `descent solve-seq` and `descent gen`: results on good
// input, and clear errors (exit code 2, message naming the file and the problem) on bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "../support/cli_runner.hpp"
#include "descent/io/json.hpp"

namespace {

namespace fs = std::filesystem;

using Result = descent::test::CliResult;

// stdout and stderr together in out.
Result run(const std::string& args) {
  return descent::test::run_cli(DESCENT_CLI, args);
}

class LinalgCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("descent_linalg_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  fs::path dir_;
};

const char* kSpd =
    "%%MatrixMarket matrix coordinate real symmetric\n3 3 5\n1 1 4\n2 1 -1\n2 2 4\n3 2 -1\n3 3 4\n";
const char* kRhs = "%%MatrixMarket matrix array real general\n3 1\n1\n2\n3\n";

TEST_F(LinalgCli, SolvesWithEveryMethod) {
  const auto a = write("a.mtx", kSpd), b = write("b.mtx", kRhs);
  for (const char* m : {"cg", "pcg-jacobi", "pcg-ic", "sor", "ssor", "ssor-cg"}) {
    const Result r = run(std::string("solve ") + a + " " + b + " --method " + m + " --json");
    ASSERT_EQ(r.code, 0) << m << ": " << r.out;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["status"], "converged") << m;
    EXPECT_LT(j["true_residual"].get<double>(), 1e-7) << m;
  }
  // --omega optimal, --out and --x0 (warm start from the answer needs no iteration).
  const std::string x = (dir_ / "x.mtx").string();
  Result r = run("solve " + a + " " + b + " --method sor --omega optimal --tol 1e-12 --out " + x);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("omega = 1.0"), std::string::npos) << r.out;
  r = run("solve " + a + " " + b + " --method ssor-cg --x0 " + x + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["iterations"], 0);
}

TEST_F(LinalgCli, RejectsBadInputClearly) {
  const auto b = write("b.mtx", kRhs);
  const auto rect =
      write("rect.mtx", "%%MatrixMarket matrix coordinate real general\n3 2 2\n1 1 1\n2 2 1\n");
  Result r = run("solve " + rect + " " + b);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("rect.mtx: the matrix must be square, got 3 x 2"), std::string::npos)
      << r.out;

  const auto nonsym = write("nonsym.mtx",
                            "%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 4\n2 2 4\n"
                            "3 3 4\n1 3 1\n");
  for (const char* m : {"cg", "pcg-jacobi", "pcg-ic", "ssor-cg"}) {
    r = run("solve " + nonsym + " " + b + " --method " + m);
    EXPECT_EQ(r.code, 2) << m;
    EXPECT_NE(r.out.find("not symmetric"), std::string::npos) << r.out;
  }
  EXPECT_EQ(run("solve " + nonsym + " " + b + " --method sor").code, 0);  // SOR does not need it

  const auto malformed = write("bad.mtx",
                               "%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 4\n"
                               "2 two 4\n");
  r = run("solve " + malformed + " " + b);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("bad.mtx:4"), std::string::npos) << r.out;

  const auto a = write("a.mtx", kSpd);
  const auto b2 = write("b2.mtx", "%%MatrixMarket matrix array real general\n2 1\n1\n2\n");
  r = run("solve " + a + " " + b2);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("b must be a vector of 3 entries"), std::string::npos) << r.out;

  const auto zero_diag = write("zd.mtx",
                               "%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n1 1 1\n"
                               "2 1 1\n");
  r = run("solve " + zero_diag + " " + b2 + " --method sor");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("no diagonal entry"), std::string::npos) << r.out;

  r = run("solve " + a + " " + b + " --method sor --omega 2");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("'--omega': must lie in (0, 2)"), std::string::npos) << r.out;
  EXPECT_NE(run("solve " + a + " " + b + " --method gmres").code, 0);
  EXPECT_NE(run("solve " + (dir_ / "missing.mtx").string() + " " + b).code, 0);
  // A flag that does not apply is named, not silently ignored.
  r = run("solve " + a + " " + b + " --method cg --omega 1.5");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("warning: --omega does not apply to --method cg"), std::string::npos)
      << r.out;
  EXPECT_EQ(run("solve " + a + " " + b + " --method cg").out.find("warning"), std::string::npos);
}

TEST_F(LinalgCli, GeneratesAndSolvesSequences) {
  const std::string seq = (dir_ / "seq").string();
  Result r = run("gen shifted-laplacian --m 6 --count 12 --distribution low --out " + seq);
  ASSERT_EQ(r.code, 0) << r.out;
  ASSERT_TRUE(fs::exists(seq + "/manifest.txt"));
  ASSERT_TRUE(fs::exists(seq + "/A_00012.mtx"));
  for (const char* omega : {"tsallis", "tsallis-cb", "chebcb", "optimal", "fixed:1.5", "1.2"}) {
    r = run("solve-seq " + seq + "/manifest.txt --method sor --omega " + omega + " --json");
    ASSERT_EQ(r.code, 0) << omega << ": " << r.out;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["systems"].size(), 12u);
    std::size_t total = 0;
    for (const auto& s : j["systems"]) {
      EXPECT_EQ(s["status"], "converged");
      total += s["iterations"].get<std::size_t>();
      // The manifest's shift, whatever the policy (non-contextual ones used to show 0).
      EXPECT_TRUE(s["context"].is_number()) << omega;
      EXPECT_NE(s["context"].get<double>(), 0.0) << omega;
    }
    EXPECT_EQ(j["total_iterations"].get<std::size_t>(), total);
  }
  const std::string heat = (dir_ / "heat").string();
  r = run("gen heat2d --nx 8 --steps 5 --out " + heat);
  ASSERT_EQ(r.code, 0) << r.out;
  r = run("solve-seq " + heat + "/manifest.txt --omega chebcb --warm-start --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["systems"].size(), 5u);

  // A manifest line without a context, for a contextual learner, names the line and column.
  const auto man = write("m.txt", "# comment\n" + seq + "/A_00001.mtx " + seq + "/b_00001.mtx\n");
  r = run("solve-seq " + man + " --method sor --omega chebcb");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("m.txt:2"), std::string::npos) << r.out;
  const auto bad = write("bad.txt", seq + "/A_00001.mtx " + seq + "/b_00001.mtx zero\n");
  r = run("solve-seq " + bad);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("not a finite number"), std::string::npos) << r.out;
}

// gen shifted-laplacian had no guard: --m 300 with the default 5000 systems would write ~35 GB,
// and --m 3000 --count 2000 ended in std::bad_alloc (exit 3). Refused before anything is made.
TEST_F(LinalgCli, GenShiftedRefusesHugeOutput) {
  const std::string big = (dir_ / "shifted_big").string();
  for (const char* args : {"--m 300", "--m 3000 --count 2000"}) {
    const Result r = run(std::string("gen shifted-laplacian ") + args + " --out " + big);
    EXPECT_EQ(r.code, 2) << args << ": " << r.out;
    EXPECT_NE(r.out.find("would write about"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("--force"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(big));
  }
  EXPECT_EQ(run("gen shifted-laplacian --m 4 --count 3 --out " + big).code, 0);
  EXPECT_TRUE(fs::exists(fs::path(big) / "manifest.txt"));
}

// gen heat2d at its defaults (n_x = 100, 5000 steps) would write ~6 GB: it must refuse before
// creating anything, say how much and how to proceed; its estimate must match what it writes.
TEST_F(LinalgCli, GenHeatRefusesHugeOutputAndEstimatesSize) {
  const std::string big = (dir_ / "big").string();
  Result r = run("gen heat2d --out " + big);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("would write about"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" GB"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--force"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(big));
  // The estimate scales with the steps: 1000 steps at n_x = 100 are still above the limit.
  EXPECT_EQ(run("gen heat2d --nx 100 --steps 1000 --out " + big).code, 2);
  EXPECT_FALSE(fs::exists(big));

  const std::string small = (dir_ / "small").string();
  r = run("gen heat2d --nx 30 --steps 4 --out " + small);
  ASSERT_EQ(r.code, 0) << r.out;
  const auto at = r.out.find("about ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const double estimate_mb = std::stod(r.out.substr(at + 6));
  ASSERT_NE(r.out.find(" MB", at), std::string::npos) << r.out;
  double bytes = 0;
  for (const auto& e : fs::directory_iterator(small))
    if (e.path().extension() == ".mtx") bytes += static_cast<double>(fs::file_size(e.path()));
  EXPECT_NEAR(estimate_mb, bytes / 1e6, 0.25 * bytes / 1e6) << r.out;
  // --force is accepted (it only matters above the limit).
  EXPECT_EQ(run("gen heat2d --nx 8 --steps 2 --force --out " + (dir_ / "f").string()).code, 0);
}

}  // namespace
