// Log-domain Sinkhorn and epsilon scaling: the POT golden plan, underflow, warm starts, threads,
// plan formats and callbacks.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "descent/core/rng.hpp"
#include "descent/io/npy.hpp"
#include "descent/ot/ot.hpp"

namespace descent::ot {
namespace {

std::string data(const std::string& name) {
  return std::string(DESCENT_SOURCE_DIR) + "/tests/ot/data/" + name;
}

nlohmann::json golden() {
  std::ifstream in(data("golden.json"));
  return nlohmann::json::parse(in);
}

Problem golden_problem() {
  const Eigen::MatrixXd X = io::read_npy_matrix(data("sinkhorn_x.npy"));
  const Eigen::MatrixXd Y = io::read_npy_matrix(data("sinkhorn_y.npy"));
  const Eigen::VectorXd a = io::read_npy_matrix(data("sinkhorn_a.npy")).col(0);
  const Eigen::VectorXd b = io::read_npy_matrix(data("sinkhorn_b.npy")).col(0);
  return from_point_clouds(X, Y, GroundCost::sqeuclidean, a, b);
}

TEST(OtSinkhorn, MatchesPotSinkhornLogPlan) {
  // Golden values from tests/ot/make_golden.py: POT 0.8.2 sinkhorn_log, eta = 50, n = 100.
  const nlohmann::json g = golden();
  const Problem p = golden_problem();
  ASSERT_EQ(p.rows(), 100);
  SinkhornOptions o;
  o.eta = g["eta"].get<double>();
  o.tolerance = 1e-14;
  const Result r = sinkhorn(p, o);
  ASSERT_TRUE(r.summary.converged()) << r.summary.brief();
  const Eigen::MatrixXd pot = io::read_npy_matrix(data("sinkhorn_plan.npy"));
  EXPECT_LE((r.plan - pot).cwiseAbs().sum(), 1e-8);
  EXPECT_NEAR(r.transport_cost, g["sinkhorn_cost"].get<double>(), 1e-10);
  EXPECT_LE(r.marginal_error, 1e-13);
  // The error history is monotone enough to be useful and ends at the tolerance.
  ASSERT_FALSE(r.error_history.empty());
  EXPECT_EQ(r.error_history.back().iteration, r.summary.iterations);
  EXPECT_LE(r.error_history.back().error, o.tolerance);
}

TEST(OtSinkhorn, NoUnderflowAtLargeEta) {
  Rng rng = make_rng(7, {1});
  const Problem p = random_assignment(60, rng);
  // exp(-eta C) underflows to 0 for C > 0.15 at eta = 5000: outside the log domain most of the
  // kernel would vanish and the scalings would overflow.
  EXPECT_EQ(std::exp(-5000.0 * 0.15), 0.0);
  SinkhornOptions o;
  o.eta = 5000.0;
  o.tolerance = 0.0;
  o.max_iterations = 3000;
  const Result r = sinkhorn(p, o);
  EXPECT_EQ(r.summary.status, Status::max_iterations) << r.summary.brief();
  EXPECT_TRUE(r.plan.allFinite());
  EXPECT_TRUE(r.x.allFinite() && r.y.allFinite());
  EXPECT_LE(r.marginal_error, 1e-3 * r.error_history.front().error);
  // SNS finishes the job at this eta.
  SnsOptions s;
  s.eta = o.eta;
  const Result q = sinkhorn_newton_sparse(p, s);
  EXPECT_TRUE(q.summary.converged()) << q.summary.brief();
  EXPECT_TRUE(q.plan.allFinite());
}

TEST(OtSinkhorn, IterationCapIsAStatusWithAnHonestError) {
  Rng rng = make_rng(7, {2});
  const Problem p = random_assignment(50, rng);
  SinkhornOptions o;
  o.tolerance = 0.0;
  o.max_iterations = 25;
  const Result r = sinkhorn(p, o);
  EXPECT_EQ(r.summary.status, Status::max_iterations);
  EXPECT_EQ(r.summary.iterations, 25u);
  EXPECT_EQ(r.error_history.size(), 26u);  // iterates 0..25
  // The iteration's own measurement and the returned plan's, computed apart: equal to rounding.
  EXPECT_NEAR(r.error_history.back().error, r.marginal_error, 1e-13 * r.marginal_error);
}

TEST(OtSinkhorn, WarmStartThreadsAndPlanFormatsAgree) {
  Rng rng = make_rng(7, {3});
  const Problem p = uniform_clouds(80, rng);
  SinkhornOptions o;
  o.eta = 300.0;
  o.tolerance = 1e-12;
  const Result r = sinkhorn(p, o);
  ASSERT_TRUE(r.summary.converged());
  // From the solution, the warm start converges at once.
  const Result warm = sinkhorn(p, o, {}, r.x, r.y);
  EXPECT_LE(warm.summary.iterations, 1u);
  SinkhornOptions t = o;
  t.threads = 2;
  t.plan.format = PlanFormat::sparse;
  const Result r2 = sinkhorn(p, t);
  ASSERT_TRUE(r2.plan_is_sparse());
  EXPECT_LE((r2.dense_plan() - r.plan).cwiseAbs().sum(), 1e-12);
  t.plan.format = PlanFormat::none;
  const Result r3 = sinkhorn(p, t);
  EXPECT_EQ(r3.plan.size(), 0);
  EXPECT_NEAR(r3.transport_cost, r.transport_cost, 1e-14);
}

TEST(OtSinkhorn, EpsilonScalingReachesTheSamePlan) {
  Rng rng = make_rng(7, {4});
  const Problem p = uniform_clouds(80, rng);
  SinkhornOptions o;
  o.eta = 400.0;
  o.tolerance = 1e-11;
  const Result plain = sinkhorn(p, o);
  EpsilonScalingOptions e;
  e.sinkhorn = o;
  const Result scaled = sinkhorn_epsilon_scaling(p, e);
  ASSERT_TRUE(scaled.summary.converged()) << scaled.summary.brief();
  EXPECT_GE(scaled.summary.counters.at("stages"), 3.0);
  EXPECT_LE((scaled.plan - plain.plan).cwiseAbs().sum(), 1e-9);
}

TEST(OtSinkhorn, CallbacksCanStopAndHistoryIsRecorded) {
  Rng rng = make_rng(7, {5});
  const Problem p = random_assignment(40, rng);
  SinkhornOptions o;
  o.tolerance = 0.0;
  o.record_history = true;
  o.history_stride = 4;
  Callbacks cbs;
  cbs.emplace<StopWhen<std::function<bool(const IterationInfo&)>>>(
      [](const IterationInfo& info) { return info.iteration == 10; }, "ten is enough");
  const Result r = sinkhorn(p, o, cbs);
  EXPECT_EQ(r.summary.status, Status::stopped);
  EXPECT_EQ(r.summary.message, "ten is enough");
  EXPECT_EQ(r.summary.iterations, 10u);
  ASSERT_FALSE(r.summary.history.empty());
  EXPECT_EQ(r.summary.history.back().iteration, 10u);
  EXPECT_EQ(r.summary.history.front().iteration, 4u);
}

}  // namespace
}  // namespace descent::ot
