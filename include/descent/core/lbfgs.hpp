// Limited-memory BFGS for smooth unconstrained problems: the kernel behind GBNN's weak learners
// (descent::boost) and anything else that fits a small smooth model to convergence.
//
// Nocedal, "Updating quasi-Newton matrices with limited storage" (Math. Comp. 1980); Liu &
// Nocedal, "On the limited memory BFGS method for large scale optimization" (Math. Prog. 1989).
// Two-loop recursion with the initial scaling γ = sᵀy / yᵀy, and a strong-Wolfe line search
// (Nocedal & Wright, Numerical Optimization, Algorithms 3.5 and 3.6, safeguarded cubic
// interpolation). The stopping rules and defaults follow scipy's L-BFGS-B (what scikit-learn's
// MLP `solver='lbfgs'` calls), so that fits ported from sklearn stop where sklearn's do:
//   |g|∞ <= gradient_tolerance                                      -> converged
//   (f_k - f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= relative_reduction -> converged
//   max_iterations accepted steps or max_evaluations evaluations     -> max_iterations
// A pair with sᵀy <= 1e-10·yᵀy is not stored (keeps the inverse-Hessian model positive definite).
// A line search that cannot find a strong-Wolfe point keeps the best decreasing point if there
// is one, else ends the run with Status::stalled; a non-finite start is Status::diverged.
#pragma once

#include <functional>
#include <string>

#include <Eigen/Core>

#include "descent/core/status.hpp"

namespace descent {

struct LbfgsOptions {
  int memory = 10;                   ///< correction pairs kept (scipy: maxcor = 10), >= 1
  int max_iterations = 200;          ///< accepted steps (sklearn MLP: max_iter = 200), >= 1
  int max_evaluations = 15000;       ///< function+gradient evaluations (sklearn: max_fun), >= 1
  double gradient_tolerance = 1e-5;  ///< on max |g_i| (scipy: pgtol); 0 disables, >= 0
  /// On the relative decrease of f per step (scipy: ftol = factr·eps, factr = 1e7); 0 disables.
  double relative_reduction = 2.220446049250313e-09;
  double wolfe_c1 = 1e-4;    ///< sufficient decrease, in (0, wolfe_c2)
  double wolfe_c2 = 0.9;     ///< curvature condition, in (wolfe_c1, 1)
  int max_line_search = 20;  ///< evaluations per line search, >= 1

  /// Throws descent::InvalidOption naming the first bad field.
  void validate() const;
};

struct LbfgsResult {
  Status status = Status::failed;
  std::string message;
  double value = 0.0;   ///< f at the returned x
  int iterations = 0;   ///< accepted steps
  int evaluations = 0;  ///< calls of the function
  double gradient_inf_norm = 0.0;
};

/// f(x) and its gradient g (already sized to x.size()).
using ValueAndGradient = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& g)>;

/// Minimises f from x (updated in place to the best point found).
LbfgsResult lbfgs_minimize(const ValueAndGradient& f, Eigen::VectorXd& x,
                           const LbfgsOptions& options = {});

}  // namespace descent
