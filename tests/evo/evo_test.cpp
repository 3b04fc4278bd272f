// descent::evo: dominance and sorting invariants, hypervolume closed forms, operator semantics.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "descent/core/error.hpp"
#include "descent/evo/hypervolume.hpp"
#include "descent/evo/nsga2.hpp"
#include "descent/evo/operators.hpp"
#include "descent/evo/pareto.hpp"
#include "descent/evo/problems.hpp"

namespace evo = descent::evo;
using Eigen::MatrixXd;
using Eigen::VectorXd;

TEST(Pareto, SortPutsEveryPointAfterThoseThatDominateIt) {
  descent::Rng rng = descent::make_rng(1);
  const MatrixXd f = descent::uniform_matrix(rng, 200, 3);
  const auto fronts = evo::non_dominated_sort(f);
  std::vector<int> level(200, -1);
  std::size_t total = 0;
  for (std::size_t l = 0; l < fronts.size(); ++l) {
    total += fronts[l].size();
    for (auto i : fronts[l]) level[static_cast<std::size_t>(i)] = static_cast<int>(l);
  }
  ASSERT_EQ(total, 200u);
  for (Eigen::Index i = 0; i < 200; ++i)
    for (Eigen::Index j = 0; j < 200; ++j)
      if (evo::dominates(f, i, j)) {
        EXPECT_LT(level[i], level[j]);
      }
  // Within a front nobody dominates anybody; every later point has a dominator one level up.
  for (const auto& front : fronts)
    for (auto i : front)
      for (auto j : front) EXPECT_FALSE(evo::dominates(f, i, j));
  EXPECT_EQ(evo::pareto_front(f), fronts[0]);
}

TEST(Pareto, CrowdingDistanceByHand) {
  MatrixXd f(4, 2);
  f << 0, 4, 1, 2, 3, 1, 4, 0;
  const auto d = evo::crowding_distance(f, {0, 1, 2, 3});
  EXPECT_TRUE(std::isinf(d[0]) && std::isinf(d[3]));
  EXPECT_DOUBLE_EQ(d[1], (3.0 - 0.0) / 4 + (4.0 - 1.0) / 4);
  EXPECT_DOUBLE_EQ(d[2], (4.0 - 1.0) / 4 + (2.0 - 0.0) / 4);
}

TEST(Pareto, ConstantObjectiveAddsNothingEvenAtTheExtremes) {
  // pymoo: an objective constant on the front contributes 0 to every member (no infinities),
  // so the 2-D part alone decides: extremes of f1/f2 infinite, the middle point finite.
  MatrixXd f(3, 3);
  f << 0, 1, 5, 1, 0, 5, 0.5, 0.5, 5;
  const auto d = evo::crowding_distance(f, {0, 1, 2});
  EXPECT_TRUE(std::isinf(d[0]) && std::isinf(d[1]));
  EXPECT_TRUE(std::isfinite(d[2]));
  MatrixXd same(4, 2);
  same << 1, 1, 1, 1, 1, 1, 1, 1;
  for (double v : evo::crowding_distance(same, {0, 1, 2, 3})) EXPECT_EQ(v, 0.0);
}

TEST(Hypervolume, ClosedForms) {
  MatrixXd one(1, 2);
  one << 0.25, 0.5;
  EXPECT_DOUBLE_EQ(evo::hypervolume(one, VectorXd::Ones(2)), 0.75 * 0.5);
  MatrixXd stair(3, 2);
  stair << 0, 2, 1, 1, 2, 0;
  EXPECT_DOUBLE_EQ(evo::hypervolume(stair, VectorXd::Constant(2, 3.0)), 3 + 2 + 1);
  // Dominated and repeated points add nothing; order does not matter.
  MatrixXd more(5, 2);
  more << 2, 0, 1, 1, 1.5, 1.5, 0, 2, 1, 1;
  EXPECT_DOUBLE_EQ(evo::hypervolume(more, VectorXd::Constant(2, 3.0)), 6.0);
  MatrixXd cube(1, 3);
  cube << 0.5, 0.5, 0.5;
  EXPECT_DOUBLE_EQ(evo::hypervolume(cube, VectorXd::Ones(3)), 0.125);
  // Two boxes [0,2]x[0,1]x[0,1] and [0,1]x[0,2]x[0,1] under ref (2, 2, 2), corner (0,0,...):
  MatrixXd two(2, 3);
  two << 0, 1, 1, 1, 0, 1;  // each dominates a 2x1x1 box; the union is 3 (overlap 1x1x1)
  EXPECT_DOUBLE_EQ(evo::hypervolume(two, VectorXd::Constant(3, 2.0)), 3.0);
}

TEST(Hypervolume, ThreeDimensionsAgreeWithMonteCarloAndTwoDimensionalSlices) {
  descent::Rng rng = descent::make_rng(7);
  const MatrixXd f = descent::uniform_matrix(rng, 40, 3);
  const VectorXd ref = VectorXd::Constant(3, 1.2);
  const double hv = evo::hypervolume(f, ref);
  // A point with a constant third objective turns 3-D into 2-D times the height.
  MatrixXd flat = f;
  flat.col(2).setConstant(0.2);
  MatrixXd f2 = flat.leftCols(2);
  EXPECT_NEAR(evo::hypervolume(flat, ref), evo::hypervolume(f2, ref.head(2)) * 1.0, 1e-12);
  // Monte Carlo with 200k samples: 3 standard errors.
  const int samples = 200000;
  int hits = 0;
  for (int s = 0; s < samples; ++s) {
    const VectorXd u = descent::uniform_vector(rng, 3, 0.0, 1.2);
    for (Eigen::Index i = 0; i < f.rows(); ++i)
      if ((f.row(i).transpose().array() <= u.array()).all()) {
        ++hits;
        break;
      }
  }
  const double p = static_cast<double>(hits) / samples;
  EXPECT_NEAR(hv, p * 1.2 * 1.2 * 1.2, 3 * std::sqrt(p * (1 - p) / samples) * 1.728);
}

TEST(Hypervolume, RefusesBadInput) {
  MatrixXd f(2, 2);
  f << 0.5, 0.5, 1.5, 0.2;
  EXPECT_THROW(evo::hypervolume(f, VectorXd::Ones(2)), descent::Error);
  EXPECT_DOUBLE_EQ(evo::hypervolume_within(f, VectorXd::Ones(2)), 0.25);
  f(0, 0) = NAN;
  EXPECT_THROW(evo::hypervolume_within(f, VectorXd::Ones(2)), descent::Error);
  EXPECT_THROW(evo::hypervolume(MatrixXd::Zero(2, 4), VectorXd::Ones(4)), descent::Error);
  EXPECT_THROW(evo::hypervolume(MatrixXd::Zero(2, 2), VectorXd::Ones(3)), descent::Error);
  EXPECT_EQ(evo::hypervolume(MatrixXd(0, 2), VectorXd::Ones(2)), 0.0);
}

TEST(Operators, IntegerVariablesStayIntegerAndInBounds) {
  const evo::Bounds b = evo::Bounds::categorical({3, 3, 2, 5});
  descent::Rng rng = descent::make_rng(3);
  const MatrixXd pop = evo::random_population(b, 50, rng);
  evo::SbxOptions sbx;
  evo::MutationOptions pm;
  pm.variable_probability = 0.5;
  VectorXd c1, c2;
  for (int t = 0; t < 500; ++t) {
    evo::sbx(pop.row(t % 50).transpose(), pop.row((t * 7 + 3) % 50).transpose(), c1, c2, b, sbx,
             rng);
    evo::polynomial_mutation(c1, b, pm, rng);
    for (Eigen::Index i = 0; i < 4; ++i) {
      EXPECT_EQ(c1(i), std::round(c1(i)));
      EXPECT_GE(c1(i), 0);
      EXPECT_LE(c1(i), b.upper(i));
      EXPECT_EQ(c2(i), std::round(c2(i)));
    }
  }
}

TEST(Operators, TwoLevelMutationProbability) {
  // pymoo 0.6: an individual mutates with `probability`, then each variable with min(.5, 1/n).
  const evo::Bounds b = evo::Bounds::box(45, 0.0, 1.0);
  evo::MutationOptions pm;
  pm.probability = 0.02;
  descent::Rng rng = descent::make_rng(11);
  int individuals = 0, variables = 0;
  const int trials = 20000;
  for (int t = 0; t < trials; ++t) {
    VectorXd x = VectorXd::Constant(45, 0.5);
    evo::polynomial_mutation(x, b, pm, rng);
    const int changed = static_cast<int>(((x.array() - 0.5).abs() > 0).count());
    individuals += changed > 0;
    variables += changed;
  }
  // Expected: P(an individual changes) = 0.02 (1 - (44/45)^45) ≈ 0.0127; variables per trial
  // 0.02 * 45 / 45 = 0.02.
  EXPECT_NEAR(static_cast<double>(individuals) / trials, 0.02 * (1 - std::pow(44.0 / 45, 45)),
              0.003);
  EXPECT_NEAR(static_cast<double>(variables) / trials, 0.02, 0.004);
}

TEST(Operators, SbxKeepsTheMeanAndRespectsProbabilityZero) {
  const evo::Bounds b = evo::Bounds::box(10, -5.0, 5.0);
  descent::Rng rng = descent::make_rng(5);
  const VectorXd p1 = descent::uniform_vector(rng, 10, -1, 1),
                 p2 = descent::uniform_vector(rng, 10, -1, 1);
  evo::SbxOptions o;
  o.probability = 1.0;
  VectorXd c1, c2;
  int changed = 0;
  const int trials = 2000;
  for (int t = 0; t < trials; ++t) {
    evo::sbx(p1, p2, c1, c2, b, o, rng);
    EXPECT_LT(((c1 + c2) - (p1 + p2)).cwiseAbs().maxCoeff(), 1e-9);  // rounding only
    for (Eigen::Index i = 0; i < 10; ++i)
      changed += c1(i) != p1(i) && c1(i) != p2(i);  // a crossed variable (not a plain swap)
  }
  // Each variable takes part with probability 0.5.
  EXPECT_NEAR(static_cast<double>(changed) / (10.0 * trials), 0.5, 0.02);
  o.probability = 0.0;
  evo::sbx(p1, p2, c1, c2, b, o, rng);
  EXPECT_EQ(c1, p1);
  EXPECT_EQ(c2, p2);
}

TEST(Nsga2, ConvergesOnZdt1AndIsDeterministic) {
  evo::Nsga2Options o;
  o.population = 60;
  o.generations = 120;
  o.seed = 4;
  const auto a = evo::nsga2(evo::zdt1(10), o);
  const auto b = evo::nsga2(evo::zdt1(10), o);
  EXPECT_EQ(a.F, b.F);
  EXPECT_EQ(a.summary.function_evaluations, 60u * 121u);
  EXPECT_EQ(a.all_F.rows(), 60 * 121);
  const double hv = evo::hypervolume_within(a.F, VectorXd::Constant(2, 1.1));
  EXPECT_GT(hv, 0.85);
  EXPECT_LE(hv, evo::zdt1_true_hypervolume() + 1e-12);
  // No duplicate among the evaluated points.
  std::set<std::vector<double>> seen;
  for (Eigen::Index r = 0; r < a.all_X.rows(); ++r) {
    const Eigen::RowVectorXd row = a.all_X.row(r);
    seen.insert(std::vector<double>(row.data(), row.data() + row.size()));
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(a.all_X.rows()));
  o.max_evaluations = 600;
  const auto c = evo::nsga2(evo::zdt1(10), o);
  EXPECT_LE(c.summary.function_evaluations, 600u);
  EXPECT_EQ(c.summary.status, descent::Status::max_iterations);
}

TEST(Nsga2, DuplicatesAreRedrawnInSmallIntegerSpaces) {
  evo::Problem p;
  p.bounds = evo::Bounds::categorical({3, 3, 3});
  p.objectives = 2;
  p.evaluate = [](const MatrixXd& X, MatrixXd& F) {
    F.col(0) = X.rowwise().sum();
    F.col(1) = (2.0 - X.array()).matrix().rowwise().sum();
  };
  evo::Nsga2Options o;
  o.population = 8;
  o.generations = 50;
  const auto r = evo::nsga2(p, o);
  std::set<std::vector<double>> seen;
  for (Eigen::Index i = 0; i < r.all_X.rows(); ++i) {
    const Eigen::RowVectorXd row = r.all_X.row(i);
    EXPECT_TRUE(seen.insert(std::vector<double>(row.data(), row.data() + row.size())).second);
  }
  EXPECT_LE(seen.size(), 27u);  // the space has 27 points; the search stalls, it never repeats
  EXPECT_EQ(r.summary.status, descent::Status::stalled);
  const auto rs = evo::random_search(p, 100, 0);
  EXPECT_EQ(rs.all_X.rows(), 27);
  EXPECT_EQ(rs.summary.status, descent::Status::stalled);
}

TEST(Nsga2, OneMemberPopulationsWork) {
  evo::Nsga2Options o;
  o.population = 4;
  o.generations = 3;
  MatrixXd one(1, 5);
  one.setConstant(0.5);
  const auto r = evo::nsga2(evo::zdt1(5), o, {}, one);  // a single-row initial population
  EXPECT_GT(r.summary.function_evaluations, 1u);
}

TEST(Nsga2, BadEvaluationsAreErrors) {
  evo::Problem p = evo::zdt1(5);
  p.evaluate = [](const MatrixXd&, MatrixXd& F) { F.setConstant(NAN); };
  EXPECT_THROW(evo::nsga2(p), descent::Error);
  evo::Nsga2Options o;
  o.population = 1;
  EXPECT_THROW(evo::nsga2(evo::zdt1(5), o), descent::InvalidOption);
}
