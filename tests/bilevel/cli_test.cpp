// `descent bilevel` run as a user would: JSON output, exit codes, bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>
#include "../support/cli_runner.hpp"

namespace {

using Result = descent::test::CliResult;

// stdout and stderr together, so failures show the message.
Result run(const std::string& args) {
  return descent::test::run_cli(DESCENT_CLI, args);
}

TEST(BilevelCli, LvHbaOnLlcToyJson) {
  const auto r = run("bilevel --problem llc-toy --method lvhba --iterations 10000 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["method"], "lvhba");
  EXPECT_LE(j["rel_err"].get<double>(), 2e-2);
}

TEST(BilevelCli, UnnormalizedMomentumDivergesWithExitCodeOne) {
  const auto ok = run("bilevel --problem cosh-toy --method borep --json");
  ASSERT_EQ(ok.code, 0) << ok.out;
  EXPECT_LT(nlohmann::json::parse(ok.out)["grad_phi_norm"].get<double>(), 1e-2);
  // SOBA at the BO-REP step overflows: reported as a status, exit code 1.
  const auto bad = run("bilevel --problem cosh-toy --method soba --step 0.1 --json");
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_EQ(nlohmann::json::parse(bad.out)["status"], "diverged");
}

TEST(BilevelCli, BlockMethodsAndBadInput) {
  const auto r =
      run("bilevel --problem mbbo-quadratic --method bsvrb2 --blocks 0 --sigma 0 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_LE(nlohmann::json::parse(r.out)["rel_err"].get<double>(), 1e-10);
  const auto mismatch = run("bilevel --problem llc-toy --method bsvrb1");
  EXPECT_EQ(mismatch.code, 2);
  EXPECT_NE(mismatch.out.find("method"), std::string::npos) << mismatch.out;
  const auto badopt = run("bilevel --problem cosh-toy --method borep --step -1");
  EXPECT_EQ(badopt.code, 2);
  EXPECT_NE(badopt.out.find("invalid option '--step'"), std::string::npos) << badopt.out;
}

// --blocks above the problem's 50 blocks was clamped silently: refused, naming the count.
TEST(BilevelCli, ImpossibleBlockCountIsRefused) {
  const Result r = run("bilevel --problem mbbo-quadratic --method bsvrb2 --blocks 500");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("50 blocks"), std::string::npos) << r.out;
}

}  // namespace
