// `descent hessian` run as a user would: λ_max, trace and density on digits, the Gauss-Newton
// variant, checkpoints from `descent train`, and bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>
#include "../support/cli_runner.hpp"

namespace {

namespace fs = std::filesystem;

using Out = descent::test::CliResult;

Out run(const std::string& args) {
  return descent::test::run_cli(DESCENT_CLI, args, descent::test::CliStderr::discard);
}

TEST(HessianCli, LambdaMaxTraceAndDensity) {
  const std::string base = "hessian --data digits --model mlp:16 --samples 300 --json ";
  const Out l = run(base + "--what lambda-max --lanczos-steps 30");
  ASSERT_EQ(l.code, 0) << l.out;
  const auto jl = nlohmann::json::parse(l.out);
  EXPECT_EQ(jl["parameters"], 64 * 16 + 16 + 16 * 10 + 10);
  EXPECT_EQ(jl["samples"], 300);
  const double lmax = jl["lambda_max"];
  EXPECT_GT(lmax, 0);
  EXPECT_LT(jl["lambda_min"].get<double>(), lmax);

  // The Gauss-Newton matrix is PSD, and its top eigenvalue is close to the Hessian's.
  const auto jg = nlohmann::json::parse(run(base + "--what lambda-max --matrix ggn").out);
  EXPECT_GT(jg["lambda_min"].get<double>(), -1e-10);
  EXPECT_GT(jg["lambda_max"].get<double>(), 0);

  const auto jt = nlohmann::json::parse(run(base + "--what trace --probes 200").out);
  EXPECT_EQ(jt["probes"], 200);
  EXPECT_GT(jt["standard_error"].get<double>(), 0);

  const fs::path png =
      fs::temp_directory_path() / ("descent_hess_" + std::to_string(::getpid()) + ".png");
  const Out d = run(base + "--what density --probes 2 --lanczos-steps 25 --plot " + png.string());
  ASSERT_EQ(d.code, 0);
  const auto jd = nlohmann::json::parse(d.out);
  double total = 0;
  for (double w : jd["weights"]) total += w;
  EXPECT_NEAR(total, 1.0, 1e-10);
  EXPECT_EQ(jd["nodes"].size(), 50u);
  // SLQ's trace estimate and Hutchinson's agree within their noise (both are probe averages).
  EXPECT_NEAR(jd["trace_estimate"].get<double>(), jt["trace"].get<double>(),
              4 * jt["standard_error"].get<double>() * std::sqrt(100.0) + 1e-9);
  EXPECT_TRUE(fs::exists(jd["plot_data"].get<std::string>()));
  fs::remove(png);
  fs::remove(jd["plot_data"].get<std::string>());
}

TEST(HessianCli, ReadsATrainCheckpoint) {
  const fs::path dir =
      fs::temp_directory_path() / ("descent_hess_ck_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  ASSERT_EQ(run("train --data digits --model mlp:16 --optimizer adam --epochs 1 --quiet "
                "--checkpoint " +
                dir.string())
                .code,
            0);
  const Out o = run("hessian --data digits --samples 200 --json --what lambda-max --checkpoint " +
                    (dir / "checkpoint.pt").string());
  ASSERT_EQ(o.code, 0) << o.out;
  const auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["model"], "mlp:16");  // taken from the checkpoint
  // The trained model's curvature differs from a fresh model's with the same seed.
  const auto fresh =
      nlohmann::json::parse(run("hessian --data digits --samples 200 --json --what lambda-max "
                                "--model mlp:16")
                                .out);
  EXPECT_NE(j["lambda_max"].get<double>(), fresh["lambda_max"].get<double>());
  // A checkpoint of another shape (trained on iris) for digits: one clear line and exit 2, not
  // "internal error: mat1 and mat2 shapes cannot be multiplied" with a LibTorch backtrace.
  const fs::path iris = dir / "iris";
  ASSERT_EQ(
      run("train --data iris --model mlp:16 --epochs 1 --quiet --checkpoint " + iris.string()).code,
      0);
  const Out bad =
      descent::test::run_cli(DESCENT_CLI,
                             "hessian --data digits --samples 200 --what lambda-max --checkpoint " +
                                 (iris / "checkpoint.pt").string(),
                             descent::test::CliStderr::merge);
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_NE(bad.out.find("the model for this data needs"), std::string::npos) << bad.out;
  EXPECT_EQ(bad.out.find("internal error"), std::string::npos) << bad.out;
  fs::remove_all(dir);
}

TEST(HessianCli, PlotWithoutDensityIsAWarning) {
  const Out r = descent::test::run_cli(
      DESCENT_CLI, "hessian --data digits --samples 100 --what lambda-max --plot x.png",
      descent::test::CliStderr::merge);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("warning: --plot applies to --what density only"), std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists("x.png"));
}

TEST(HessianCli, BadInputIsAnError) {
  EXPECT_EQ(run("hessian --data no-such-set --what trace").code, 2);
  EXPECT_EQ(run("hessian --what eigenvectors").code, 2);
  EXPECT_EQ(run("hessian --checkpoint /no/such/file.pt").code, 2);
}

}  // namespace
