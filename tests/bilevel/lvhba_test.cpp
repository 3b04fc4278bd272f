// LV-HBA: the LLC toy (LV-1), the value-function checks (LV-2), projections, the LLSC toy.
#include <gtest/gtest.h>

#include <cmath>

#include <Eigen/Cholesky>

#include "descent/bilevel/estimators.hpp"
#include "descent/bilevel/lvhba.hpp"
#include "descent/bilevel/problems.hpp"
#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"

namespace {

using namespace descent;
using namespace descent::bilevel;

double rel_err(const LlcToy& p, const Vec& x) {
  return (x - p.solution_x()).norm() / p.solution_x().norm();
}

TEST(LvHba, LlcToyOneRunReachesTwoPercent) {
  const LlcToy p(100);
  auto s = LvHbaState::start(p, p.start_x(), p.start_y());
  LvHbaOptions o;
  o.max_iterations = 10000;
  o.record_history = true;
  o.history_stride = 1000;
  const auto monitor = [&](const Vec& x, const Vec&) { return rel_err(p, x); };
  const Summary sum = minimize_lvhba(p, s, o, {}, monitor);
  ASSERT_EQ(sum.status, Status::max_iterations);
  ASSERT_EQ(sum.history.size(), 10u);
  // Decreasing at the spec's checkpoints k = 2e3, 5e3, 1e4 (between them the error may wobble
  // by ~1% as the penalty bias and the descent-ascent interact).
  const auto err = [&](std::size_t k) { return sum.history[k / 1000 - 1].extras[1].second; };
  EXPECT_LT(err(5000), err(2000));
  EXPECT_LT(err(10000), err(5000));
  EXPECT_LE(rel_err(p, s.x), 2e-2);
  EXPECT_NEAR(s.x.mean(), -0.3, 0.01);
}

TEST(LvHba, OfficialLlcDefaultsAreReportedDiverged) {
  const LlcToy p(100);
  auto s = LvHbaState::start(p, p.start_x(), p.start_y());
  LvHbaOptions o;  // the repo's script: α 0.008, β 0.02, η 0.01, γ 10, c_k = 0.025(k+1)^0.3
  o.alpha = 0.008;
  o.beta = 0.02;
  o.eta = 0.01;
  o.gamma1 = o.gamma2 = 10;
  o.c_lower = 0.025;
  o.p = 0.3;
  o.max_iterations = 3000;
  const Summary sum = minimize_lvhba(p, s, o);
  EXPECT_EQ(sum.status, Status::diverged) << sum.brief();
  EXPECT_TRUE(std::isnan(sum.objective));
}

// LV-2: with (θ, λ) solved exactly, ∇v_γ matches central differences of v_γ, and f − v_γ ≥ 0 on C.
TEST(LvHba, ValueFunctionGradientMatchesFiniteDifferences) {
  const LlscToy p(12, 5, 3, 7);
  Rng rng = make_rng(3);
  Vec x = normal_vector(rng, 12), y = normal_vector(rng, 12);
  const Vec z = normal_vector(rng, 5);
  p.project_c(x, y);
  const double g1 = 0.7, g2 = 1.3, step = 0.05;
  const std::size_t iters = 20000;
  const auto v = proximal_value_function(p, x, y, z, g1, g2, step, iters);
  const double h = 1e-5;
  for (int which = 0; which < 3; ++which) {
    const Vec& base = which == 0 ? x : which == 1 ? y : z;
    const Vec& grad = which == 0 ? v.grad_x : which == 1 ? v.grad_y : v.grad_z;
    for (Eigen::Index i = 0; i < base.size(); ++i) {
      Vec xp = x, yp = y, zp = z, xm = x, ym = y, zm = z;
      Vec& bp = which == 0 ? xp : which == 1 ? yp : zp;
      Vec& bm = which == 0 ? xm : which == 1 ? ym : zm;
      bp(i) += h;
      bm(i) -= h;
      const double fd = (proximal_value_function(p, xp, yp, zp, g1, g2, step, iters).value -
                         proximal_value_function(p, xm, ym, zm, g1, g2, step, iters).value) /
                        (2 * h);
      EXPECT_NEAR(grad(i), fd, 1e-6) << "block " << which << " entry " << i;
    }
  }
  // f(x, y) − v_γ(x, y, z) ≥ 0 on C (θ = y is feasible for the min).
  for (int trial = 0; trial < 5; ++trial) {
    Vec xc = normal_vector(rng, 12), yc = normal_vector(rng, 12);
    p.project_c(xc, yc);
    const Vec zc = normal_vector(rng, 5);
    const auto vc = proximal_value_function(p, xc, yc, zc, g1, g2, step, iters);
    EXPECT_GE(p.lower(xc, yc) - vc.value, -1e-10);
  }
}

TEST(LvHba, InequalityValueFunctionNonNegativeGap) {
  // The SVM problem: inequality constraints, λ ≥ 0.
  Rng rng = make_rng(11);
  const Mat zt = normal_matrix(rng, 20, 3), zv = normal_matrix(rng, 10, 3);
  Vec yt(20), yv(10);
  for (int i = 0; i < 20; ++i) yt(i) = zt(i, 0) > 0 ? 1 : -1;
  for (int i = 0; i < 10; ++i) yv(i) = zv(i, 0) > 0 ? 1 : -1;
  const SvmHoProblem p(zt, yt, zv, yv);
  for (int trial = 0; trial < 3; ++trial) {
    Vec x = uniform_vector(rng, 20, -1, 0), y = normal_vector(rng, 3 + 1 + 20);
    p.project_c(x, y);
    EXPECT_LE(p.constraint(x, y).maxCoeff(), 1e-7);
    const Vec z = uniform_vector(rng, 20, 0, 1);
    const auto v = proximal_value_function(p, x, y, z, 1.0, 1.0, 0.02, 20000);
    EXPECT_GE(p.lower(x, y) - v.value, -1e-10);
    EXPECT_GE(v.lambda.minCoeff(), 0.0);
  }
}

TEST(Projections, HalfspacesMatchKktConditions) {
  Rng rng = make_rng(5);
  const Mat a = normal_matrix(rng, 15, 6);
  const Vec b = normal_vector(rng, 15).cwiseAbs() * 0.1;
  const Vec v0 = normal_vector(rng, 6) * 3;
  Vec v = v0, mu;
  const double viol = project_halfspaces(a, b, v, mu, {1e-12, 100000});
  EXPECT_LE(viol, 1e-10);
  EXPECT_LE((a * v - b).maxCoeff(), 1e-10);
  // KKT: v0 − v = Aᵀμ, μ ≥ 0, complementary slackness.
  EXPECT_LT((v0 - v - a.transpose() * mu).norm(), 1e-9);
  EXPECT_GE(mu.minCoeff(), 0.0);
  for (int i = 0; i < 15; ++i) EXPECT_LT(std::abs(mu(i) * (a.row(i).dot(v) - b(i))), 1e-8);
  // Idempotent: projecting a feasible point leaves it.
  Vec again = v, mu2;
  project_halfspaces(a, b, again, mu2);
  EXPECT_LT((again - v).norm(), 1e-8);
}

TEST(Projections, AffineAndLlcProjections) {
  Rng rng = make_rng(9);
  const Mat a = normal_matrix(rng, 3, 7);
  const Vec b = normal_vector(rng, 3);
  const AffineProjector proj(a, b);
  Vec u = normal_vector(rng, 7);
  const Vec u0 = u;
  proj.apply(u);
  EXPECT_LT((a * u - b).norm(), 1e-10);
  // The displacement is orthogonal to the affine set (lies in the row space of A).
  const Vec d = u0 - u;
  const Vec in_rows = a.transpose() * (a * a.transpose()).ldlt().solve(a * d);
  EXPECT_LT((d - in_rows).norm(), 1e-10);

  const LlcToy p(4);
  Vec x = normal_vector(rng, 4), y = normal_vector(rng, 8);
  p.project_c(x, y);
  EXPECT_NEAR(x.sum() + y.sum(), 0.0, 1e-12);
}

TEST(LvHba, LlscToyDecreasesUpperAndTracksLowerSolution) {
  const LlscToy p(100, 90, 45, 1);
  auto s = LvHbaState::start(p, p.start_x(), p.start_y());
  const double gap0 = (s.y - p.lower_solution(s.x)).norm();
  const double f0 = p.upper(s.x, s.y);
  LvHbaOptions o;
  o.alpha = o.beta = o.eta = 0.02;
  o.max_iterations = 3000;
  ASSERT_EQ(minimize_lvhba(p, s, o).status, Status::max_iterations);
  EXPECT_LT(p.upper(s.x, s.y), f0);
  EXPECT_LT((s.y - p.lower_solution(s.x)).norm(), 0.1 * gap0);
  EXPECT_LT(p.constraint(s.x, s.y).norm(), 1e-8);
}

TEST(LvHba, OptionsNameTheBadField) {
  LvHbaOptions o;
  o.gamma1 = -1;
  try {
    o.validate();
    FAIL();
  } catch (const InvalidOption& e) {
    EXPECT_NE(std::string(e.what()).find("gamma1"), std::string::npos);
  }
}

}  // namespace
