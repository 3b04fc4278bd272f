// First-order baselines of the GNS experiments: the gradient method and the fast gradient method,
// both in the metric B and with the adaptive (doubling / halving) estimate of the Lipschitz
// constant L used by the reference code of
//   A. Semenov, M. Jaggi, N. Doikov, "Gradient-Normalized Smoothness for Optimization with
//   Approximate Hessians", arXiv:2506.13710, 2025 (src/methods.py: gradient_method,
//   fast_gradient_method).
//
// Gradient method (Nesterov, "Gradient methods for minimizing composite functions", Math.
// Program. 140, 2013): x⁺ = x − B⁻¹g/L, accepted if f(x⁺) <= f(x) + ⟨g, x⁺ − x⟩ + (L/2)||x⁺ − x||²,
// then L ← max(L/2, L_min), else L ← 2L.
// Fast gradient method: Nesterov acceleration in its "similar triangles" form (Gasnikov and
// Nesterov, "Universal method for stochastic composite optimization problems", Comput. Math.
// Math. Phys. 58, 2018): a = (1 + sqrt(1 + 4AL)) / (2L), y = (a v + A x)/(A + a), the same test on
// the gradient step from y, then v ← x⁺ + (A/a)(x⁺ − x), A ← A + a. f need not decrease
// monotonically.
#pragma once

#include <cstddef>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/problems.hpp"
#include "descent/core/status.hpp"
#include "descent/newton/common.hpp"

namespace descent::newton {

struct GradientMethodOptions : CommonOptions {
  double lipschitz0 = 1.0;      ///< initial L (reference L_0 = 1.0), > 0
  double lipschitz_min = 1e-5;  ///< floor after a success (reference L_min = 1e-5), > 0
  std::size_t max_trials = 30;  ///< line-search trials per iteration (reference 30), >= 1

  void validate() const;
  template <class Fields>
  void fields(Fields& f) {
    CommonOptions::fields(f);
    f("lipschitz0", lipschitz0, "initial L");
    f("lipschitz_min", lipschitz_min, "floor after a success");
    f("max_trials", max_trials, "line-search trials per iteration");
  }
};

/// Gradient method with adaptive L. Counters: trials, final_lipschitz, linear_solves (= 0).
/// History extras: lipschitz (the accepted L), trials.
Summary minimize_gradient_method(const DifferentiableFunction& f, Eigen::VectorXd& x,
                                 const GradientMethodOptions& options = {},
                                 Callbacks callbacks = {});

/// Fast (accelerated) gradient method with adaptive L; same counters and extras.
Summary minimize_fast_gradient_method(const DifferentiableFunction& f, Eigen::VectorXd& x,
                                      const GradientMethodOptions& options = {},
                                      Callbacks callbacks = {});

}  // namespace descent::newton
