// LV-HBA: single-loop, Hessian-free bilevel method for lower levels with coupled constraints.
//
// W. Yao, C. Yu, S. Zeng, J. Zhang, "Constrained Bi-Level Optimization: Proximal Lagrangian
// Value function Approach and Hessian-free Algorithm", ICLR 2024 (arXiv:2401.16164).
//
// Iteration k (paper's equations; spec §1.1):
//   step 1 (one projected gradient descent-ascent step on the proximal Lagrangian):
//     θ ← Proj_Y(θ − η[∇_y f(x,θ) + Σλ_i∇_y g_i(x,θ) + (θ − y)/γ1])
//     λ ← Proj_Λ(λ − η[−g(x,θ) + (λ − z)/γ2])          Λ = R^l_+ (R^l for equalities)
//   step 2 (projected gradient step on φ_c = F/c_k + f − v_γ):
//     d_x = ∇_xF/c_k + ∇_x f(x,y) − ∇_x f(x,θ) − Σλ_i∇_x g_i(x,θ)
//     d_y = ∇_yF/c_k + ∇_y f(x,y) − (y − θ)/γ1
//     (x, y) ← Proj_C((x,y) − α(d_x,d_y)),  z ← Proj_Λ(z + β(λ − z)/γ2),  c_k = c̲(k+1)^p
// The γ's follow the paper's convention (the official SVM scripts multiply by "gama" = 1/γ).
// The official LLC-toy defaults (α = 0.008, β = 0.02, η = 0.01, γ = 10, c_k = 0.025(k+1)^0.3)
// diverge; the defaults below are the spec's validated ones (LV-1).
#pragma once

#include <cstddef>
#include <functional>
#include <limits>

#include "descent/bilevel/problem.hpp"
#include "descent/core/callbacks.hpp"
#include "descent/core/settings.hpp"
#include "descent/core/status.hpp"

namespace descent::bilevel {

struct LvHbaOptions {
  double alpha = 0.005;  ///< step α for (x, y), > 0
  double beta = 0.005;   ///< step β for z, > 0
  double eta = 0.005;    ///< step η for (θ, λ), > 0
  double gamma1 = 1.0;   ///< proximal parameter γ1 of θ, > 0
  double gamma2 = 1.0;   ///< proximal parameter γ2 of λ, > 0
  double c_lower = 1.0;  ///< c̲ in c_k = c̲(k+1)^p, > 0
  double p = 0.45;       ///< exponent p of c_k, theory range (0, 1/2); 0 = constant penalty
  /// Clamp |λ|, |z| ≤ multiplier_bound (the official code's u); inf = no clamp.
  double multiplier_bound = std::numeric_limits<double>::infinity();
  std::size_t max_iterations = 10000;  ///< fixed budget K (the method has no tolerance test)
  /// Diverged when an iterate entry turns non-finite or exceeds
  /// divergence_factor * max(1, largest |entry| at the start).
  double divergence_factor = 1e6;
  bool record_history = false;
  std::size_t history_stride = 1;

  void validate() const;
  /// The fields by name (descent/core/settings.hpp).
  template <class Fields>
  void fields(Fields& f) {
    f("alpha", alpha, "step for (x, y)");
    f("beta", beta, "step for z");
    f("eta", eta, "step for (theta, lambda)");
    f("gamma1", gamma1, "proximal parameter of theta");
    f("gamma2", gamma2, "proximal parameter of lambda");
    f("c_lower", c_lower, "c_k = c_lower (k+1)^p");
    f("p", p, "exponent of c_k; 0 = constant penalty");
    f("multiplier_bound", multiplier_bound, "clamp |lambda|, |z| to this; inf = none");
    run_fields(f, max_iterations, record_history, &history_stride);
    f("divergence_factor", divergence_factor,
      "diverged when an entry exceeds this times the start");
  }
};

/// The iterate (x, y), the proximal variables (θ, λ) and the multiplier anchor z.
struct LvHbaState {
  Vec x, y, z, theta, lambda;
  /// θ = y, λ = z = 0, (x, y) projected onto C.
  static LvHbaState start(const ConstrainedBilevelProblem& problem, Vec x0, Vec y0);
};

/// Optional per-iteration monitor (e.g. distance to a known solution), recorded as the history
/// extra "monitor" and passed to callbacks.
using LvHbaMonitor = std::function<double(const Vec& x, const Vec& y)>;

/// Runs LV-HBA for options.max_iterations iterations (state updated in place). The Summary's
/// objective is F(x, y); its gradient_norm is ‖(d_x, d_y)‖ of the last step.
Summary minimize_lvhba(const ConstrainedBilevelProblem& problem, LvHbaState& state,
                       const LvHbaOptions& options = {}, Callbacks callbacks = {},
                       const LvHbaMonitor& monitor = {});

/// v_γ(x, y, z) and its saddle point, by running the inner descent-ascent to convergence
/// (for tests and diagnostics: the method itself never does this).
struct ValueFunction {
  double value = 0;
  Vec theta, lambda;
  Vec grad_x, grad_y, grad_z;  ///< ∇v_γ from the saddle point (paper's formula)
};
ValueFunction proximal_value_function(const ConstrainedBilevelProblem& problem, const Vec& x,
                                      const Vec& y, const Vec& z, double gamma1, double gamma2,
                                      double step, std::size_t iterations);

}  // namespace descent::bilevel
