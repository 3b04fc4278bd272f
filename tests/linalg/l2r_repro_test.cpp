// The `learning-to-relax --quick` reproduction end to end (label: repro, about a minute): the
// issue's metric names are present and the claims the quick run can judge hold.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "../support/repro_runner.hpp"

namespace {

TEST(LearningToRelax, QuickReproductionHoldsItsClaims) {
  const descent::test::QuickRepro run(DESCENT_CLI, "learning-to-relax");
  ASSERT_TRUE(run.ok());
  const auto& s = run.summary();
  for (const char* m :
       {"sor_lowvar.tsallis_last1000_over_best_fixed", "sor_lowvar.tsallis_all_over_best_fixed",
        "sor_highvar.chebcb_last1000_over_instance_optimal",
        "sor_highvar.chebcb_last1000_over_best_fixed", "heat_nx100.tsallis_iters_over_best_fixed",
        "heat_nx100.chebcb_iters_over_best_fixed"})
    EXPECT_TRUE(s["metrics"].contains(m)) << m;
  // n_x = 200 (heat_nx200.chebcb_time_over_gs_pcg) runs only in the full reproduction.
  const std::set<std::string> must_hold = {"sor_counts_match_calibration",
                                           "lowvar_tsallis_last1000_near_best_fixed",
                                           "lowvar_tsallis_cumulative_near_best_fixed",
                                           "lowvar_tsallis_beats_small_omegas",
                                           "highvar_chebcb_near_instance_optimal",
                                           "highvar_chebcb_beats_best_fixed",
                                           "heat_nx100_chebcb_beats_best_fixed"};
  descent::test::expect_claims_held(s, must_hold);
}

}  // namespace
