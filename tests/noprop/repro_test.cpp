// `descent repro noprop --quick` end to end (label: repro, about 25 s): the metric names
// are present, the maths and locality checks hold (they do not depend on the run's size), the
// memory of a step does not grow with T, and NoProp learns digits. The accuracy thresholds are
// the full run's (docs/noprop.md).
#include <gtest/gtest.h>

#include "../support/repro_runner.hpp"

namespace {

TEST(NoPropRepro, QuickReproductionRunsAndReports) {
  const descent::test::QuickRepro run(DESCENT_CLI, "noprop");
  ASSERT_TRUE(run.ok());
  const auto& m = run.metrics();
  for (const char* key : {"maths.snr_identity_max_err", "locality.other_blocks_changed",
                          "locality.peak_mem_ratio_T10_over_T2", "digits.noprop_acc",
                          "digits.backprop_acc", "fmnist.noprop_acc", "fmnist.backprop_acc",
                          "ablation.no_noise_minus_noise_pp", "ablation.learned_minus_onehot_pp"})
    EXPECT_TRUE(m.contains(key)) << key;
  EXPECT_LE(m["maths.snr_identity_max_err"].get<double>(), 1e-6);
  EXPECT_EQ(m["locality.other_blocks_changed"].get<double>(), 0.0);
  EXPECT_NEAR(m["locality.peak_mem_ratio_T10_over_T2"].get<double>(), 1.0, 0.1);
  EXPECT_GT(m["digits.noprop_acc"].get<double>(), 0.9);
  EXPECT_GT(m["fmnist.noprop_acc"].get<double>(), 0.2);  // chance 0.1; 2k images, 2 epochs
  EXPECT_TRUE(std::filesystem::exists(run.file("digits_accuracy.csv")));
}

}  // namespace
