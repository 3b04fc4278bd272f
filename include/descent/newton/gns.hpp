// Gradient-regularised Newton with adaptive γ search: Algorithm 1 of
//
//   A. Semenov, M. Jaggi, N. Doikov, "Gradient-Normalized Smoothness for Optimization with
//   Approximate Hessians", arXiv:2506.13710, 2025 (ICLR 2026).
//
// With the dual norm ||g||_* = sqrt(gᵀB⁻¹g) and a curvature matrix H(x_k) (exact Hessian or an
// approximation, see hessian_source.hpp), each iteration tries
//     λ = ||g_k||_* / (γ + eps),   Δ = −(H_k + λB)⁻¹ g_k,   x⁺ = x_k + Δ
// and accepts when f(x_k) − f(x⁺) >= ||∇f(x⁺)||_*² / (8λ); then γ ← max(2γ, γ_min) (optimistic
// next time), else γ ← γ/2 and the trial is repeated, at most max_trials times. The step length
// is at most γ: γ is the radius on which the linearisation g + H(y − x) of the gradient field is
// trusted ("gradient-normalised smoothness"). With exact H on a Hessian-Lipschitz f this is the
// gradient-regularised Newton method of Mishchenko (2023) / Doikov–Nesterov with λ ≍ sqrt(L||g||).
//
// Departures from the reference code (src/methods.py: grad_norm_smooth), all documented:
//  - A Cholesky failure (H + λB not positive definite, possible with indefinite exact Hessians
//    of non-convex f) counts as a rejected trial, halving γ (raising λ) — the reference breaks
//    out of the search and reuses a stale step, which is undefined on the first trial.
//  - When every trial is rejected, `acceptance` decides: strict (default) keeps x_k and ends the
//    run with Status::stalled; reference_compatible accepts the last trial as the reference does.
//  - The stopping rule is checked before each iteration exactly as in the reference.
#pragma once

#include <cstddef>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/status.hpp"
#include "descent/newton/common.hpp"
#include "descent/newton/hessian_source.hpp"
#include "descent/newton/regularized_solver.hpp"
#include "descent/problems/oracle.hpp"

namespace descent::newton {

struct GnsOptions : CommonOptions {
  double gamma0 = 1.0;          ///< initial γ (reference gamma_0 = 1.0), > 0
  double eps = 1e-8;            ///< λ = ||g||_* / (γ + eps) (reference eps = 1e-8), >= 0
  double gamma_min = 1e-9;      ///< floor applied after a success (reference 1e-9), > 0
  std::size_t max_trials = 40;  ///< adaptive trials per iteration (reference 40), >= 1
  /// false: one trial with the current γ and no acceptance test (reference adaptive_search=False).
  bool adaptive = true;
  LinearSolver linear_solver = LinearSolver::cholesky;

  void validate() const;
  template <class Fields>
  void fields(Fields& f) {
    CommonOptions::fields(f);
    f("gamma0", gamma0, "initial gamma");
    f("eps", eps, "lambda = ||g||_* / (gamma + eps)");
    f("gamma_min", gamma_min, "floor applied after a success");
    f("max_trials", max_trials, "adaptive trials per iteration");
    f("adaptive", adaptive, "false: one trial, no acceptance test");
    f.choice("linear_solver", linear_solver,
             {{"cholesky", LinearSolver::cholesky},
              {"sherman-morrison", LinearSolver::sherman_morrison}},
             "how the regularised system is solved");
  }
};

/// Minimises f from x (updated in place) with curvature from `hessian`.
///
/// Summary: function/gradient evaluations; counters hessian_evaluations, linear_solves,
/// cholesky_failures, trials, rejected_iterations, linear_solves_per_iteration, final_gamma.
/// History extras per iteration: gamma (the γ of the accepted trial), lambda, trials,
/// linear_solves (cumulative), lambda_over_sqrt_grad (λ_k / sqrt(||g_k||_*), the
/// Hessian-Lipschitz sanity ratio).
Summary minimize_gns(const problems::Oracle& f, Eigen::VectorXd& x, const HessianSource& hessian,
                     const GnsOptions& options = {}, Callbacks callbacks = {});

}  // namespace descent::newton
