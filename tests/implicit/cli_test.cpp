// `descent hyperopt` and `descent distill` as a user runs them: JSON output, the hypergradient
// check, exit code 2 and a clear message for bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "../support/cli_runner.hpp"
#include "descent/io/json.hpp"

namespace {

namespace fs = std::filesystem;

using Result = descent::test::CliResult;

// stdout and stderr together, so failures show the message.
Result run(const std::string& args) {
  return descent::test::run_cli(DESCENT_CLI, args);
}

fs::path temp(const std::string& name) {
  return fs::temp_directory_path() / ("descent_implicit_" + std::to_string(::getpid()) + name);
}

TEST(HyperoptCli, RidgeOnDiabetesPassesTheHypergradientCheck) {
  const Result r = run("hyperopt --data diabetes --model ridge --outer-steps 20 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  // No convergence test on lambda: the outer budget ends the run (it used to say "converged").
  EXPECT_EQ(j["status"], "max_iterations");
  EXPECT_LT(j["fd_rel_err"].get<double>(), 1e-5);
  EXPECT_LE(j["val_loss_final"].get<double>(), j["val_loss_initial"].get<double>());
  EXPECT_EQ(j["path"].size(), 21u);
}

// Inner solves stopped by their cap used to be ignored (the run said "converged", exit 0, with
// a wrong validation loss): they make the run failed, exit 1, with the count in --json.
TEST(HyperoptCli, UnconvergedInnerSolvesAreReported) {
  const Result r =
      run("hyperopt --data diabetes --model lasso --outer-steps 2 --inner-iterations 3 --json");
  EXPECT_EQ(r.code, 1) << r.out;
  const auto j = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  EXPECT_EQ(j["status"], "failed");
  EXPECT_EQ(j["inner_solve_failures"], 3);
  EXPECT_NE(j["message"].get<std::string>().find("inner solves"), std::string::npos);
}

TEST(HyperoptCli, LassoWithPlainCgIsReportedAsFailed) {
  const Result ok = run("hyperopt --data diabetes --model lasso --outer-steps 5 --json");
  ASSERT_EQ(ok.code, 0) << ok.out;
  EXPECT_FALSE(nlohmann::json::parse(ok.out)["cg_flagged"].get<bool>());
  const Result cg = run("hyperopt --data diabetes --model lasso --solver cg --outer-steps 5");
  EXPECT_EQ(cg.code, 1) << cg.out;
  EXPECT_NE(cg.out.find("non-symmetric"), std::string::npos) << cg.out;
}

TEST(HyperoptCli, CsvInputAndBadInput) {
  const fs::path train = temp("_train.csv"), val = temp("_val.csv");
  {
    std::ofstream a(train), b(val);
    a << "x1,x2,y\n";
    b << "x1,x2,y\n";
    for (int i = 0; i < 40; ++i) {
      a << i % 7 << "," << (i * 3) % 5 << "," << (i % 2) << "\n";
      b << (i + 1) % 7 << "," << (i * 2) % 5 << "," << ((i + 1) % 2) << "\n";
    }
  }
  const Result ok = run("hyperopt --train " + train.string() + " --val " + val.string() +
                        " --model logreg --outer-steps 3 --json");
  EXPECT_EQ(ok.code, 0) << ok.out;
  {
    std::ofstream b(val, std::ios::app);
    b << "1,2,0.5\n";  // line 42: not a class index
  }
  const Result bad = run("hyperopt --train " + train.string() + " --val " + val.string() +
                         " --model logreg --outer-steps 3");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.out.find(val.string() + ":42"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("target"), std::string::npos) << bad.out;
  const Result mixed = run("hyperopt --data diabetes --model logreg");
  EXPECT_EQ(mixed.code, 2) << mixed.out;
  EXPECT_NE(mixed.out.find("model"), std::string::npos) << mixed.out;
  const Result hyper = run("hyperopt --data diabetes --model ridge --hyper l1");
  EXPECT_EQ(hyper.code, 2) << hyper.out;
  EXPECT_NE(hyper.out.find("hyper"), std::string::npos) << hyper.out;
  fs::remove(train);
  fs::remove(val);
}

TEST(DistillCli, DigitsWritesAPngAndBeatsRandomImages) {
  const fs::path png = temp(".png");
  const Result r = run("distill --data digits --outer-steps 15 --out " + png.string() + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["acc_distilled"].get<double>(), j["acc_random_real"].get<double>());
  ASSERT_TRUE(fs::exists(png));
  std::ifstream in(png, std::ios::binary);
  char magic[8];
  in.read(magic, 8);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
  fs::remove(png);
  // The budget, not a convergence test, ends the run.
  EXPECT_EQ(j["status"], "max_iterations");
  EXPECT_EQ(run("distill --images-per-class 0").code, 2);
  // PNG data under a .jpg name used to be written; now refused before the run.
  const fs::path jpg = temp(".jpg");
  const Result bad = run("distill --data digits --outer-steps 1 --out " + jpg.string());
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_NE(bad.out.find(".png"), std::string::npos) << bad.out;
  EXPECT_FALSE(fs::exists(jpg));
}

}  // namespace
