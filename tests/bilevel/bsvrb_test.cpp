// BSVRB / RSVRB: the BS-U unit checks and the deterministic multi-block quadratic (BS-1).
#include <gtest/gtest.h>

#include <cmath>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>

#include "descent/bilevel/bsvrb.hpp"
#include "descent/bilevel/estimators.hpp"
#include "descent/bilevel/problems.hpp"

namespace {

using namespace descent;
using namespace descent::bilevel;

TEST(Estimators, MsvrSpecialCases) {
  Rng rng = make_rng(1);
  const Vec u0 = normal_vector(rng, 4), hn = normal_vector(rng, 4), ho = normal_vector(rng, 4);
  Vec u = u0;
  msvr_update(u, hn, ho, 0.3, 0.0);  // γ = 0: moving average, the old point is ignored
  EXPECT_LT((u - (0.7 * u0 + 0.3 * hn)).norm(), 1e-15);
  u = u0;
  msvr_update(u, hn, ho, 1.0, 0.0);  // α = 1, γ = 0: the fresh estimate
  EXPECT_LT((u - hn).norm(), 1e-15);
  EXPECT_EQ(msvr_theory_gamma(50, 50, 0.5), 0.0);
  EXPECT_DOUBLE_EQ(msvr_theory_gamma(50, 10, 0.5), 8.0);
}

TEST(Estimators, StormWithBetaOneIsSgd) {
  Rng rng = make_rng(2);
  Vec z = normal_vector(rng, 5);
  const Vec gn = normal_vector(rng, 5), go = normal_vector(rng, 5);
  storm_update(z, gn, go, 1.0);
  EXPECT_LT((z - gn).norm(), 1e-15);
}

TEST(Estimators, EigenvalueFloor) {
  Rng rng = make_rng(3);
  Mat h = normal_matrix(rng, 6, 6);  // not symmetric, indefinite
  project_min_eigenvalue(h, 0.25);
  EXPECT_LT((h - h.transpose()).norm(), 1e-12);
  Eigen::SelfAdjointEigenSolver<Mat> es(h);
  EXPECT_GE(es.eigenvalues().minCoeff(), 0.25 - 1e-12);
  // An SPD matrix above the floor is unchanged.
  Mat spd = Mat::Identity(3, 3) * 2;
  project_min_eigenvalue(spd, 0.25);
  EXPECT_LT((spd - 2 * Mat::Identity(3, 3)).norm(), 1e-12);
  Vec v = Vec::Constant(4, 3.0);
  project_ball(v, 1.0);
  EXPECT_NEAR(v.norm(), 1.0, 1e-15);
}

TEST(Bsvrb, V2IterateSolvesTheSystemForFixedH) {
  MultiBlockQuadratic p(1, 3, 4, 0.1, 0.0, 5);
  const Vec x = Vec::Ones(3), y = Vec::Zero(4);
  Vec fx, fy, hv, v = Vec::Zero(4);
  Mat h;
  p.upper_grad(0, x, y, fx, fy);
  p.lower_hessian_yy(0, x, y, h);
  for (int k = 0; k < 2000; ++k) {
    p.lower_hvp_yy(0, x, y, v, hv);
    v -= 0.3 * (hv - fy);
  }
  EXPECT_LT((v - h.llt().solve(fy)).norm(), 1e-10);
}

TEST(Bsvrb, HypergradientAtExactLowerSolutionMatchesFiniteDifferences) {
  MultiBlockQuadratic p(4, 3, 5, 0.1, 0.0, 6);
  const auto F = [&](const Vec& x) {
    double s = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      Mat a;
      p.lower_hessian_yy(i, x, Vec::Zero(5), a);
      Vec gy0;
      p.lower_grad_y(i, x, Vec::Zero(5), gy0);  // = −Bx, so y* = A⁻¹Bx = −A⁻¹ gy0
      s += p.upper(i, x, a.llt().solve(-gy0));
    }
    return s / 4;
  };
  Rng rng = make_rng(4);
  const Vec x = normal_vector(rng, 3);
  // Implicit hypergradient from the oracles at exact y_i, H_i.
  Vec g = Vec::Zero(3), fx, fy, jw, gy0;
  Mat a;
  for (std::size_t i = 0; i < 4; ++i) {
    p.lower_hessian_yy(i, x, Vec::Zero(5), a);
    p.lower_grad_y(i, x, Vec::Zero(5), gy0);
    const Vec yi = a.llt().solve(-gy0);
    p.upper_grad(i, x, yi, fx, fy);
    p.lower_jvp_xy(i, x, yi, a.llt().solve(fy), jw);
    g += (fx - jw) / 4;
  }
  for (int k = 0; k < 3; ++k) {
    const double h = 1e-5;
    const double fd = (F(x + h * Vec::Unit(3, k)) - F(x - h * Vec::Unit(3, k))) / (2 * h);
    EXPECT_NEAR(g(k), fd, 1e-6);
  }
  EXPECT_LT((g - p.hypergradient(x)).norm(), 1e-10);
}

// BS-1: full blocks, no noise; both versions reach 1e-10 within 1000 iterations.
double full_block_error(BsvrbVersion v) {
  MultiBlockQuadratic p(50, 10, 5, 0.1, 0.0, 123);
  Vec xs;
  p.solution(xs);
  Vec x = Vec::Zero(10);
  std::vector<Vec> y(50, Vec::Zero(5));
  BsvrbOptions o;
  o.version = v;
  o.alpha = 0.5;
  o.tau = o.tau_v = 0.3;
  o.eta = 0.1;
  o.beta = 0.5;
  o.max_iterations = 1000;
  const Summary s = minimize_bsvrb(p, x, y, o);
  EXPECT_EQ(s.status, Status::max_iterations);
  EXPECT_EQ(s.counters.at("gamma"), 0.0);  // theory γ with I = m
  return (x - xs).norm() / xs.norm();
}

TEST(Bsvrb, FullBlockDeterministicV1) {
  EXPECT_LE(full_block_error(BsvrbVersion::v1), 1e-10);
}
TEST(Bsvrb, FullBlockDeterministicV2) {
  EXPECT_LE(full_block_error(BsvrbVersion::v2), 1e-10);
}

TEST(Bsvrb, StochasticPartialBlocksErrorDecreasesWithBudget) {
  const auto run = [](std::size_t iters) {
    MultiBlockQuadratic p(20, 5, 3, 0.1, 0.5, 77);
    Vec xs;
    p.solution(xs);
    Vec x = Vec::Zero(5);
    std::vector<Vec> y(20, Vec::Zero(3));
    BsvrbOptions o;
    o.blocks_per_iteration = 5;
    o.batch = 4;
    o.gamma_rule = GammaRule::fixed;
    o.gamma = 1.0;
    o.eta = 0.05;
    o.tau = o.tau_v = 0.1;
    o.decay_eta = true;
    o.max_iterations = iters;
    o.seed = 3;
    EXPECT_NE(minimize_bsvrb(p, x, y, o).status, Status::diverged);
    return (x - xs).norm() / xs.norm();
  };
  EXPECT_LT(run(4000), run(200));
}

TEST(Rsvrb, DeterministicFullBlocksConverge) {
  MultiBlockQuadratic p(10, 4, 3, 0.1, 0.0, 9);
  Vec xs;
  p.solution(xs);
  Vec x = Vec::Zero(4);
  std::vector<Vec> y(10, Vec::Zero(3));
  RsvrbOptions o;
  o.max_iterations = 2000;
  const Summary s = minimize_rsvrb(p, x, y, o);
  EXPECT_EQ(s.status, Status::max_iterations);
  EXPECT_LT((x - xs).norm() / xs.norm(), 1e-8);
}

TEST(Bsvrb, LargeStepsAreReportedDiverged) {
  MultiBlockQuadratic p(10, 4, 3, 0.1, 0.0, 9);
  Vec x = Vec::Ones(4);
  std::vector<Vec> y(10, Vec::Zero(3));
  BsvrbOptions o;
  o.tau = o.tau_v = 5.0;  // far above 2/L of the LL
  o.max_iterations = 3000;
  const Summary s = minimize_bsvrb(p, x, y, o);
  EXPECT_EQ(s.status, Status::diverged);
  EXPECT_TRUE(std::isnan(s.objective));
}

TEST(MultiTaskLogistic, OraclesMatchFiniteDifferences) {
  Rng rng = make_rng(21);
  const Mat zt = normal_matrix(rng, 15, 3), zv = normal_matrix(rng, 7, 3);
  Vec yt(15), yv(7);
  for (int j = 0; j < 15; ++j) yt(j) = zt(j, 0) + 0.3 * zt(j, 1) > 0 ? 1 : -1;
  for (int j = 0; j < 7; ++j) yv(j) = zv(j, 0) > 0 ? 1 : -1;
  MultiTaskLogistic p(zt, yt, zv, yv, {2.0, 5.0}, 1e-2);  // full batches (no sample() yet)
  const Vec x = normal_vector(rng, 15), w = normal_vector(rng, 4), v = normal_vector(rng, 4);
  const double h = 1e-6;
  const auto g_lower = [&](const Vec& xx, const Vec& ww) {
    Vec g;
    p.lower_grad_y(1, xx, ww, g);
    return g;
  };
  // ∇_w f against the full validation loss.
  Vec gx, gy;
  p.upper_grad(1, x, w, gx, gy);
  for (int k = 0; k < 4; ++k) {
    const Vec e = Vec::Unit(4, k);
    EXPECT_NEAR(gy(k), (p.upper(1, x, w + h * e) - p.upper(1, x, w - h * e)) / (2 * h), 1e-8);
  }
  // HVP and dense Hessian against differences of the LL gradient.
  Vec hv;
  Mat hm;
  p.lower_hvp_yy(1, x, w, v, hv);
  p.lower_hessian_yy(1, x, w, hm);
  const Vec fd = (g_lower(x, w + h * v) - g_lower(x, w - h * v)) / (2 * h);
  EXPECT_LT((hv - fd).norm(), 1e-7);
  EXPECT_LT((hm * v - hv).norm(), 1e-12);
  // ∇²_pw g v against differences in p of ⟨∇_w g, v⟩.
  Vec jv;
  p.lower_jvp_xy(1, x, w, v, jv);
  for (int j = 0; j < 15; ++j) {
    const Vec e = Vec::Unit(15, j);
    EXPECT_NEAR(jv(j), (g_lower(x + h * e, w) - g_lower(x - h * e, w)).dot(v) / (2 * h), 1e-8);
  }
}

}  // namespace
