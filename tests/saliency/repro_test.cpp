// `descent repro normgrad --quick` end to end (label: repro): the metric names are
// present, the model learned, NormGrad points into the box and the files are written. The
// spec's class-sensitivity and sanity claims are reported, not required (they do not hold at
// this scale; docs/saliency.md), and the cost ratio is a measurement, not a test.
#include <gtest/gtest.h>

#include "../support/repro_runner.hpp"
#include "descent/io/png.hpp"

namespace {

TEST(NormGradRepro, QuickReproductionRunsAndReports) {
  const descent::test::QuickRepro run(DESCENT_CLI, "normgrad");
  ASSERT_TRUE(run.ok());
  const auto& m = run.metrics();
  for (const char* key :
       {"pointing.last_layer_hit", "pointing.combi_hit", "pointing.center_baseline",
        "pointing.gradient_hit", "pointing.gradcam_hit", "class_sensitivity.corr_first_layer",
        "class_sensitivity.corr_last_layer", "meta.corr_drop", "sanity.spearman_last_layer",
        "speed.normgrad_all_layers_over_gradient", "model.test_accuracy",
        "pointing.box_area_baseline"})
    EXPECT_TRUE(m.contains(key)) << key;
  EXPECT_GT(m["model.test_accuracy"].get<double>(), 0.6);
  EXPECT_GE(m["pointing.last_layer_hit"].get<double>(), 0.8);
  EXPECT_GE(m["pointing.combi_hit"].get<double>(),
            m["pointing.last_layer_hit"].get<double>() - 0.05);
  // A random point hits about (34/64)² of the time; the canvas centre far more often.
  EXPECT_NEAR(m["pointing.box_area_baseline"].get<double>(), 34.0 * 34.0 / 4096.0, 0.02);
  EXPECT_GT(m["pointing.center_baseline"].get<double>(), 0.6);
  // Meta-saliency moves the maps of the two classes apart.
  EXPECT_GT(m["meta.corr_drop"].get<double>(), 0.0);
  for (const char* key : {"class_sensitivity.corr_first_layer", "sanity.spearman_last_layer"}) {
    EXPECT_GT(m[key].get<double>(), -1.0) << key;
    EXPECT_LT(m[key].get<double>(), 1.0) << key;
  }
  const descent::io::Image maps = descent::io::read_png(run.file("maps.png"));
  EXPECT_EQ(maps.height, 8 * (64 + 2) + 2);  // 8 test images, one per row
  EXPECT_TRUE(std::filesystem::exists(run.file("pointing.csv")));
  EXPECT_TRUE(std::filesystem::exists(run.file("model/checkpoint.pt")));
}

}  // namespace
