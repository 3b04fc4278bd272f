// Super-Universal Newton method, a baseline of the GNS experiments:
//   N. Doikov, K. Mishchenko, Yu. Nesterov, "Super-Universal Regularized Newton Method",
//   SIAM Journal on Optimization 34(1):27–56, 2024.
//
// Gradient-regularised Newton steps Δ = −(H + λB)⁻¹g with λ = H_k ||g||_*^α. A trial is
// accepted if ⟨∇f(x⁺), −Δ⟩ >= ||∇f(x⁺)||_*² / (4λ); then H_k ← max(H_k/4, H_min), else
// H_k ← 4 H_k. Defaults follow the reference code of A. Semenov, M. Jaggi, N. Doikov,
// arXiv:2506.13710, 2025 (src/methods.py: super_newton): α = 1, H_0 = 1, H_min = 1e-5, 40 trials.
// Cholesky failures count as rejected trials (H_k grows), as in minimize_gns.
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

struct SuperUniversalOptions : CommonOptions {
  double h0 = 1.0;              ///< initial H_k (reference H_0 = 1.0), > 0
  double alpha = 1.0;           ///< λ = H_k ||g||_*^α (reference alpha = 1.0), in [0, 1]
  double h_min = 1e-5;          ///< floor after a success (reference H_min = 1e-5), > 0
  std::size_t max_trials = 40;  ///< adaptive trials per iteration, >= 1
  LinearSolver linear_solver = LinearSolver::cholesky;

  void validate() const;
  template <class Fields>
  void fields(Fields& f) {
    CommonOptions::fields(f);
    f("h0", h0, "initial H_k");
    f("alpha", alpha, "lambda = H_k ||g||_*^alpha");
    f("h_min", h_min, "floor after a success");
    f("max_trials", max_trials, "adaptive trials per iteration");
    f.choice("linear_solver", linear_solver,
             {{"cholesky", LinearSolver::cholesky},
              {"sherman-morrison", LinearSolver::sherman_morrison}},
             "how the regularised system is solved");
  }
};

/// Counters: hessian_evaluations, linear_solves, cholesky_failures, trials, final_h.
/// History extras: h (the accepted H_k), lambda, trials, linear_solves (cumulative).
Summary minimize_super_universal_newton(const problems::Oracle& f, Eigen::VectorXd& x,
                                        const HessianSource& hessian,
                                        const SuperUniversalOptions& options = {},
                                        Callbacks callbacks = {});

}  // namespace descent::newton
