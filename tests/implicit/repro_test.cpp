// `descent repro implicit-diff --quick` end to end (label: repro): the metrics are present
// and the acceptance claims hold.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "descent/io/json.hpp"

namespace {

namespace fs = std::filesystem;

TEST(ImplicitDiffRepro, QuickReproductionHoldsItsClaims) {
  const fs::path dir = fs::temp_directory_path() / ("descent_idiff_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string cmd = std::string(DESCENT_CLI) + " repro implicit-diff --quick --out " +
                          dir.string() + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const auto s = descent::io::read_json((dir / "implicit-diff" / "summary.json").string());
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
  std::size_t seen = 0;
  for (const auto& c : s["claims"]) {
    if (!must_hold.count(c["id"].get<std::string>())) continue;
    ++seen;
    EXPECT_EQ(c["verdict"], "held") << c.dump();
  }
  EXPECT_EQ(seen, must_hold.size());
  EXPECT_TRUE(fs::exists(dir / "implicit-diff" / "distilled.png"));
  fs::remove_all(dir);
}

}  // namespace
