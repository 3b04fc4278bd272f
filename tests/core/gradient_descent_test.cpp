#include <gtest/gtest.h>

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/gradient_descent.hpp"
#include "descent/core/problems.hpp"

namespace descent {
namespace {

TEST(GradientDescent, QuadraticClosedFormIterates) {
  // On f = |x|^2, GD with step s maps x -> (1 - 2s) x exactly.
  auto f = make_sphere(3);
  Eigen::VectorXd x = f->initial_point();
  GradientDescentOptions o;
  o.step_size = 0.1;
  o.max_iterations = 5;
  o.gradient_tolerance = 0;
  minimize_gradient_descent(*f, x, o);
  EXPECT_NEAR((x - std::pow(0.8, 5) * f->initial_point()).norm(), 0.0, 1e-15);
}

TEST(GradientDescent, HeavyBallRecurrence) {
  // x2 = x1 - s g(x1) + b (x1 - x0) on f = |x|^2 in 1-D: x1 = 0.8 x0, x2 = 0.64 x0 + 0.5 * -0.2 x0.
  auto f = make_sphere(1);
  Eigen::VectorXd x = Eigen::VectorXd::Constant(1, 1.0);
  GradientDescentOptions o;
  o.step_size = 0.1;
  o.momentum = 0.5;
  o.max_iterations = 2;
  o.gradient_tolerance = 0;
  minimize_gradient_descent(*f, x, o);
  EXPECT_NEAR(x[0], 0.8 * 0.8 - 0.5 * 0.2, 1e-15);
}

TEST(GradientDescent, ConvergesOnEasyProblems) {
  for (const char* name : {"sphere", "booth", "matyas", "logistic", "styblinski-tang"}) {
    auto f = make_problem(name);
    Eigen::VectorXd x = f->initial_point();
    GradientDescentOptions o;
    o.step_size = 1e-2;
    o.momentum = 0.9;
    o.max_iterations = 200000;
    const Summary s = minimize_gradient_descent(*f, x, o);
    EXPECT_EQ(s.status, Status::converged) << name << ": " << s.brief();
    EXPECT_LE((x - f->optimum()).norm(), 1e-6) << name;
    EXPECT_NEAR(s.objective, f->optimal_value(), 1e-9) << name;
  }
}

TEST(GradientDescent, DivergenceIsAStatusNotAnException) {
  auto f = make_rosenbrock();
  Eigen::VectorXd x = f->initial_point();
  GradientDescentOptions o;
  o.step_size = 0.01;  // far above 2/L
  const Summary s = minimize_gradient_descent(*f, x, o);
  EXPECT_EQ(s.status, Status::diverged) << s.brief();
  EXPECT_FALSE(s.message.empty());
  EXPECT_LT(s.iterations, 100u);
}

TEST(GradientDescent, MaxIterationsAndHistoryStride) {
  auto f = make_rosenbrock();
  Eigen::VectorXd x = f->initial_point();
  GradientDescentOptions o;
  o.max_iterations = 25;
  o.record_history = true;
  o.history_stride = 10;
  const Summary s = minimize_gradient_descent(*f, x, o);
  EXPECT_EQ(s.status, Status::max_iterations);
  EXPECT_EQ(s.iterations, 25u);
  ASSERT_EQ(s.history.size(), 3u);  // 10, 20 and the last (25)
  EXPECT_EQ(s.history.back().iteration, 25u);
  EXPECT_EQ(s.function_evaluations, 26u);
  EXPECT_EQ(s.history.back().objective, s.objective);
}

TEST(GradientDescent, MisuseThrows) {
  auto f = make_sphere(3);
  Eigen::VectorXd x(2);
  EXPECT_THROW(minimize_gradient_descent(*f, x), Error);
  Eigen::VectorXd y(3);
  GradientDescentOptions o;
  o.step_size = -1;
  EXPECT_THROW(minimize_gradient_descent(*f, y, o), InvalidOption);
}

}  // namespace
}  // namespace descent
