// `descent repro gbnn --quick` end to end (label: repro, about 10 s): the metric names of the
// issue are present, both models learned every set, the exactness and monotonicity checks hold
// (they do not depend on the scale of the run), and the fold files for the peers are written.
#include <gtest/gtest.h>

#include "../support/repro_runner.hpp"
#include "descent/io/csv.hpp"

namespace {

TEST(GbnnRepro, QuickReproductionRunsAndReports) {
  const descent::test::QuickRepro run(DESCENT_CLI, "gbnn");
  ASSERT_TRUE(run.ok());
  const auto& m = run.metrics();
  for (const char* set : {"digits", "breast_cancer", "wine"}) {
    const std::string s = set;
    for (const char* key : {".gbnn_score", ".mlp_score", ".gbnn_minus_mlp_pp"})
      EXPECT_TRUE(m.contains(s + key)) << s + key;
    EXPECT_GT(m[s + ".gbnn_score"].get<double>(), 0.9) << set;
    EXPECT_GT(m[s + ".mlp_score"].get<double>(), 0.9) << set;
  }
  for (const char* key : {"diabetes.gbnn_score", "diabetes.mlp_score", "diabetes.gbnn_rmse_ratio",
                          "digits.monotone_train_loss", "breast_cancer.monotone_train_loss",
                          "diabetes.monotone_train_loss", "digits.half_rounds_loss_pp",
                          "digits.mlp_half_units_loss_pp", "merge.max_abs_diff"})
    EXPECT_TRUE(m.contains(key)) << key;
  EXPECT_LT(m["diabetes.gbnn_score"].get<double>(), 70.0);  // RMSE; predicting the mean: 77
  EXPECT_LE(m["merge.max_abs_diff"].get<double>(), 1e-6);
  for (const char* key : {"digits.monotone_train_loss", "breast_cancer.monotone_train_loss",
                          "diabetes.monotone_train_loss"})
    EXPECT_EQ(m[key].get<double>(), 1.0) << key;
  const auto folds = descent::io::read_csv(run.file("digits_folds.csv"));
  EXPECT_EQ(folds.values.rows(), 1797);
  EXPECT_EQ(folds.values.col(1).maxCoeff(), 4.0);  // 5 folds in the quick run
  EXPECT_TRUE(std::filesystem::exists(run.file("digits_anytime.csv")));
}

}  // namespace
