// descent::bandit: simplex invariants, the 1/2-Tsallis fixed point, convergence to a dominant
// arm, ChebCB's regression oracle, the box-constrained least-squares solver and misuse errors.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <numeric>

#include "descent/bandit/box_least_squares.hpp"
#include "descent/bandit/chebcb.hpp"
#include "descent/bandit/factory.hpp"
#include "descent/bandit/tsallis_inf.hpp"
#include "descent/bandit/tsallis_inf_cb.hpp"
#include "descent/core/error.hpp"

namespace {

using namespace descent;
using namespace descent::bandit;

void expect_simplex(std::span<const double> p) {
  double sum = 0.0;
  for (double v : p) {
    EXPECT_GE(v, 0.0);
    EXPECT_TRUE(std::isfinite(v));
    sum += v;
  }
  EXPECT_NEAR(sum, 1.0, 1e-12);
}

// A cost table: arm `best` costs `low`, the rest `high`, plus context-dependent noise.
double table_cost(std::size_t arm, std::size_t best, double low, double high, Rng& rng) {
  return (arm == best ? low : high) + std::floor(5.0 * uniform01(rng));
}

TEST(Simplex, NormalizeOrUniform) {
  std::vector<double> p = {0.2, 0.2, 0.1};
  EXPECT_TRUE(normalize_or_uniform(p));
  expect_simplex(p);
  EXPECT_NEAR(p[0], 0.4, 1e-15);
  std::vector<double> bad = {0.5, std::nan(""), 0.5};
  EXPECT_FALSE(normalize_or_uniform(bad));
  for (double v : bad) EXPECT_DOUBLE_EQ(v, 1.0 / 3.0);
  std::vector<double> inf = {1.0, INFINITY};
  EXPECT_FALSE(normalize_or_uniform(inf));
  std::vector<double> zero = {0.0, 0.0};
  EXPECT_FALSE(normalize_or_uniform(zero));
  std::vector<double> negative = {1.0, -0.5};
  EXPECT_FALSE(normalize_or_uniform(negative));
  std::vector<double> roundoff = {1.0, -1e-17};
  EXPECT_TRUE(normalize_or_uniform(roundoff));
  EXPECT_EQ(roundoff[1], 0.0);
}

TEST(Simplex, SampleIndexFollowsTheDistribution) {
  Rng rng = make_rng(1);
  const std::vector<double> p = {0.1, 0.0, 0.6, 0.3};
  std::vector<int> counts(4, 0);
  for (int i = 0; i < 20000; ++i) ++counts[sample_index(p, rng)];
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(counts[0] / 20000.0, 0.1, 0.01);
  EXPECT_NEAR(counts[2] / 20000.0, 0.6, 0.015);
}

TEST(Linspace, MatchesMatlab) {
  const auto g = linspace(1.0, 1.95, 20);
  ASSERT_EQ(g.size(), 20u);
  EXPECT_EQ(g.front(), 1.0);
  EXPECT_EQ(g.back(), 1.95);
  EXPECT_NEAR(g[6], 1.3, 1e-15);
  EXPECT_NEAR(g[10], 1.5, 1e-15);
  EXPECT_NEAR(g[15], 1.75, 1e-15);
}

TEST(TsallisInf, ProbabilitiesStayOnTheSimplex) {
  Rng rng = make_rng(2);
  TsallisInf learner(20);
  expect_simplex(learner.probabilities());
  for (int t = 0; t < 3000; ++t) {
    const std::size_t arm = learner.choose(rng);
    expect_simplex(learner.probabilities());
    // Wildly varying costs, including the cap and the minimum.
    const double cost = (t % 97 == 0) ? 10000.0 : (t % 13 == 0 ? 1.0 : 30.0 + 3.0 * arm);
    learner.update(cost);
  }
  EXPECT_EQ(learner.rounds(), 3000u);
  EXPECT_EQ(learner.fallbacks(), 0u);
}

TEST(TsallisInf, MatchesTheHalfTsallisFixedPoint) {
  // p_i = 4 / (eta (k_i / scale - x))^2 with one x for all i and sum p = 1, i.e.
  // k_i / scale - 2 / (eta sqrt(p_i)) is the same for every arm.
  Rng rng = make_rng(3);
  TsallisInf learner(7);
  for (int t = 0; t < 200; ++t) learner.update((learner.choose(rng), 5.0 + 7.0 * uniform01(rng)));
  ASSERT_TRUE(learner.compute_probabilities());
  const auto p = learner.probabilities();
  const auto k = learner.loss_estimates();
  const double eta = learner.eta(), scale = learner.scale(), x = learner.normaliser();
  for (std::size_t i = 0; i < p.size(); ++i)
    EXPECT_NEAR(k[i] / scale - 2.0 / (eta * std::sqrt(p[i])), x, 1e-9 * (1.0 + std::abs(x)));
  expect_simplex(p);
  EXPECT_NEAR(eta, 2.0 / std::sqrt(201.0), 1e-15);
}

TEST(TsallisInf, TwoArmClosedForm) {
  // d = 2, eta = 2 (t = 1 after zero updates is uniform); with k = (0, c) the fixed point has
  // 1/sqrt(p1) - 1/sqrt(p2) = -c eta / (2 scale); check against a bisection solve.
  TsallisInf learner(2);
  Rng rng = make_rng(4);
  learner.choose(rng);
  learner.update(3.0);  // loss 2, scale 2
  ASSERT_TRUE(learner.compute_probabilities());
  const auto k = learner.loss_estimates();
  const double eta = 2.0 / std::sqrt(2.0), s = 2.0;
  auto total = [&](double x) {
    double sum = 0;
    for (double ki : k) sum += 4.0 / std::pow(eta * (ki / s - x), 2);
    return sum - 1.0;
  };
  double lo = -100.0, hi = std::min(k[0], k[1]) / s - 1e-12;
  for (int i = 0; i < 200; ++i) (total(0.5 * (lo + hi)) > 0 ? hi : lo) = 0.5 * (lo + hi);
  const double x = 0.5 * (lo + hi);
  for (std::size_t i = 0; i < 2; ++i)
    EXPECT_NEAR(learner.probabilities()[i], 4.0 / std::pow(eta * (k[i] / s - x), 2), 1e-12);
}

TEST(TsallisInf, ConvergesToADominantArm) {
  Rng rng = make_rng(5), noise = make_rng(6);
  TsallisInf learner(10);
  for (int t = 0; t < 4000; ++t) {
    const std::size_t arm = learner.choose(rng);
    learner.update(table_cost(arm, 3, 20.0, 60.0, noise));
  }
  ASSERT_TRUE(learner.compute_probabilities());
  EXPECT_GT(learner.probabilities()[3], 0.95);
}

TEST(TsallisInf, AllCostsOneKeepsUniform) {
  // Every loss 0: the running scale is 0, which must not produce NaN.
  Rng rng = make_rng(7);
  TsallisInf learner(4);
  for (int t = 0; t < 50; ++t) {
    learner.choose(rng);
    learner.update(1.0);
  }
  ASSERT_TRUE(learner.compute_probabilities());
  for (double p : learner.probabilities()) EXPECT_NEAR(p, 0.25, 1e-12);
  EXPECT_EQ(learner.fallbacks(), 0u);
}

TEST(TsallisInf, Misuse) {
  EXPECT_THROW(TsallisInf(0), InvalidOption);
  TsallisInfOptions bad;
  bad.eta_constant = -1;
  EXPECT_THROW(TsallisInf(3, bad), InvalidOption);
  TsallisInf learner(3);
  EXPECT_THROW(learner.update(2.0), Error);  // no pending choice
  Rng rng = make_rng(8);
  learner.choose(rng);
  EXPECT_THROW(learner.update(std::nan("")), Error);
}

TEST(TsallisInf, SameSeedSameChoices) {
  auto run = [](std::uint64_t seed) {
    Rng rng = make_rng(seed);
    TsallisInf learner(5);
    std::vector<std::size_t> arms;
    for (int t = 0; t < 300; ++t) {
      arms.push_back(learner.choose(rng));
      learner.update(10.0 + static_cast<double>(arms.back()));
    }
    return arms;
  };
  EXPECT_EQ(run(9), run(9));
  EXPECT_NE(run(9), run(10));
}

TEST(TsallisInfCb, BinsAndDominantArmPerBin) {
  TsallisInfCbOptions o;
  o.context_lo = -0.15;
  o.context_hi = 0.65;
  o.bins = 5;
  TsallisInfCb learner(6, o);
  ASSERT_EQ(learner.centres().size(), 5u);
  EXPECT_NEAR(learner.centres()[0], -0.15 + 0.8 * 0.1, 1e-15);
  EXPECT_NEAR(learner.centres()[4], -0.15 + 0.8 * 0.9, 1e-15);
  EXPECT_EQ(learner.bin_of(-10.0), 0u);
  EXPECT_EQ(learner.bin_of(10.0), 4u);
  Rng rng = make_rng(11), noise = make_rng(12), ctx = make_rng(13);
  // The best arm depends on the context: arm 0 below 0.25, arm 5 above.
  for (int t = 0; t < 8000; ++t) {
    const double c = -0.15 + 0.8 * uniform01(ctx);
    const std::size_t best = c < 0.25 ? 0 : 5;
    const std::size_t arm = learner.choose(rng, c);
    expect_simplex(learner.probabilities());
    learner.update(table_cost(arm, best, 10.0, 40.0, noise));
  }
  learner.choose(rng, -0.1);
  EXPECT_GT(learner.probabilities()[0], 0.9);
  learner.update(10.0);
  learner.choose(rng, 0.6);
  EXPECT_GT(learner.probabilities()[5], 0.9);
  learner.update(10.0);
  EXPECT_THROW(learner.choose(rng, std::nan("")), Error);
}

TEST(ChebCb, FeaturesAreChebyshevPolynomials) {
  ChebCbOptions o;
  o.context_lo = -1.0;
  o.context_hi = 1.0;
  ChebCb learner(3, o);
  for (double theta : {0.1, 0.7, 2.0, 3.0}) {
    const Eigen::VectorXd f = learner.features(std::cos(theta));
    for (Eigen::Index j = 0; j < f.size(); ++j) EXPECT_NEAR(f[j], std::cos(j * theta), 1e-13);
  }
  // Outside the range the context is clamped.
  EXPECT_NEAR((learner.features(5.0) - learner.features(1.0)).norm(), 0.0, 0.0);
}

TEST(ChebCb, LearnsALinearCostExactly) {
  ChebCbOptions o;
  o.context_lo = 0.0;
  o.context_hi = 2.0;
  ChebCb learner(1, o);  // one arm: every round trains it
  Rng rng = make_rng(14), ctx = make_rng(15);
  auto cost = [](double c) { return 51.0 + 50.0 * (c - 1.0); };  // 1 + 50 (1 + u)
  for (int t = 0; t < 50; ++t) {
    const double c = 2.0 * uniform01(ctx);
    learner.choose(rng, c);
    learner.update(cost(c));
  }
  for (double c : {0.1, 0.9, 1.7}) EXPECT_NEAR(learner.predicted_cost(0, c), cost(c), 1e-9);
}

TEST(ChebCb, ProbabilitiesOnSimplexAndDominantArm) {
  ChebCbOptions o;
  o.context_lo = -0.15;
  o.context_hi = 0.65;
  ChebCb learner(20, o);
  Rng rng = make_rng(16), noise = make_rng(17), ctx = make_rng(18);
  for (int t = 0; t < 3000; ++t) {
    const double c = -0.15 + 0.6 * uniform01(ctx);
    const std::size_t arm = learner.choose(rng, c);
    expect_simplex(learner.probabilities());
    // Arm 7 is always best; costs also drift with the context.
    learner.update(table_cost(arm, 7, 30.0, 80.0, noise) + 40.0 * c);
  }
  learner.choose(rng, 0.2);
  EXPECT_GT(learner.probabilities()[7], 0.95);
  EXPECT_GT(learner.eta(), 0.0);
  EXPECT_EQ(learner.fallbacks(), 0u);
  EXPECT_THROW(learner.choose(rng, INFINITY), Error);
}

TEST(ChebCb, ContextDependentBestArm) {
  // The best of 3 arms switches with the context; ChebCB should follow it.
  ChebCbOptions o;
  o.context_lo = 0.0;
  o.context_hi = 1.0;
  ChebCb learner(3, o);
  Rng rng = make_rng(19), ctx = make_rng(20);
  auto cost = [](std::size_t arm, double c) {
    const double centre = 0.5 * static_cast<double>(arm);
    return 10.0 + 100.0 * (c - centre) * (c - centre);
  };
  for (int t = 0; t < 4000; ++t) {
    const double c = uniform01(ctx);
    learner.update(cost(learner.choose(rng, c), c));
  }
  for (auto [c, best] : {std::pair{0.02, 0}, std::pair{0.5, 1}, std::pair{0.98, 2}}) {
    const Eigen::VectorXd s = learner.predict(c);
    Eigen::Index arg;
    s.minCoeff(&arg);
    EXPECT_EQ(arg, best) << "context " << c;
  }
}

TEST(BoxLeastSquares, MinNormSolution) {
  Eigen::MatrixXd C(2, 3);
  C << 1, 1, 0, 0, 0, 0;  // rank 1
  Eigen::VectorXd d(2);
  d << 2, 0;
  const Eigen::VectorXd x = min_norm_least_squares(C, d);
  EXPECT_NEAR(x[0], 1.0, 1e-14);
  EXPECT_NEAR(x[1], 1.0, 1e-14);
  EXPECT_NEAR(x[2], 0.0, 1e-14);
}

TEST(BoxLeastSquares, SatisfiesKktOnRandomProblems) {
  Rng rng = make_rng(21);
  for (int trial = 0; trial < 200; ++trial) {
    const int rows = 3 + trial % 8, cols = 1 + trial % 6;
    const Eigen::MatrixXd C = normal_matrix(rng, rows, cols);
    const Eigen::VectorXd d = 3.0 * normal_vector(rng, rows);
    const Eigen::VectorXd hi = uniform_vector(rng, cols, 0.05, 1.0);
    const Eigen::VectorXd lo = -hi;
    const auto fit = box_least_squares(C, d, lo, hi);
    ASSERT_TRUE(fit.converged);
    const Eigen::VectorXd g = C.transpose() * (C * fit.theta - d);
    for (int j = 0; j < cols; ++j) {
      ASSERT_GE(fit.theta[j], lo[j]);
      ASSERT_LE(fit.theta[j], hi[j]);
      const double tol = 1e-9 * (1.0 + g.cwiseAbs().maxCoeff());
      if (fit.theta[j] > lo[j] && fit.theta[j] < hi[j])
        EXPECT_NEAR(g[j], 0.0, tol);
      else if (fit.theta[j] == lo[j])
        EXPECT_GE(g[j], -tol);
      else
        EXPECT_LE(g[j], tol);
    }
    // No feasible random point does better.
    for (int probe = 0; probe < 20; ++probe) {
      Eigen::VectorXd y(cols);
      for (int j = 0; j < cols; ++j) y[j] = lo[j] + (hi[j] - lo[j]) * uniform01(rng);
      EXPECT_GE((C * y - d).squaredNorm(), fit.residual_norm_sq - 1e-9);
    }
  }
}

TEST(Factory, NamesAndKinds) {
  EXPECT_EQ(learner_kind_from_string("tsallis"), LearnerKind::tsallis_inf);
  EXPECT_EQ(learner_kind_from_string("tsallis-cb"), LearnerKind::tsallis_inf_cb);
  EXPECT_EQ(learner_kind_from_string("chebcb"), LearnerKind::chebcb);
  EXPECT_THROW(learner_kind_from_string("ucb"), Error);
  LearnerSpec spec;
  spec.kind = LearnerKind::chebcb;
  spec.context_lo = 0;
  spec.context_hi = 1;
  auto l = make_learner(4, spec);
  EXPECT_EQ(l->name(), "chebcb");
  EXPECT_TRUE(l->contextual());
  spec.context_hi = 0;  // empty range
  EXPECT_THROW(make_learner(4, spec), InvalidOption);
}

}  // namespace
