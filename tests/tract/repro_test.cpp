// `descent repro tract --quick` end to end (label: repro): the metric names of the issue are
// present, the golden check and the overhead bound hold. The accuracy claims are reported, not
// required here: a 15k-sample, one-seed run is too small to gate on.
#include <gtest/gtest.h>

#include "../support/repro_runner.hpp"

namespace {

TEST(TractRepro, QuickReproductionRunsAndReports) {
  const descent::test::QuickRepro run(DESCENT_CLI, "tract");
  ASSERT_TRUE(run.ok());
  const auto& m = run.metrics();
  for (const char* key :
       {"golden.linear_max_abs_err", "golden.conv_max_abs_err", "patchcnn_adam.e2.baseline_acc",
        "patchcnn_adam.e2.tract_acc", "patchcnn_adam.e2.margin_pp",
        "patchcnn_adam.tract_e2_minus_baseline_e3_pp", "overhead.step_time_ratio"})
    EXPECT_TRUE(m.contains(key)) << key;
  EXPECT_LE(m["golden.linear_max_abs_err"].get<double>(), 1e-4);
  EXPECT_LE(m["golden.conv_max_abs_err"].get<double>(), 1e-4);
  EXPECT_LE(m["overhead.step_time_ratio"].get<double>(), 2.0);
  // Both arms trained: better than chance by far.
  EXPECT_GT(m["patchcnn_adam.e2.baseline_acc"].get<double>(), 60.0);
  EXPECT_GT(m["patchcnn_adam.e2.tract_acc"].get<double>(), 60.0);
  EXPECT_TRUE(std::filesystem::exists(run.file("patchcnn_accuracy.csv")));
}

}  // namespace
