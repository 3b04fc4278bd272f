// `descent repro batch-size-lr --quick` end to end (label: repro). The quick run has one seed
// and 4 000 samples, so its slopes are checked against wide sanity bands here and against the
// acceptance bands through the verdicts, which must agree with the reported metrics.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "../support/repro_runner.hpp"

namespace {

using descent::test::verdict;

TEST(BatchSizeLr, QuickReproductionMeasuresTheScalingLaws) {
  const descent::test::QuickRepro run(DESCENT_CLI, "batch-size-lr");
  ASSERT_TRUE(run.ok());
  const auto& s = run.summary();
  const auto& m = s["metrics"];
  for (const char* k : {"sgd_lr_slope", "adam_lr_slope", "batch_hessian_fit_r2",
                        "policy.loss_at_1_5x_epochs", "policy.tuned_constant_loss"})
    ASSERT_TRUE(m.contains(k)) << k;
  // λ_max(H_B) falls with B and fits a + c/B (a wide margin in every run so far: R² > 0.99).
  EXPECT_EQ(verdict(s, "batch_hessian_non_increasing"), "held");
  EXPECT_GT(m["batch_hessian_fit_r2"].get<double>(), 0.9);
  EXPECT_GT(m["batch_hessian_fit_c"].get<double>(), 0.0);
  // Larger batches tolerate larger rates, SGD more than Adam is not asserted (one seed).
  const double sgd = m["sgd_lr_slope"].get<double>(), adam = m["adam_lr_slope"].get<double>();
  EXPECT_GT(sgd, 0.5);
  EXPECT_LT(sgd, 1.3);
  EXPECT_GT(adam, 0.2);
  EXPECT_LT(adam, 1.0);
  EXPECT_EQ(verdict(s, "sgd_lr_scaling"),
            sgd >= 0.7 - 1e-9 && sgd <= 1.2 + 1e-9 ? "held" : "not held");
  EXPECT_EQ(verdict(s, "adam_lr_scaling"),
            adam >= 0.3 - 1e-9 && adam <= 0.7 + 1e-9 ? "held" : "not held");
  const bool policy_ok = m["policy.loss_at_1_5x_epochs"].get<double>() <=
                         m["policy.tuned_constant_loss"].get<double>();
  EXPECT_EQ(verdict(s, "curvature_policy_vs_tuned"), policy_ok ? "held" : "not held");
}

}  // namespace
