// `descent repro sgd-stability --quick` end to end (label: repro): metric names present, numbers
// consistent with the claims' verdicts, and the diagonal-network claims hold.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "descent/io/json.hpp"

namespace {

namespace fs = std::filesystem;

TEST(SgdStability, QuickReproductionHoldsItsClaims) {
  const fs::path dir =
      fs::temp_directory_path() / ("descent_sgdstab_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string cmd = std::string(DESCENT_CLI) + " repro sgd-stability --quick --out " +
                          dir.string() + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const auto s = descent::io::read_json((dir / "sgd-stability" / "summary.json").string());
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
  std::size_t seen = 0;
  for (const auto& c : s["claims"]) {
    if (!must_hold.count(c["id"].get<std::string>())) continue;
    ++seen;
    EXPECT_EQ(c["verdict"], "held") << c.dump();
  }
  EXPECT_EQ(seen, must_hold.size());
  fs::remove_all(dir);
}

}  // namespace
