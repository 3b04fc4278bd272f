// Sinkhorn-Newton-Sparse: convergence on assignment problems, monotone Newton stage, agreement
// with Sinkhorn, and the lambda bookkeeping.
#include <gtest/gtest.h>

#include "descent/core/rng.hpp"
#include "descent/ot/ot.hpp"

namespace descent::ot {
namespace {

TEST(OtSns, KeptEntriesFollowTheDocumentedConventions) {
  // Over (2n)^2: lambda = 8/n keeps 32n entries of M = 2n diagonal + 15n of P (mirrored).
  EXPECT_EQ(sns_kept_entries(500, 500, 8.0, SparsityConvention::hessian), 7500u);
  EXPECT_EQ(sns_kept_entries(500, 500, 2.0, SparsityConvention::hessian), 1500u);
  // Over n^2: lambda n^2 entries of P, i.e. 8 per row.
  EXPECT_EQ(sns_kept_entries(500, 500, 8.0, SparsityConvention::plan), 4000u);
  // Never more than the whole plan.
  EXPECT_EQ(sns_kept_entries(4, 4, 1000.0, SparsityConvention::hessian), 16u);
}

TEST(OtSns, ReachesTenToTheMinusTenOnASmallAssignment) {
  Rng rng = make_rng(11, {1});
  const Problem p = random_assignment(200, rng);
  SnsOptions o;  // eta = 1200, N1 = 20, lambda = 8/n over (2n)^2
  const Result r = sinkhorn_newton_sparse(p, o);
  ASSERT_TRUE(r.summary.converged()) << r.summary.brief();
  EXPECT_LE(r.marginal_error, 1e-10);
  EXPECT_EQ(r.summary.counters.at("sinkhorn_steps"), 20.0);
  EXPECT_LE(r.summary.counters.at("newton_steps"), 30.0);
  EXPECT_EQ(r.summary.iterations, 20u + std::size_t(r.summary.counters.at("newton_steps") +
                                                    r.summary.counters.at("sinkhorn_fallbacks")));
  EXPECT_GT(r.summary.counters.at("cg_iterations"), 0.0);
  // Exact-OT agreement: the entropic bias is at most log(n^2) / eta.
  const Result exact = exact_ot(p);
  EXPECT_GE(r.transport_cost, exact.transport_cost - 1e-12);
  EXPECT_LE(r.transport_cost - exact.transport_cost, std::log(200.0 * 200.0) / o.eta);
}

// Returns the number of line-search halvings, to show that the check exercised them.
double expect_monotone_newton_stage(const Problem& p, const SnsOptions& o) {
  SnsOptions h = o;
  h.record_history = true;
  const Result r = sinkhorn_newton_sparse(p, h);
  EXPECT_NE(r.summary.status, Status::diverged) << r.summary.brief();
  double previous = -std::numeric_limits<double>::infinity();
  std::size_t newton_rows = 0;
  for (const HistoryRow& row : r.summary.history) {
    if (row.iteration <= o.warmup_steps) continue;
    // Each accepted step increases f strictly in exact arithmetic; stored in double, f may
    // stay equal once the increase is below its last bit.
    // The history holds -f.
    EXPECT_GE(-row.objective, previous) << "f decreased at iteration " << row.iteration;
    previous = -row.objective;
    ++newton_rows;
  }
  EXPECT_GT(newton_rows, 0u);
  // Independently: f at the end of the warm-up vs f at the end, by the dense evaluator.
  SinkhornOptions s;
  s.eta = o.eta;
  s.tolerance = 0.0;
  s.max_iterations = o.warmup_steps;
  const Result warm = sinkhorn(p, s);
  EXPECT_GE(dual_value(p, o.eta, r.x, r.y), dual_value(p, o.eta, warm.x, warm.y) - 1e-15);
  return r.summary.counters.at("line_search_halvings");
}

TEST(OtSns, NewtonStageNeverDecreasesThePotential) {
  Rng rng = make_rng(11, {2});
  SnsOptions o;
  o.max_newton_steps = 40;
  expect_monotone_newton_stage(random_assignment(120, rng), o);
  // No warm-up and lambda = 1/n: far from the optimum, with a poor Hessian, the line search
  // must halve (this instance needs 3 halvings), and f still never decreases.
  Rng other = make_rng(11, {2, 0});
  SnsOptions poor = o;
  poor.sparsity = 1.0;
  poor.warmup_steps = 0;
  EXPECT_GT(expect_monotone_newton_stage(uniform_clouds(60, other), poor), 0.0);
}

TEST(OtSns, AgreesWithSinkhornOnTheEntropicPlan) {
  Rng rng = make_rng(11, {3});
  const Problem p = uniform_clouds(100, rng);
  SnsOptions o;
  o.eta = 300.0;
  o.tolerance = 1e-12;
  o.sparsity = 16.0;
  const Result r = sinkhorn_newton_sparse(p, o);
  ASSERT_TRUE(r.summary.converged()) << r.summary.brief();
  SinkhornOptions s;
  s.eta = o.eta;
  s.tolerance = 1e-12;
  const Result q = sinkhorn(p, s);
  ASSERT_TRUE(q.summary.converged());
  EXPECT_LE((r.plan - q.plan).cwiseAbs().sum(), 1e-9);
  EXPECT_NEAR(r.transport_cost, q.transport_cost, 1e-10);
  // Potentials agree up to the (c, -c) gauge.
  const double shift = r.x[0] - q.x[0];
  EXPECT_LE((r.x.array() - shift - q.x.array()).abs().maxCoeff(), 1e-9);
  EXPECT_LE((r.y.array() + shift - q.y.array()).abs().maxCoeff(), 1e-9);
}

TEST(OtSns, ScaledRankingAndPlanConventionAlsoConverge) {
  Rng rng = make_rng(11, {4});
  const Problem p = random_assignment(150, rng);
  SnsOptions o;
  o.rank = SparsityRank::scaled;
  o.convention = SparsityConvention::plan;
  o.sparsity = 15.0;
  o.threads = 2;
  const Result r = sinkhorn_newton_sparse(p, o);
  EXPECT_TRUE(r.summary.converged()) << r.summary.brief();
}

TEST(OtSns, StopsAtTheNewtonCap) {
  Rng rng = make_rng(11, {5});
  const Problem p = uniform_clouds(80, rng);
  SnsOptions o;
  o.tolerance = 0.0;
  o.max_newton_steps = 3;
  const Result r = sinkhorn_newton_sparse(p, o);
  EXPECT_EQ(r.summary.status, Status::max_iterations);
  EXPECT_EQ(r.summary.iterations, 23u);
  EXPECT_TRUE(std::isfinite(r.marginal_error));
}

}  // namespace
}  // namespace descent::ot
