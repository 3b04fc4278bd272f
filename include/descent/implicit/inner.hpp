// Inner solvers for the reproductions and the CLI: the x*(θ) that implicit differentiation then
// differentiates. Implicit differentiation is only as accurate as the inner solve (spec 2.2:
// the Jacobian error is linear in ||x̂ − x*||), so these default to tight tolerances.
#pragma once

#include <cstddef>

#include "descent/core/status.hpp"
#include "descent/implicit/mappings.hpp"

namespace descent::implicit {

struct NewtonOptions {
  double tolerance = 1e-12;         ///< stop when ||∇f|| <= tolerance, default 1e-12
  std::size_t max_iterations = 50;  ///< default 50
  void validate() const;
};
/// Newton's method with CG on the Hessian (matrix-free) and Armijo backtracking on f (needs
/// value). For strongly convex f (ridge, L2 logistic regression). Summary: converged,
/// max_iterations, diverged or stalled.
Summary newton_solve(const SmoothObjective& f, Vec& x, const Vec& theta,
                     const NewtonOptions& options = {});

struct FixedPointOptions {
  double tolerance = 1e-12;            ///< stop when ||F(x, θ)|| <= tolerance, default 1e-12
  std::size_t max_iterations = 10000;  ///< default 10,000
  /// Nesterov/FISTA extrapolation with adaptive restart (O'Donoghue & Candès 2015) when the
  /// map is a prox-gradient step. Default on; turn off for mirror descent.
  bool accelerate = true;
  void validate() const;
};
/// Iterates x ← x + F(x, θ) = T(x, θ) for a fixed-point residual F (proximal_gradient,
/// projected_gradient, mirror_descent_kl, ...). Summary as for newton_solve.
Summary fixed_point_solve(const Optimality& f, Vec& x, const Vec& theta,
                          const FixedPointOptions& options = {});

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
