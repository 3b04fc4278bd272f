// descent::Run, the shared iteration driver: history with a stride and keep-last, the callback
// stop, first-wins end(), wants()/keep_final() for methods with costly rows.
#include "descent/core/run.hpp"

#include <gtest/gtest.h>

#include "descent/core/error.hpp"

namespace descent {
namespace {

IterationInfo at(std::size_t k, double f = 1.0) {
  IterationInfo info;
  info.iteration = k;
  info.objective = f;
  return info;
}

std::vector<std::size_t> iterations(const Summary& s) {
  std::vector<std::size_t> out;
  for (const auto& r : s.history) out.push_back(r.iteration);
  return out;
}

class StopAfter : public Callback {
 public:
  explicit StopAfter(std::size_t k) : k_(k) {}
  bool iteration(const IterationInfo& info) override { return info.iteration >= k_; }
  std::string stop_reason() const override { return "enough"; }
  void end(const Summary& s) override { ended_with = s.status; }
  Status ended_with = Status::failed;

 private:
  std::size_t k_;
};

TEST(Run, StrideKeepsTheLastRowAndTheStart) {
  Callbacks cb;
  descent::Run run("m", 3, 10, {true, 3}, cb);
  run.start(5.0, 2.0);
  for (std::size_t k = 1; k <= 7; ++k) EXPECT_FALSE(run.record(at(k)));
  const Summary s = run.finish(0.5, 0.1);
  EXPECT_EQ(iterations(s), (std::vector<std::size_t>{0, 3, 6, 7}));
  EXPECT_EQ(s.status, Status::max_iterations);
  EXPECT_EQ(s.message, "reached max_iterations = 10");
  EXPECT_EQ(s.iterations, 7u);
  EXPECT_EQ(s.objective, 0.5);
  EXPECT_EQ(s.gradient_norm, 0.1);
  EXPECT_EQ(s.method, "m");
}

TEST(Run, CallbackStopIsStoppedFirstWinsAndEndIsCalled) {
  Callbacks cb;
  auto stop = cb.emplace<StopAfter>(2);
  descent::Run run("m", 1, 10, {true, 5}, cb);
  EXPECT_FALSE(run.record(at(1)));
  EXPECT_TRUE(run.record(at(2)));
  run.end(Status::converged, "later");  // ignored: the stop came first
  EXPECT_TRUE(run.ended());
  const Summary s = run.finish(0, 0);
  EXPECT_EQ(s.status, Status::stopped);
  EXPECT_EQ(s.message, "enough");
  EXPECT_EQ(iterations(s), (std::vector<std::size_t>{2}));
  EXPECT_EQ(stop->ended_with, Status::stopped);
}

TEST(Run, WantsAndKeepFinalForCostlyRows) {
  Callbacks none;
  descent::Run run("m", 1, 10, {true, 4}, none);
  EXPECT_FALSE(run.wants(3));
  EXPECT_TRUE(run.wants(4));
  run.record(at(4));
  run.summary().iterations = 6;  // iterations 5 and 6 ran without rows
  run.keep_final(at(6));
  run.keep_final(at(6));  // once only
  EXPECT_EQ(iterations(run.finish(0, 0)), (std::vector<std::size_t>{4, 6}));

  Callbacks some;
  some.emplace<StopAfter>(100);
  descent::Run watched("m", 1, 10, {false, 4}, some);
  EXPECT_TRUE(watched.wants(3)) << "callbacks see every iteration";
  descent::Run quiet("m", 1, 10, {false, 4}, none);
  EXPECT_FALSE(quiet.wants(4)) << "no history, no callbacks: nothing wants the row";
  quiet.keep_final(at(1));
  EXPECT_TRUE(quiet.finish(0, 0).history.empty());
}

TEST(Run, NoDuplicateRowWhenTheLastIsOnTheStride) {
  Callbacks cb;
  descent::Run run("m", 1, 4, {true, 2}, cb);
  for (std::size_t k = 1; k <= 4; ++k) run.record(at(k));
  run.keep_final(at(4));
  EXPECT_EQ(iterations(run.finish(0, 0)), (std::vector<std::size_t>{2, 4}));
}

TEST(HistoryOptions, StrideMustBePositive) {
  EXPECT_THROW((HistoryOptions{true, 0}).validate(), InvalidOption);
  EXPECT_NO_THROW((HistoryOptions{true, 1}).validate());
}

}  // namespace
}  // namespace descent
