// The `learning-to-relax --quick` reproduction end to end (label: repro, about a minute): the
// issue's metric names are present and the claims the quick run can judge hold.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "descent/io/json.hpp"

namespace {

namespace fs = std::filesystem;

TEST(LearningToRelax, QuickReproductionHoldsItsClaims) {
  const fs::path dir = fs::temp_directory_path() / ("descent_l2r_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string cmd = std::string(DESCENT_CLI) + " repro learning-to-relax --quick --out " +
                          dir.string() + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const auto s = descent::io::read_json((dir / "learning-to-relax" / "summary.json").string());
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
