// BO-REP / SOBA: the BO-1 unit checks, the cosh toy (BO-2) and the quadratic (BO-4).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <Eigen/Eigenvalues>

#include "descent/bilevel/borep.hpp"
#include "descent/bilevel/estimators.hpp"
#include "descent/bilevel/problems.hpp"

namespace {

using namespace descent;
using namespace descent::bilevel;

// Wraps a problem and records at which outer iteration each LL gradient was taken.
class Counting final : public BilevelProblem {
 public:
  explicit Counting(BilevelProblem& p) : p_(p) {}
  Eigen::Index dim_x() const override { return p_.dim_x(); }
  Eigen::Index dim_y() const override { return p_.dim_y(); }
  double upper(const Vec& x, const Vec& y) const override { return p_.upper(x, y); }
  void upper_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const override {
    p_.upper_grad(x, y, gx, gy);
  }
  void lower_grad_y(const Vec& x, const Vec& y, Vec& gy) const override {
    calls.push_back(hvps);  // the number of z-steps done so far = the outer iteration t
    p_.lower_grad_y(x, y, gy);
  }
  void lower_hvp_yy(const Vec& x, const Vec& y, const Vec& v, Vec& out) const override {
    ++hvps;
    p_.lower_hvp_yy(x, y, v, out);
  }
  void lower_jvp_xy(const Vec& x, const Vec& y, const Vec& v, Vec& out) const override {
    p_.lower_jvp_xy(x, y, v, out);
  }
  mutable std::vector<std::size_t> calls;
  mutable std::size_t hvps = 0;

 private:
  BilevelProblem& p_;
};

TEST(BoRep, NormalizedStepHasLengthEta) {
  Vec x = Vec::Constant(4, 1.0);
  const Vec m = (Vec(4) << 3, -1, 0.5, 2).finished();
  const Vec x0 = x;
  EXPECT_DOUBLE_EQ(normalized_step(x, m, 0.3), 0.3);
  EXPECT_NEAR((x - x0).norm(), 0.3, 1e-15);
  const Vec zero = Vec::Zero(4);
  EXPECT_EQ(normalized_step(x, zero, 0.3), 0.0);

  // Inside BO-REP every outer step moves x by exactly η.
  CoshToy p(5);
  auto s = BoRepState::start(p, Vec::Constant(5, 2.0), Vec::Zero(5));
  BoRepOptions o;
  o.eta = 0.05;
  o.max_iterations = 1;
  for (int t = 0; t < 5; ++t) {
    const Vec before = s.x;
    minimize_borep(p, s, o);
    EXPECT_NEAR((s.x - before).norm(), 0.05, 1e-12);
  }
}

TEST(BoRep, LowerLevelUpdatedExactlyEveryIWithNSteps) {
  CoshToy base(3);
  Counting p(base);
  auto s = BoRepState::start(p, Vec::Ones(3), Vec::Zero(3));
  BoRepOptions o;
  o.update_period = 3;
  o.lower_steps = 4;
  o.max_iterations = 10;
  const Summary sum = minimize_borep(p, s, o);
  std::vector<std::size_t> expected;
  for (std::size_t t : {0, 3, 6, 9})
    for (int j = 0; j < 4; ++j) expected.push_back(t);
  EXPECT_EQ(p.calls, expected);
  EXPECT_EQ(sum.counters.at("lower_updates"), 4.0);
  EXPECT_EQ(sum.counters.at("lower_steps"), 16.0);
}

TEST(BoRep, EpochSgdHalvesStepAndDoublesLength) {
  QuadraticBilevel p(3, 4, 0.1, 2);
  Rng rng = make_rng(1);
  std::vector<std::size_t> lengths;
  std::vector<double> steps;
  const Vec x = Vec::Ones(3);
  const Vec y = epoch_sgd(p, x, Vec::Zero(4), 0.2, 10, 4, rng, &lengths, &steps);
  EXPECT_EQ(lengths, (std::vector<std::size_t>{10, 20, 40, 80}));
  EXPECT_EQ(steps, (std::vector<double>{0.2, 0.1, 0.05, 0.025}));
  Vec ystar;
  p.lower_solution(x, ystar);
  EXPECT_LT((y - ystar).norm(), 0.1 * ystar.norm());  // from ‖y*‖ at y = 0
}

TEST(BoRep, ZIterationSolvesTheLinearSystem) {
  // One fixed quadratic: z ← z − ν(Hz − b) converges to H⁻¹b for ν < 2/L.
  QuadraticBilevel p(3, 6, 0.1, 4);
  const Vec x = Vec::Ones(3), y = Vec::Zero(6);
  Vec fx, b, hz, z = Vec::Zero(6);
  p.upper_grad(x, y, fx, b);
  Mat h(6, 6);
  for (int i = 0; i < 6; ++i) {
    p.lower_hvp_yy(x, y, Vec::Unit(6, i), hz);
    h.col(i) = hz;
  }
  Eigen::SelfAdjointEigenSolver<Mat> es(h);
  const double L = es.eigenvalues().maxCoeff(), mu = es.eigenvalues().minCoeff();
  const double nu = 1.0 / L;
  const Vec zstar = h.ldlt().solve(b);
  const int steps = int(std::ceil(L / mu * std::log(1e8 * zstar.norm() / 1e-8))) + 1;
  for (int k = 0; k < steps; ++k) {
    p.lower_hvp_yy(x, y, z, hz);
    z -= nu * (hz - b);
  }
  EXPECT_LE((z - zstar).norm(), 1e-8);
}

// BO-2: cosh toy from x0 = 7.6·1 (|∇Φ| ≈ 2.2e3).
BoRepOptions cosh_options() {
  BoRepOptions o;
  o.eta = 0.1;
  o.beta = 0.9;
  o.nu = 0.5;
  o.update_period = 2;
  o.lower_steps = 5;
  o.lower_step = 0.5;
  o.max_iterations = 2000;
  return o;
}

TEST(BoRep, CoshToyNormalizedConvergesUnnormalizedDiverges) {
  CoshToy p(5);
  Vec g0;
  p.true_hypergradient(Vec::Constant(5, 7.6), g0);
  EXPECT_NEAR(g0.norm(), 2.2e3, 0.1e3);
  auto s = BoRepState::start(p, Vec::Constant(5, 7.6), Vec::Zero(5));
  const Summary sum = minimize_borep(p, s, cosh_options());
  ASSERT_EQ(sum.status, Status::max_iterations) << sum.brief();
  EXPECT_LT(sum.gradient_norm, 1e-2);

  auto u = BoRepState::start(p, Vec::Constant(5, 7.6), Vec::Zero(5));
  BoRepOptions o = cosh_options();
  o.normalized = false;
  const Summary bad = minimize_borep(p, u, o);
  EXPECT_EQ(bad.status, Status::diverged) << bad.brief();
  EXPECT_LT(bad.iterations, 20u);
  EXPECT_TRUE(std::isnan(bad.objective));

  // Un-normalised momentum converges with the smaller step η = 0.01 (spec BO-2).
  auto w = BoRepState::start(p, Vec::Constant(5, 7.6), Vec::Zero(5));
  o.eta = 0.01;
  o.max_iterations = 4000;
  const Summary slow = minimize_borep(p, w, o);
  EXPECT_EQ(slow.status, Status::max_iterations);
  EXPECT_LT(slow.gradient_norm, 1e-2);
}

TEST(BoRep, DeterministicQuadraticReducesHypergradient) {
  QuadraticBilevel p(10, 5, 0.1, 8);
  const Vec x0 = Vec::Constant(10, 3.0);
  Vec g0;
  p.true_hypergradient(x0, g0);
  auto s = BoRepState::start(p, x0, Vec::Zero(5));
  BoRepOptions o;
  o.eta = 0.01;
  o.beta = 0.5;
  o.nu = 0.2;
  o.update_period = 1;
  o.lower_steps = 1;
  o.lower_step = 0.2;
  o.max_iterations = 5000;
  const Summary sum = minimize_borep(p, s, o);
  ASSERT_EQ(sum.status, Status::max_iterations);
  EXPECT_LT(sum.counters.at("min_true_gradient_norm"), 1e-3 * g0.norm());
}

TEST(Soba, ConvergesOnQuadraticWithSmallSteps) {
  QuadraticBilevel p(4, 3, 0.5, 12);
  auto s = BoRepState::start(p, Vec::Ones(4), Vec::Zero(3));
  BoRepOptions o = soba_options(0.05, 0.2);
  o.max_iterations = 5000;
  const Summary sum = minimize_borep(p, s, o);
  EXPECT_EQ(sum.method, "soba");
  EXPECT_LT((s.x - p.solution()).norm(), 1e-6 * (1 + p.solution().norm()));
}

}  // namespace
