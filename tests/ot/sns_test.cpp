// Sinkhorn-Newton-Sparse: convergence on assignment problems, monotone Newton stage, agreement
// with Sinkhorn, and the lambda bookkeeping.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "descent/core/error.hpp"
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
    // stay equal once the increase is below its last bit. The history holds -f.
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

TEST(OtSns, StopsAtTheIterationCapAndKeepsTheNewtonCap) {
  Rng rng = make_rng(11, {5});
  const Problem p = uniform_clouds(80, rng);
  SnsOptions o;
  o.tolerance = 0.0;
  o.max_newton_steps = 3;
  o.max_iterations = 40;
  const Result r = sinkhorn_newton_sparse(p, o);
  EXPECT_EQ(r.summary.status, Status::max_iterations);
  EXPECT_EQ(r.summary.iterations, 40u);
  EXPECT_EQ(r.summary.counters.at("newton_steps"), 3.0);
  // After the Newton budget, Sinkhorn iterations go on (the default still converges).
  EXPECT_EQ(r.summary.counters.at("sinkhorn_fallbacks"), 40.0 - 20.0 - 3.0);
  EXPECT_TRUE(std::isfinite(r.marginal_error));
}

// A tolerance below what double precision resolves ends as stalled once neither Newton nor a
// block of Sinkhorn iterations reduces the error, not after max_iterations O(nm) steps.
TEST(OtSns, UnreachableToleranceStallsInsteadOfRunningToTheCap) {
  Rng rng = make_rng(11, {6});
  const Problem p = uniform_clouds(60, rng);
  SnsOptions o;
  o.tolerance = 0.0;
  o.max_newton_steps = 30;
  const Result r = sinkhorn_newton_sparse(p, o);
  EXPECT_EQ(r.summary.status, Status::stalled) << r.summary.brief();
  EXPECT_LT(r.summary.iterations, 5000u);
  EXPECT_LE(r.marginal_error, 1e-12);
}

// Gaussian clouds (one point per row) around `shift` with spread `scale`.
Eigen::MatrixXd gaussian_cloud(Rng& rng, Eigen::Index n, Eigen::Index d, double shift,
                               double scale) {
  return (normal_matrix(rng, n, d) * scale).array() + shift;
}

// What a returned plan must be whatever happened: finite, >= 0, no entry above 1 (plans have
// unit mass), and its error the one reported.
void expect_a_plan(const Result& r) {
  ASSERT_GT(r.plan.size(), 0);
  EXPECT_TRUE(r.plan.allFinite());
  EXPECT_GE(r.plan.minCoeff(), 0.0);
  EXPECT_LE(r.plan.maxCoeff(), 1.0 + 1e-12);
  EXPECT_TRUE(std::isfinite(r.marginal_error));
  EXPECT_TRUE(std::isfinite(r.transport_cost));
}

// The first failure class: 3-D Gaussian clouds of different sizes (the target shifted
// and wider), Dirichlet(0.3) weights down to ~1e-11, squared-Euclidean cost, eta = 400 on the
// raw cost (eta * max C ~ 4e4). It used to run all 500 Newton steps to an error of ~11 and
// return plan entries of 8e307.
TEST(OtSns, ConvergesWithDirichletMarginalsOnUnequalCloudsAtEta400) {
  Rng rng = make_rng(12, {1});
  const Eigen::MatrixXd X = gaussian_cloud(rng, 240, 3, 0.0, 1.0);
  const Eigen::MatrixXd Y = gaussian_cloud(rng, 310, 3, 1.5, 2.0);
  const Eigen::VectorXd a = dirichlet_weights(240, 0.3, rng), b = dirichlet_weights(310, 0.3, rng);
  ASSERT_LT(std::min(a.minCoeff(), b.minCoeff()), 1e-5) << "the weights must reach the tiny range";
  const Problem p = from_point_clouds(X, Y, GroundCost::sqeuclidean, a, b);
  SnsOptions o;
  o.eta = 400.0;
  const Result r = sinkhorn_newton_sparse(p, o);
  ASSERT_TRUE(r.summary.converged()) << r.summary.brief();
  expect_a_plan(r);
  EXPECT_LE(r.marginal_error, 1e-9);
  EXPECT_GT(r.summary.counters.at("eta_stages"), 1.0);
  // Close to the exact optimum: the entropic bias is at most log(n m) / eta.
  const Result exact = exact_ot(p);
  EXPECT_GE(r.transport_cost, exact.transport_cost - 1e-9);
  EXPECT_LE(r.transport_cost - exact.transport_cost, std::log(240.0 * 310.0) / o.eta);
}

// The second: the CLI's defaults (eta = 1200) on uniform 2-D clouds N(0, I) and N(1, I) of 60
// and 80 points with the raw cost (max C ~ 40). It used to end at 500 Newton steps with plan
// entries of 8.2e307 and "transport cost = inf".
TEST(OtSns, DefaultsConvergeOnRawCostGaussianClouds) {
  for (std::uint64_t seed : {1, 2, 3}) {
    Rng rng = make_rng(12, {2, seed});
    const Problem p =
        from_point_clouds(gaussian_cloud(rng, 60, 2, 0.0, 1.0),
                          gaussian_cloud(rng, 80, 2, 1.0, 1.0), GroundCost::sqeuclidean);
    ASSERT_GT(p.max_cost() * 1200.0, 10 * kSnsDirectScale);
    const Result r = sinkhorn_newton_sparse(p, SnsOptions{});
    ASSERT_TRUE(r.summary.converged()) << "seed " << seed << ": " << r.summary.brief();
    expect_a_plan(r);
    EXPECT_LE(r.marginal_error, 1e-9);
    // Close to the exact optimum: the entropic bias is at most log(n m) / eta.
    const Result exact = exact_ot(p);
    EXPECT_GE(r.transport_cost, exact.transport_cost - 1e-9);
    EXPECT_LE(r.transport_cost - exact.transport_cost, std::log(60.0 * 80.0) / 1200.0);
  }
}

TEST(OtSns, EtaScheduleStartsAtTheDirectScale) {
  SnsOptions o;
  // eta * max C <= kSnsDirectScale: one stage, the paper's algorithm.
  EXPECT_EQ(sns_eta_schedule(1200.0, 1.0, o), std::vector<double>{1200.0});
  // max C = 40: 1500/40 = 37.5, x4 ... then 1200.
  EXPECT_EQ(sns_eta_schedule(1200.0, 40.0, o), (std::vector<double>{37.5, 150.0, 600.0, 1200.0}));
  o.eta_start = 1200.0;  // explicit: no continuation
  EXPECT_EQ(sns_eta_schedule(1200.0, 40.0, o), std::vector<double>{1200.0});
  o.eta_start = 100.0;
  o.eta_factor = 10.0;
  EXPECT_EQ(sns_eta_schedule(1200.0, 40.0, o), (std::vector<double>{100.0, 1000.0, 1200.0}));
}

// Without continuation or stagnation blocks (the paper's algorithm) the second failure class
// makes the Newton stage raise the error: the run is called diverged and returns its best
// iterate, not its last one.
TEST(OtSns, AnUnconvergedRunReturnsItsBestIterate) {
  Rng rng = make_rng(12, {2, 1});
  const Problem p =
      from_point_clouds(gaussian_cloud(rng, 60, 2, 0.0, 1.0), gaussian_cloud(rng, 80, 2, 1.0, 1.0),
                        GroundCost::sqeuclidean);
  SnsOptions o;
  o.eta_start = o.eta;
  o.patience = 0;
  o.max_newton_steps = 40;
  o.max_iterations = 60;
  const Result r = sinkhorn_newton_sparse(p, o);
  ASSERT_FALSE(r.summary.converged());
  expect_a_plan(r);
  double smallest = std::numeric_limits<double>::infinity(), last = 0;
  for (const ErrorSample& e : r.error_history)
    if (e.iteration >= o.warmup_steps) {
      smallest = std::min(smallest, e.error);
      last = e.error;
    }
  ASSERT_GT(last, smallest) << "this instance must end worse than its best";
  EXPECT_NEAR(r.marginal_error, smallest, 1e-6 * smallest + 1e-12);
  EXPECT_NEAR(r.summary.gradient_norm, smallest, 1e-9 * smallest);
  EXPECT_NE(r.summary.message.find("best iterate"), std::string::npos) << r.summary.message;
  EXPECT_EQ(r.summary.status, Status::diverged) << r.summary.brief();
}

// The CI slice of the randomized suite (bench/ot/sns_suite runs the full one): every case
// converges to 1e-9 with the default options, and the returned plan has that error.
TEST(OtSns, RobustnessSuiteQuickSubsetConverges) {
  SuiteOptions quick;
  quick.min_points = 30;
  quick.max_points = 70;
  quick.seeds = 1;
  quick.eta_relative = {50, 1200};
  const std::vector<SuiteCase> cases = robustness_suite(quick);
  ASSERT_EQ(cases.size(), 80u);
  for (const SuiteCase& c : cases) {
    SnsOptions o;
    o.eta = c.eta;
    o.tolerance = 1e-9;
    const Result r = sinkhorn_newton_sparse(c.problem, o);
    EXPECT_TRUE(r.summary.converged()) << c.name << ": " << r.summary.brief();
    EXPECT_LE(r.marginal_error, 1e-9) << c.name;
  }
}

TEST(OtInstances, DirichletWeightsAreProbabilityVectorsWithTinyEntries) {
  Rng rng = make_rng(3, {});
  const Eigen::VectorXd w = dirichlet_weights(400, 0.3, rng);
  EXPECT_NEAR(w.sum(), 1.0, 1e-12);
  EXPECT_GT(w.minCoeff(), 0.0);
  EXPECT_LT(w.minCoeff(), 1e-6);  // alpha = 0.3 puts mass on very small weights
  Rng again = make_rng(3, {});
  EXPECT_EQ(dirichlet_weights(400, 0.3, again), w);
  EXPECT_THROW(dirichlet_weights(4, 0.0, again), InvalidOption);
}

}  // namespace
}  // namespace descent::ot
