// `descent repro diffgrad --quick` end to end (label: repro): the metric names are
// present and the claims the quick run can judge hold. Known-negative claims (F3 oscillation)
// are checked only for being measured, never for their verdict.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "../support/repro_runner.hpp"

namespace {

namespace fs = std::filesystem;

TEST(DiffGradRepro, QuickReproductionHoldsItsClaims) {
  const descent::test::QuickRepro run(DESCENT_CLI, "diffgrad");
  ASSERT_TRUE(run.ok());
  const auto& s = run.summary();
  for (const char* m :
       {"f1.diffgrad_final_x", "f1.adam_final_x", "f2exact.diffgrad_final_x",
        "f2exact.adam_final_x", "fmnist_mlp.diffgrad_test_acc", "fmnist_mlp.adam_test_acc"})
    EXPECT_TRUE(s["metrics"].contains(m)) << m;
  const auto& m = s["metrics"];
  EXPECT_LT(std::abs(m["f1.diffgrad_final_x"].get<double>() + 0.3), 1e-3);
  EXPECT_LT(std::abs(m["f1.adam_final_x"].get<double>() - 0.2), 1e-3);
  const std::set<std::string> must_hold = {"f1_diffgrad_global",
                                           "f1_adam_local",
                                           "f2exact_diffgrad_global",
                                           "f2exact_adam_local",
                                           "legacy_behaves_like_adam_half",
                                           "fmnist_mlp_both_above_80_quick"};
  descent::test::expect_claims_held(s, must_hold);
  // Measured either way (the prototype did not reproduce it either): its verdict is held or
  // not held, never missing or unmeasured.
  const std::string f3 = descent::test::verdict(s, "f3_diffgrad_oscillates_less");
  EXPECT_TRUE(f3 == "held" || f3 == "not held") << f3;
  EXPECT_TRUE(fs::exists(run.file("trajectory_f1.csv")));
}

}  // namespace
