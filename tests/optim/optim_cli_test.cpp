// `descent minimize --optimizer ...` and `descent train`, run as a user would.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "../support/cli_runner.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/json.hpp"

namespace {

namespace fs = std::filesystem;

using CliRun = descent::test::CliResult;

CliRun cli(const std::string& args) {
  return descent::test::run_cli(DESCENT_CLI, args, descent::test::CliStderr::discard);
}

fs::path temp(const std::string& name) {
  return fs::temp_directory_path() / ("descent_optcli_" + std::to_string(::getpid()) + name);
}

TEST(MinimizeCli, DiffGradOnF1WritesTheTrajectory) {
  const auto trace = temp("trace.csv");
  const CliRun r =
      cli("minimize --problem f1 --optimizer diffgrad --lr 0.1 --beta1 0.95 --iters 299 "
          "--trace " +
          trace.string() + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["x"][0].get<double>(), -0.3, 1e-3);
  const auto t = descent::io::read_csv_matrix(trace.string());
  EXPECT_EQ(t.rows(), 300);         // x_0 .. x_299
  EXPECT_DOUBLE_EQ(t(0, 2), -1.0);  // the notebook's start
  EXPECT_DOUBLE_EQ(t(299, 2), j["x"][0].get<double>());
  fs::remove(trace);
}

TEST(MinimizeCli, MethodAliasAndX0KeepWorking) {
  CliRun r = cli("minimize --problem booth --method gd --step 0.05 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["status"], "converged");
  r = cli("minimize --problem rosenbrock --method adam --lr 0.02 --iters 5000 --x0 0,0 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_LT(nlohmann::json::parse(r.out)["distance_to_optimum"].get<double>(), 1e-2);
}

TEST(MinimizeCli, BadInputAndDivergence) {
  EXPECT_EQ(cli("minimize --problem f1 --optimizer adam --x0 1,2").code, 2);
  EXPECT_EQ(cli("minimize --problem f1 --optimizer adam --x0 abc").code, 2);
  EXPECT_EQ(cli("minimize --problem f1 --optimizer adam --schedule cosine").code, 2);
  EXPECT_EQ(cli("minimize --problem rosenbrock --optimizer sgd --lr 1 --iters 100").code, 1);
}

TEST(TrainCli, DigitsWithCheckpointAndResume) {
  const auto dir = temp("ck");
  fs::remove_all(dir);
  const std::string base =
      "train --data digits --model mlp:32 --optimizer diffgrad --lr 0.003 "
      "--batch 32 --standardize --seed 5 --json --checkpoint " +
      dir.string();
  CliRun r = cli(base + " --epochs 1");
  ASSERT_EQ(r.code, 0) << r.out;
  r = cli(base + " --epochs 3 --resume");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["start_epoch"], 1);
  EXPECT_EQ(j["epochs"].size(), 2u);
  EXPECT_GT(j["test_accuracy"].get<double>(), 0.85);
  EXPECT_TRUE(fs::exists(dir / "checkpoint.pt"));
  EXPECT_EQ(cli("train --data digits --model cnn-small --epochs 1").code, 0);
  // The default model adapts to tabular data and says what it built (it used to build
  // 4-784-128-10-3 on iris and print "mlp:784-128-10").
  const auto iris = cli("train --data iris --epochs 1 --json");
  ASSERT_EQ(iris.code, 0) << iris.out;
  EXPECT_NE(iris.out.find("\"architecture\": \"4-128-3\""), std::string::npos) << iris.out;
  EXPECT_EQ(cli("train --data digits --model mlp:10-x").code, 2);
  EXPECT_EQ(cli("train --data nosuchdata").code, 2);
  fs::remove_all(dir);
}

// TrAct on the first layer: any model, checkpoint/resume with the lambda recorded.
TEST(TrainCli, TractWrapsTheFirstLayer) {
  const auto dir = temp("tract");
  fs::remove_all(dir);
  const std::string base =
      "train --data digits --model cnn-small --tract 0.1 --seed 3 --json "
      "--train-limit 400 --test-limit 200 --checkpoint " +
      dir.string();
  CliRun r = cli(base + " --epochs 1");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["tract_lambda"].get<double>(), 0.1);
  EXPECT_EQ(j["architecture"], "conv-128-10");
  r = cli(base + " --epochs 2 --resume");
  ASSERT_EQ(r.code, 0) << r.out;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["start_epoch"], 1);
  // Resuming without --tract (or with another lambda) would silently change the method: refused,
  // naming the lambda the checkpoint was trained with.
  const auto plain = descent::test::run_cli(
      DESCENT_CLI,
      "train --data digits --model cnn-small --seed 3 --train-limit 400 --test-limit 200 "
      "--epochs 3 --resume --checkpoint " +
          dir.string(),
      descent::test::CliStderr::merge);
  EXPECT_EQ(plain.code, 2);
  EXPECT_NE(plain.out.find("--tract 0.1"), std::string::npos) << plain.out;
  EXPECT_EQ(cli("train --data iris --model mlp:8 --epochs 1 --tract 0.1").code, 0);
  // A bad lambda is refused by name before any file is written.
  const auto bad_dir = temp("tract_bad");
  fs::remove_all(bad_dir);
  const auto bad = descent::test::run_cli(
      DESCENT_CLI, "train --data digits --epochs 1 --tract -1 --checkpoint " + bad_dir.string(),
      descent::test::CliStderr::merge);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.out.find("--tract"), std::string::npos) << bad.out;
  EXPECT_FALSE(fs::exists(bad_dir));
  fs::remove_all(dir);
}

}  // namespace
