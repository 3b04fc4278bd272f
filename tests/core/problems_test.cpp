// Every test problem: analytic gradient vs central finite differences, gradient zero at the
// stated optimum, f(x*) = f*, and the start point has the right dimension.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/problems.hpp"
#include "descent/core/rng.hpp"

namespace descent {
namespace {

Eigen::VectorXd fd_gradient(const DifferentiableFunction& f, const Eigen::VectorXd& x) {
  Eigen::VectorXd g(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double h = 1e-6 * std::max(1.0, std::abs(x[i]));
    Eigen::VectorXd a = x, b = x;
    a[i] += h;
    b[i] -= h;
    g[i] = (f.value(a) - f.value(b)) / (2 * h);
  }
  return g;
}

class ProblemTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ProblemTest, GradientMatchesFiniteDifferences) {
  const auto p = make_problem(GetParam());
  Rng rng = make_rng(7, {std::hash<std::string>{}(GetParam())});
  for (int trial = 0; trial < 20; ++trial) {
    Eigen::VectorXd x = p->initial_point() + uniform_vector(rng, p->dimension(), -1.5, 1.5);
    Eigen::VectorXd g;
    p->gradient(x, g);
    const Eigen::VectorXd fd = fd_gradient(*p, x);
    const double scale = std::max(1.0, fd.norm());
    EXPECT_LE((g - fd).norm() / scale, 1e-6) << GetParam() << " at x = " << x.transpose();
    Eigen::VectorXd g2;
    EXPECT_NEAR(p->value_and_gradient(x, g2), p->value(x),
                1e-14 * std::max(1.0, std::abs(p->value(x))));
    EXPECT_LE((g2 - g).norm(), 1e-14 * scale);
  }
}

TEST_P(ProblemTest, OptimumIsStationaryWithKnownValue) {
  const auto p = make_problem(GetParam());
  const Eigen::VectorXd xs = p->optimum();
  ASSERT_EQ(xs.size(), p->dimension());
  ASSERT_EQ(p->initial_point().size(), p->dimension());
  EXPECT_NEAR(p->value(xs), p->optimal_value(),
              1e-12 * std::max(1.0, std::abs(p->optimal_value())));
  Eigen::VectorXd g;
  p->gradient(xs, g);
  EXPECT_LE(g.norm(), 1e-9) << GetParam();
  // A known minimiser: small perturbations never go below f*.
  Rng rng = make_rng(11);
  for (int t = 0; t < 50; ++t) {
    const Eigen::VectorXd y = xs + 1e-3 * normal_vector(rng, p->dimension());
    EXPECT_GE(p->value(y), p->optimal_value() - 1e-12) << GetParam();
  }
}

INSTANTIATE_TEST_SUITE_P(AllProblems, ProblemTest,
                         ::testing::Values("sphere", "rosenbrock", "rosenbrock:n=7", "booth",
                                           "matyas", "mccormick", "styblinski-tang:n=3",
                                           "rastrigin:n=4", "ackley", "beale", "logistic"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& c : s)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return s;
                         });

TEST(Problems, ClosedFormOptima) {
  // Values quoted in the literature (Jamil & Yang 2013).
  EXPECT_NEAR(make_mccormick()->optimal_value(), -1.9132229549810367, 1e-12);
  EXPECT_NEAR(make_mccormick()->optimum()[0], -0.54719755119659763, 1e-12);
  EXPECT_NEAR(make_styblinski_tang(1)->optimum()[0], -2.903534027771178, 1e-12);
  EXPECT_NEAR(make_styblinski_tang(2)->optimal_value(), -78.33233140754282, 1e-9);
  EXPECT_EQ(make_rosenbrock(4)->initial_point(),
            (Eigen::VectorXd(4) << -1.2, 1, -1.2, 1).finished());
}

TEST(Problems, LogisticOptimumIsSeededAndStationary) {
  const auto a = make_logistic_regression(100, 4, 1e-2, 3);
  const auto b = make_logistic_regression(100, 4, 1e-2, 3);
  const auto c = make_logistic_regression(100, 4, 1e-2, 4);
  EXPECT_EQ(a->optimum(), b->optimum());
  EXPECT_NE(a->optimum(), c->optimum());
  EXPECT_GT(a->optimal_value(), 0.0);
  EXPECT_LT(a->optimal_value(), std::log(2.0));  // better than w = 0
}

TEST(Problems, BadNamesAndDimensions) {
  EXPECT_THROW(make_problem("nope"), Error);
  EXPECT_THROW(make_problem("booth:n=3"), Error);
  EXPECT_THROW(make_problem("rosenbrock:n=x"), Error);
  // A given n is never replaced by the default, and an absurd one fails before allocating.
  EXPECT_THROW(make_problem("sphere:n=-3"), Error);
  EXPECT_THROW(make_problem("sphere:n=0"), Error);
  EXPECT_THROW(make_problem("sphere:n=99999999999"), Error);
  EXPECT_EQ(make_problem("sphere:n=3")->dimension(), 3);
  EXPECT_THROW(make_problem("rosenbrock:n=1"), InvalidOption);
  EXPECT_THROW(make_logistic_regression(1, 2), InvalidOption);
  EXPECT_EQ(problem_names().size(), 10u);
  for (const auto& name : problem_names()) EXPECT_NO_THROW(make_problem(name)) << name;
}

}  // namespace
}  // namespace descent
