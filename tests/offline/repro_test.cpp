// `descent repro ignite --quick` end to end (label: repro, about 5 s): the metric names
// are present, the mechanics hold whatever the run's size (the FD HVP at r = 1e-4, the
// bit-exact restore, the dual rule, the regulariser around COMs), and the plots' data exist.
// The paper's claim (I3) is the full run's (docs/offline.md).
#include <gtest/gtest.h>

#include "../support/repro_runner.hpp"

namespace {

TEST(IgniteRepro, QuickReproductionRunsAndReports) {
  const descent::test::QuickRepro run(DESCENT_CLI, "ignite");
  ASSERT_TRUE(run.ok());
  const auto& m = run.metrics();
  for (const char* key :
       {"i1.fd_hvp_cosine_r1e-4", "i1.fd_hvp_cosine_r0.05", "i1.restore_bit_exact",
        "i2.dual_rule_max_err", "i2.clamped_fraction_within_eps", "i3.tasks_ignite_ge_vanilla",
        "i4.second_optimizer_trains", "ackley20.vanilla.p100_mean", "ackley20.ignite.p100_se",
        "tfbind8.ignite2.p50_mean", "tfbind8.ignite_code_faithful.heldout_sharpness"})
    EXPECT_TRUE(m.contains(key)) << key;
  EXPECT_GE(m["i1.tanh_fd_hvp_cosine_r1e-4"].get<double>(), 0.999);
  EXPECT_GE(m["i1.tanh_fd_hvp_cosine_r0.05"].get<double>(), 0.95);
  EXPECT_EQ(m["i1.restore_bit_exact"].get<double>(), 1.0);
  EXPECT_LE(m["i2.dual_rule_max_err"].get<double>(), 1e-12);
  EXPECT_EQ(m["i4.second_optimizer_trains"].get<double>(), 1.0);
  EXPECT_EQ(m["grid.diverged_runs"].get<double>(), 0.0);
  // Gradient ascent from the top designs beats the data's best on tfbind8 (0.5 = its median).
  EXPECT_GT(m["tfbind8.vanilla.p100_mean"].get<double>(), 0.5);
  EXPECT_TRUE(std::filesystem::exists(run.file("p100.csv")));
  EXPECT_TRUE(std::filesystem::exists(run.file("lambda.csv")));
}

}  // namespace
