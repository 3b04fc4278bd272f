// Dataset distillation's outer loop keeps descent::Run's contract (tests/contract covers the
// registered methods): a callback stop ends it as stopped with its last row, history only when
// asked.
#include <gtest/gtest.h>

#include "../support/stop_at.hpp"
#include "descent/core/callbacks.hpp"
#include "descent/data/datasets.hpp"
#include "descent/implicit/distill.hpp"

namespace {

using namespace descent;

using test::StopAt;

struct Digits {
  implicit::Mat xt, xs;
  Eigen::VectorXi yt, ys;
  Digits() {
    const data::Dataset all = data::load("digits");
    auto [tr, te] = data::train_validation_split(all, 0.3, 1);
    xt = tr.features.topRows(300);
    yt = tr.targets.head(300).cast<int>();
    xs = te.features;
    ys = te.targets.cast<int>();
  }
};

TEST(Distill, CallbackStopKeepsTheLastRow) {
  const Digits d;
  implicit::DistillOptions o;
  o.outer_steps = 6;
  o.random_draws = 1;
  o.record_history = true;
  o.history_stride = 4;  // iteration 2 is not on the stride
  Callbacks cb;
  cb.emplace<StopAt>(2, "stop at 2");
  const implicit::DistillResult r = implicit::distill(d.xt, d.yt, d.xs, d.ys, 10, o, cb);
  EXPECT_EQ(r.summary.status, Status::stopped) << r.summary.brief();
  EXPECT_EQ(r.summary.message, "stop at 2");
  EXPECT_EQ(r.summary.iterations, 2u);
  ASSERT_EQ(r.summary.history.size(), 2u);  // the start and iteration 2
  EXPECT_EQ(r.summary.history.front().iteration, 0u);
  EXPECT_EQ(r.summary.history.back().iteration, 2u);
  EXPECT_EQ(r.summary.history.back().objective, r.summary.objective);
  EXPECT_EQ(r.outer_loss.back(), r.summary.objective);
}

TEST(Distill, FullRunIsMaxIterationsWithoutHistory) {
  const Digits d;
  implicit::DistillOptions o;
  o.outer_steps = 2;
  o.random_draws = 1;
  const implicit::DistillResult r = implicit::distill(d.xt, d.yt, d.xs, d.ys, 10, o);
  EXPECT_EQ(r.summary.status, Status::max_iterations) << r.summary.brief();
  EXPECT_EQ(r.summary.iterations, 2u);
  EXPECT_TRUE(r.summary.history.empty());
  EXPECT_LE(r.outer_loss.back(), r.outer_loss.front());
}

}  // namespace
