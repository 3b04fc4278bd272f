// Test problems with known optimum, start point and analytic gradient.
//
// The classic set used by ensmallen, Ceres and the optimization literature (Jamil & Yang, "A
// literature survey of benchmark functions for global optimization problems", 2013), plus an
// L2-regularised logistic regression on a seeded synthetic data set whose optimum is computed
// to machine precision by Newton's method at construction.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace descent {

/// A differentiable objective f: R^n -> R.
class DifferentiableFunction {
 public:
  virtual ~DifferentiableFunction() = default;
  virtual Eigen::Index dimension() const = 0;
  virtual double value(const Eigen::VectorXd& x) const = 0;
  virtual void gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const = 0;
  /// Default: value() then gradient(); override when sharing work is cheaper.
  virtual double value_and_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const {
    gradient(x, g);
    return value(x);
  }
};

/// A test problem: a function plus its documented start point and a known minimiser.
class TestProblem : public DifferentiableFunction {
 public:
  virtual std::string name() const = 0;
  virtual Eigen::VectorXd initial_point() const = 0;
  /// A global minimiser (one of them, if several).
  virtual Eigen::VectorXd optimum() const = 0;
  /// f at the global minimum.
  virtual double optimal_value() const = 0;
};

std::unique_ptr<TestProblem> make_sphere(Eigen::Index n = 10);
std::unique_ptr<TestProblem> make_rosenbrock(
    Eigen::Index n = 2);  ///< start (-1.2, 1, -1.2, 1, ...)
std::unique_ptr<TestProblem> make_booth();
std::unique_ptr<TestProblem> make_matyas();
std::unique_ptr<TestProblem> make_mccormick();
std::unique_ptr<TestProblem> make_styblinski_tang(Eigen::Index n = 2);
std::unique_ptr<TestProblem> make_rastrigin(Eigen::Index n = 2);
std::unique_ptr<TestProblem> make_ackley();
std::unique_ptr<TestProblem> make_beale();
/// Mean logistic loss + (lambda/2)|w|^2 on `samples` points in `features` dimensions drawn from
/// a seeded Gaussian model with label noise.
std::unique_ptr<TestProblem> make_logistic_regression(Eigen::Index samples = 200,
                                                      Eigen::Index features = 5,
                                                      double lambda = 1e-2,
                                                      std::uint64_t seed = 42);

/// Names accepted by make_problem: sphere, rosenbrock, booth, matyas, mccormick,
/// styblinski-tang, rastrigin, ackley, beale, logistic.
std::vector<std::string> problem_names();
/// Builds a problem by name; "rosenbrock:n=10" style suffixes set the dimension where allowed.
/// Throws descent::Error for an unknown name.
std::unique_ptr<TestProblem> make_problem(const std::string& spec);

}  // namespace descent
