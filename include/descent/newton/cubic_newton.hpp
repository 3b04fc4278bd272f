// Cubic-regularised Newton method with an adaptive regularisation constant, a baseline of the
// GNS experiments:
//   Yu. Nesterov, B. T. Polyak, "Cubic regularization of Newton method and its global
//   performance", Mathematical Programming 108(1):177–205, 2006.
//
// Each iteration minimises the model m(h) = ⟨g, h⟩ + ½ hᵀHh + (M/6)||h||³ (B-norm). Its minimiser
// is h(r) = −(H + (M/2) r B)⁻¹ g at the root r = ||h(r)||, found by a safeguarded one-dimensional
// Newton iteration on φ(r) = r − ||h(r)|| (one Cholesky factorisation per evaluation; φ'(r) =
// 1 + (M/2)·(Bh)ᵀ(H + (M/2) r B)⁻¹(Bh)/||h||, bracketed with bisection, so an indefinite H is
// handled by moving r to the right of the region where the factorisation fails). The step is
// accepted if f(x + h) <= f(x) + m(h), then M ← max(M/2, M_min), else M ← 2M. This is the
// reference code's cubic_newton (A. Semenov, M. Jaggi, N. Doikov, arXiv:2506.13710, 2025,
// src/methods.py), whose H_k equals our M.
#pragma once

#include <cstddef>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/status.hpp"
#include "descent/newton/common.hpp"
#include "descent/newton/hessian_source.hpp"
#include "descent/problems/oracle.hpp"

namespace descent::newton {

struct CubicNewtonOptions : CommonOptions {
  double m0 = 1.0;                         ///< initial M (reference H_0 = 1.0), > 0
  double m_min = 1e-5;                     ///< floor after a success (reference H_min = 1e-5), > 0
  std::size_t max_trials = 40;             ///< adaptive trials per iteration (reference 40), >= 1
  std::size_t subproblem_iterations = 60;  ///< 1-D Newton / bisection steps per model solve
  double subproblem_tolerance = 1e-10;     ///< |r − ||h(r)||| <= tol (1 + r)

  void validate() const;
  template <class Fields>
  void fields(Fields& f) {
    CommonOptions::fields(f);
    f("m0", m0, "initial M");
    f("m_min", m_min, "floor after a success");
    f("max_trials", max_trials, "adaptive trials per iteration");
    f("subproblem_iterations", subproblem_iterations, "root-search steps per model solve");
    f("subproblem_tolerance", subproblem_tolerance, "model solve tolerance");
  }
};

/// The minimiser of ⟨g, h⟩ + ½ hᵀHh + (M/6)||h||_B³ (B from `metric`), with the number of
/// Cholesky factorisations it took. converged = false if the root search hit its cap (h is then
/// the last finite iterate, still a model decrease in practice).
struct CubicStep {
  Eigen::VectorXd h;
  double model_value = 0.0;
  std::size_t factorizations = 0;
  bool converged = false;
};
CubicStep solve_cubic_model(const Eigen::VectorXd& g, const Eigen::MatrixXd& hessian, double m,
                            const Eigen::MatrixXd& metric = {}, std::size_t max_iterations = 60,
                            double tolerance = 1e-10);

/// Counters: hessian_evaluations, linear_solves, trials, subproblem_failures, final_m.
/// History extras: m (the accepted M), trials, linear_solves (cumulative).
Summary minimize_cubic_newton(const problems::Oracle& f, Eigen::VectorXd& x,
                              const HessianSource& hessian, const CubicNewtonOptions& options = {},
                              Callbacks callbacks = {});

}  // namespace descent::newton
