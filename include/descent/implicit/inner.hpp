// Inner solvers for the reproductions and the CLI: the x*(θ) that implicit differentiation then
// differentiates. Implicit differentiation is only as accurate as the inner solve (spec 2.2:
// the Jacobian error is linear in ||x̂ − x*||), so these default to tight tolerances.
#pragma once

#include <cstddef>
#include <functional>

#include "descent/core/callbacks.hpp"
#include "descent/core/method_registry.hpp"
#include "descent/core/settings.hpp"
#include "descent/core/status.hpp"
#include "descent/implicit/mappings.hpp"

namespace descent::implicit {

struct NewtonOptions {
  double tolerance = 1e-12;         ///< stop when ||∇f|| <= tolerance, default 1e-12
  std::size_t max_iterations = 50;  ///< default 50
  bool record_history = false;      ///< a row per iterate (f, ||∇f||)
  std::size_t history_stride = 1;   ///< keep every k-th row (the last is always kept)
  void validate() const;

  template <class Fields>
  void fields(Fields& f) {
    f("tolerance", tolerance, "stop when ||grad f|| <= tolerance");
    run_fields(f, max_iterations, record_history, &history_stride);
  }
};
/// Newton's method with CG on the Hessian (matrix-free) and Armijo backtracking on f (needs
/// value). For strongly convex f (ridge, L2 logistic regression). Summary: converged,
/// max_iterations, diverged, stalled or stopped (by a callback).
Summary solve_newton_cg(const SmoothObjective& f, Vec& x, const Vec& theta,
                        const NewtonOptions& options = {}, Callbacks callbacks = {});

struct FixedPointOptions {
  double tolerance = 1e-12;            ///< stop when ||F(x, θ)|| <= tolerance, default 1e-12
  std::size_t max_iterations = 10000;  ///< default 10,000
  /// Nesterov/FISTA extrapolation with adaptive restart (O'Donoghue & Candès 2015) when the
  /// map is a prox-gradient step. Default on; turn off for mirror descent.
  bool accelerate = true;
  bool record_history = false;     ///< a row per iteration (the residual as gradient_norm)
  std::size_t history_stride = 1;  ///< keep every k-th row (the last is always kept)
  void validate() const;

  template <class Fields>
  void fields(Fields& f) {
    f("tolerance", tolerance, "stop when ||F(x, theta)|| <= tolerance");
    run_fields(f, max_iterations, record_history, &history_stride);
    f("accelerate", accelerate, "FISTA extrapolation with adaptive restart");
  }
};
/// Iterates x ← x + F(x, θ) = T(x, θ) for a fixed-point residual F (proximal_gradient,
/// projected_gradient, mirror_descent_kl, ...). Summary as for solve_newton_cg.
Summary solve_fixed_point(const Optimality& f, Vec& x, const Vec& theta,
                          const FixedPointOptions& options = {}, Callbacks callbacks = {});

/// The earlier names of solve_newton_cg() and solve_fixed_point().
[[deprecated("use descent::implicit::solve_newton_cg")]] inline Summary newton_solve(
    const SmoothObjective& f, Vec& x, const Vec& theta, const NewtonOptions& options = {}) {
  return solve_newton_cg(f, x, theta, options);
}
[[deprecated("use descent::implicit::solve_fixed_point")]] inline Summary fixed_point_solve(
    const Optimality& f, Vec& x, const Vec& theta, const FixedPointOptions& options = {}) {
  return solve_fixed_point(f, x, theta, options);
}

/// An inner problem as the registry's solvers take it: Newton-CG needs the objective, the
/// fixed-point iterations the residual map F (either may be null when its solvers are unused).
struct InnerProblem {
  const SmoothObjective* objective = nullptr;
  const Optimality* residual = nullptr;
};
using InnerRunner = std::function<Summary(const InnerProblem& problem, Vec& x, const Vec& theta,
                                          const Settings& settings, Callbacks callbacks)>;

/// newton-cg, fixed-point, fista (fixed-point with acceleration).
const MethodRegistry<InnerRunner>& inner_solvers();

}  // namespace descent::implicit

namespace descent::implicit {

/// Lasso helpers (f = 1/(2n)||Xw − y||² + λ||w||₁): polish a prox-gradient solution by solving
/// the support-restricted system exactly, w_S = (X_SᵀX_S/n)⁻¹(X_Sᵀy/n − λ sign(w_S)), keeping
/// the signs; returns w unchanged if the polished point fails the optimality check.
Vec lasso_refit_on_support(const Mat& x, const Vec& y, double lambda, const Vec& w);
/// The closed-form lasso Jacobian dw*/dλ: −(X_SᵀX_S/n)⁻¹ sign(w_S) on the support S, 0 off it.
Vec lasso_support_jacobian(const Mat& x, const Vec& w);
/// L = λ_max(XᵀX)/n, the Lipschitz constant of the least-squares gradient.
double least_squares_lipschitz(const Mat& x);

}  // namespace descent::implicit
