#include <gtest/gtest.h>

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/newton/gns.hpp"
#include "descent/newton/gradient_methods.hpp"
#include "descent/problems/factory.hpp"

namespace descent::newton {
namespace {

using problems::HessianApproximation;

GnsOptions options_for(const problems::Instance& in, std::size_t cap = 1000) {
  GnsOptions o;
  o.metric = in.metric;
  o.optimal_value = in.optimal_value;
  o.max_iterations = cap;
  o.record_history = true;
  return o;
}

double extra(const HistoryRow& r, const std::string& name) {
  for (const auto& [k, v] : r.extras)
    if (k == name) return v;
  return std::nan("");
}

TEST(Gns, LogSumExpExactWithin40Iterations) {
  const problems::Instance in = problems::make_instance("logsumexp:n=200,m=200", 0);
  Eigen::VectorXd x = in.x0;
  const GnsOptions o = options_for(in);
  const Summary s = minimize_gns(*in.oracle, x, HessianSource::exact(*in.oracle), o);
  ASSERT_EQ(s.status, Status::converged) << s.message;
  EXPECT_LE(s.iterations, 40u);
  EXPECT_LT(s.objective - *in.optimal_value, 1e-8);
  EXPECT_EQ(s.method, "gns");
  // Solves per iteration in [1, 2.5]; one Hessian per iteration; f monotone.
  const double spi = s.counters.at("linear_solves_per_iteration");
  EXPECT_GE(spi, 1.0);
  EXPECT_LE(spi, 2.5);
  EXPECT_EQ(s.counters.at("hessian_evaluations"), double(s.iterations));
  EXPECT_EQ(s.counters.at("linear_solves") + 1, double(s.function_evaluations));
  EXPECT_GE(s.counters.at("final_gamma"), o.gamma_min);
  ASSERT_EQ(s.history.size(), s.iterations + 1);
  for (std::size_t i = 1; i < s.history.size(); ++i) {
    EXPECT_LE(s.history[i].objective, s.history[i - 1].objective);
    EXPECT_GT(extra(s.history[i], "lambda"), 0.0);
    EXPECT_GE(extra(s.history[i], "trials"), 1.0);
  }
}

TEST(Gns, WeightedGaussNewtonWithinTwiceExact) {
  const problems::Instance in = problems::make_instance("logsumexp:n=200,m=200", 0);
  Eigen::VectorXd xe = in.x0, xa = in.x0;
  const GnsOptions o = options_for(in);
  const Summary e = minimize_gns(*in.oracle, xe, HessianSource::exact(*in.oracle), o);
  const Summary a = minimize_gns(
      *in.oracle, xa,
      HessianSource::approximation(*in.oracle, HessianApproximation::weighted_gauss_newton), o);
  ASSERT_TRUE(e.converged() && a.converged());
  EXPECT_LE(a.iterations, 2 * e.iterations);
  EXPECT_EQ(a.method, "gns-wgn");
}

TEST(Gns, EuclideanGradientMethodNeedsTenTimesMore) {
  const problems::Instance in = problems::make_instance("logsumexp:n=200,m=200", 0);
  Eigen::VectorXd xe = in.x0, xg = in.x0;
  const Summary e = minimize_gns(*in.oracle, xe, HessianSource::exact(*in.oracle), options_for(in));
  GradientMethodOptions g;
  g.optimal_value = in.optimal_value;
  g.max_iterations = 10 * e.iterations;
  const Summary gd = minimize_gradient_method(*in.oracle, xg, g);
  EXPECT_EQ(gd.status, Status::max_iterations);  // not converged within 10x
}

TEST(Gns, LogisticRegressionWithin25Iterations) {
  problems::Instance in;
  try {
    in = problems::make_instance("logreg:breast-cancer,reg=1e-4", 0);
  } catch (const Error& e) {
    GTEST_SKIP() << e.what();
  }
  Eigen::VectorXd x = in.x0;
  GnsOptions o;
  o.gradient_tolerance = 1e-10;
  const Summary s = minimize_gns(*in.oracle, x, HessianSource::exact(*in.oracle), o);
  ASSERT_EQ(s.status, Status::converged) << s.message;
  EXPECT_LE(s.iterations, 25u);
  EXPECT_LT(s.gradient_norm, 1e-10);
}

TEST(Gns, FisherShermanMorrisonRunEqualsCholeskyRun) {
  const problems::Instance in = problems::make_instance("nle:p=4,m=20,n=40", 3);
  GnsOptions o = options_for(in);
  o.metric.resize(0, 0);  // B = I: well conditioned, so the runs agree closely
  const auto src = HessianSource::approximation(*in.oracle, HessianApproximation::fisher);
  Eigen::VectorXd x1 = in.x0, x2 = in.x0;
  const Summary a = minimize_gns(*in.oracle, x1, src, o);
  o.linear_solver = LinearSolver::sherman_morrison;
  const Summary b = minimize_gns(*in.oracle, x2, src, o);
  ASSERT_TRUE(a.converged() && b.converged());
  EXPECT_EQ(a.iterations, b.iterations);
  EXPECT_LT((x1 - x2).norm(), 1e-8 * x1.norm());
}

TEST(Gns, NonconvexProblemsConverge) {
  for (const char* spec : {"chebyshev:n=50,p=4", "rosenbrock:p=4", "rosenbrock:p=2"}) {
    SCOPED_TRACE(spec);
    const problems::Instance in = problems::make_instance(spec, 1);
    for (auto a : {HessianApproximation::exact, HessianApproximation::gauss_newton_fisher}) {
      Eigen::VectorXd x = in.x0;
      const Summary s = minimize_gns(*in.oracle, x, HessianSource::approximation(*in.oracle, a),
                                     options_for(in, 2000));
      EXPECT_EQ(s.status, Status::converged) << s.message;
    }
  }
}

TEST(Gns, StrictAndReferenceAcceptance) {
  // One trial per iteration with a huge γ: the first trial is rejected.
  const problems::Instance in = problems::make_instance("logsumexp:n=30,m=30", 2);
  GnsOptions o = options_for(in, 50);
  o.gamma0 = 1e8;
  o.max_trials = 1;
  Eigen::VectorXd x = in.x0;
  const Summary strict = minimize_gns(*in.oracle, x, HessianSource::exact(*in.oracle), o);
  EXPECT_EQ(strict.status, Status::stalled);
  EXPECT_EQ(strict.iterations, 0u);
  EXPECT_TRUE(x.isApprox(in.x0));  // x_k kept
  o.acceptance = Acceptance::reference_compatible;
  x = in.x0;
  const Summary ref = minimize_gns(*in.oracle, x, HessianSource::exact(*in.oracle), o);
  EXPECT_GE(ref.iterations, 1u);
  EXPECT_GE(ref.counters.at("rejected_iterations"), 1.0);
}

TEST(Gns, NonAdaptiveTakesOneSolvePerIteration) {
  const problems::Instance in = problems::make_instance("logsumexp:n=30,m=30", 2);
  GnsOptions o = options_for(in, 5);
  o.adaptive = false;
  o.gamma0 = 0.1;
  Eigen::VectorXd x = in.x0;
  const Summary s = minimize_gns(*in.oracle, x, HessianSource::exact(*in.oracle), o);
  EXPECT_EQ(s.counters.at("linear_solves"), double(s.iterations));
}

TEST(Gns, CallbackStopsTheRun) {
  const problems::Instance in = problems::make_instance("logsumexp:n=30,m=30", 2);
  Callbacks cbs;
  cbs.emplace<StopWhen<std::function<bool(const IterationInfo&)>>>(
      [](const IterationInfo& i) { return i.iteration >= 2; }, "two is enough");
  Eigen::VectorXd x = in.x0;
  const Summary s =
      minimize_gns(*in.oracle, x, HessianSource::exact(*in.oracle), options_for(in), cbs);
  EXPECT_EQ(s.status, Status::stopped);
  EXPECT_EQ(s.iterations, 2u);
  EXPECT_EQ(s.message, "two is enough");
}

TEST(Gns, InvalidOptionsNameTheField) {
  const problems::Instance in = problems::make_instance("logsumexp:n=5,m=5", 2);
  Eigen::VectorXd x = in.x0;
  const auto src = HessianSource::exact(*in.oracle);
  const auto field = [&](GnsOptions o) {
    try {
      minimize_gns(*in.oracle, x, src, o);
    } catch (const InvalidOption& e) {
      return e.field();
    }
    return std::string("none");
  };
  GnsOptions o;
  o.gamma0 = 0;
  EXPECT_EQ(field(o), "gamma0");
  o = {};
  o.max_trials = 0;
  EXPECT_EQ(field(o), "max_trials");
  o = {};
  o.max_iterations = 0;
  EXPECT_EQ(field(o), "max_iterations");
  o = {};
  o.gradient_tolerance = -1;
  EXPECT_EQ(field(o), "gradient_tolerance");
  Eigen::VectorXd wrong(4);
  EXPECT_THROW(minimize_gns(*in.oracle, wrong, src, {}), Error);
  // Sherman–Morrison with a dense source is misuse.
  GnsOptions sm;
  sm.linear_solver = LinearSolver::sherman_morrison;
  EXPECT_THROW(minimize_gns(*in.oracle, x, src, sm), Error);
}

}  // namespace
}  // namespace descent::newton
