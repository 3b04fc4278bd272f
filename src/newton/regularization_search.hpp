// Internal: the search over the regularization λ that GNS and super-universal Newton share. Each
// trial takes λ from the method's parameter (γ or H), solves (H + λB)δ = −g, evaluates f and ∇f
// at x + δ and lets the method accept the trial (and move its parameter) or try again.
#pragma once

#include <cstddef>

#include <Eigen/Core>

#include "descent/core/status.hpp"
#include "descent/newton/hessian_source.hpp"
#include "descent/newton/norm.hpp"
#include "descent/newton/regularized_solver.hpp"
#include "descent/problems/oracle.hpp"

namespace descent::newton::detail {

struct RegularizationTrial {
  bool accepted = false;
  bool evaluated = false;     // at least one trial's system was solvable and f was evaluated
  double lambda = 0;          // λ of the last trial
  double parameter_used = 0;  // the method's parameter (γ or H) that gave that λ
  double f_new = 0;           // f and ‖∇f‖²_* at the last evaluated trial point
  double gnorm_new_sq = 0;
  std::size_t trials = 0;
};

// `lambda_of(parameter)` gives λ; an indefinite H + λB multiplies `parameter` by
// `indefinite_factor` (the direction that increases λ); `accept(lambda, f_new, gnorm_new_sq,
// g_new, delta)` judges an evaluated trial and updates `parameter` itself. On return x_new, g_new
// and delta hold the last evaluated trial.
template <class LambdaOf, class Accept>
RegularizationTrial search_regularization(const problems::Oracle& f, RegularizedSolver& solver,
                                          const Norm& metric, const Curvature& h,
                                          const Eigen::VectorXd& x, const Eigen::VectorXd& g,
                                          double fx, std::size_t max_trials, double& parameter,
                                          double indefinite_factor, LambdaOf lambda_of,
                                          Accept accept, Summary& s, Eigen::VectorXd& delta,
                                          Eigen::VectorXd& x_new, Eigen::VectorXd& g_new) {
  RegularizationTrial r;
  r.parameter_used = parameter;
  r.f_new = fx;
  for (std::size_t i = 0; i < max_trials; ++i) {
    ++r.trials;
    r.parameter_used = parameter;
    r.lambda = lambda_of(parameter);
    if (!solver.solve(h, r.lambda, g, delta)) {
      parameter *= indefinite_factor;
      continue;
    }
    x_new = x + delta;
    r.f_new = f.value_and_gradient(x_new, g_new);
    ++s.function_evaluations;
    ++s.gradient_evaluations;
    r.gnorm_new_sq = metric.dual_norm_squared(g_new);
    r.evaluated = true;
    if (accept(r.lambda, r.f_new, r.gnorm_new_sq, g_new, delta)) {
      r.accepted = true;
      break;
    }
  }
  return r;
}

}  // namespace descent::newton::detail
