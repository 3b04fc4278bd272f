// `descent repro implicit-diff --quick` end to end (label: repro): the metrics are present
// and the acceptance claims hold.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "../support/repro_runner.hpp"

namespace {

namespace fs = std::filesystem;

TEST(ImplicitDiffRepro, QuickReproductionHoldsItsClaims) {
  const descent::test::QuickRepro run(DESCENT_CLI, "implicit-diff");
  ASSERT_TRUE(run.ok());
  const auto& s = run.summary();
  const auto& m = s["metrics"];
  for (const char* k :
       {"ridge.hypergrad_rel_err", "lasso.normal_cg_rel_err", "lasso.cg_flagged", "precision.slope",
        "svm.implicit_over_unrolled_time", "distill.acc_distilled", "distill.acc_random_real"})
    ASSERT_TRUE(m.contains(k)) << k;
  EXPECT_LE(m["ridge.hypergrad_rel_err"].get<double>(), 1e-10);
  EXPECT_LE(m["lasso.normal_cg_rel_err"].get<double>(), 1e-8);
  EXPECT_EQ(m["lasso.cg_flagged"].get<double>(), 1.0);
  EXPECT_GE(m["precision.slope"].get<double>(), 0.8);
  EXPECT_LE(m["precision.slope"].get<double>(), 1.2);
  EXPECT_GT(m["distill.acc_distilled"].get<double>(), m["distill.acc_random_real"].get<double>());
  const std::set<std::string> must_hold = {"ridge_closed_form",
                                           "ridge_finite_difference",
                                           "logreg_finite_difference",
                                           "lasso_normal_cg",
                                           "lasso_gmres",
                                           "lasso_cg_flagged",
                                           "id5_jacobians",
                                           "precision_slope",
                                           "svm_hypergradients_agree",
                                           "distill_beats_random_real"};
  descent::test::expect_claims_held(s, must_hold);
  EXPECT_TRUE(fs::exists(run.file("distilled.png")));
}

}  // namespace
