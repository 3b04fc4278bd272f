// `descent repro sgd-stability --quick` end to end (label: repro): metric names present, numbers
// consistent with the claims' verdicts, and the diagonal-network claims hold.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "../support/repro_runner.hpp"

namespace {

TEST(SgdStability, QuickReproductionHoldsItsClaims) {
  const descent::test::QuickRepro run(DESCENT_CLI, "sgd-stability");
  ASSERT_TRUE(run.ok());
  const auto& s = run.summary();
  const auto& m = s["metrics"];
  for (const char* k : {"diag.sgd_max_trace_times_eta_over_2", "diag.gd_trace_times_eta_over_2",
                        "diag.sgd_test_over_gd_test", "relu.sgd_max_trace_times_eta_over_2",
                        "relu.gd_trace_times_eta_over_2", "relu.sgd_test_over_gd_test"})
    ASSERT_TRUE(m.contains(k)) << k;
  // The acceptance numbers of the issue, read from the measured metrics.
  EXPECT_LE(m["diag.sgd_max_trace_times_eta_over_2"].get<double>(), 1.05);
  EXPECT_GT(m["diag.gd_trace_times_eta_over_2"].get<double>(), 10.0);
  EXPECT_LE(m["diag.gd_lambda_max_times_eta_over_2"].get<double>(), 1.0);
  EXPECT_LE(m["diag.sgd_test_over_gd_test"].get<double>(), 0.1);
  EXPECT_LE(m["relu.sgd_max_trace_times_eta_over_2"].get<double>(), 1.05);
  EXPECT_LT(m["relu.sgd_test_over_gd_test"].get<double>(), 1.0);
  const std::set<std::string> must_hold = {"diag_sgd_trace_bound", "diag_gd_only_lambda_bound",
                                           "diag_sgd_generalizes", "diag_hutchinson_trace",
                                           "relu_sgd_trace_bound", "relu_gd_only_lambda_bound",
                                           "relu_sgd_generalizes"};
  descent::test::expect_claims_held(s, must_hold);
}

}  // namespace
