// SSO: stochastic optimisation with target-based surrogates (Eigen front end).
//
//   J. W. Lavington, S. Vaswani, R. Babanezhad, M. Schmidt, N. Le Roux, "Target-based Surrogates
//   for Stochastic Optimization", ICML 2023 (arXiv:2302.02607).
//
// Each outer step t on a batch S:
//   1. z_t = f_S(θ_t) and G = ∇_z ℓ_S(z_t)            — one expensive evaluation;
//   2. η_t from the schedule (optionally after an Armijo search in target space);
//   3. the surrogate g_t(θ) = ℓ_S(z_t) + ⟨G, f_S(θ) − z_t⟩ + ‖f_S(θ) − z_t‖²/(2η_t) becomes a
//      closure, and the inner optimiser takes up to m steps on it (cheap: model passes only),
//      stopping early when ‖∇g_t‖ <= inner_gradient_tolerance.
// With m = 1 and inner SGD with step α, SSO is SGD with step α exactly (bit for bit). With exact
// inner minimisation it is projected SGD in target space.
//
// Departures from the reference code (optimizers/sgd_fmdopt.py, sls_fmdopt.py): η is the paper's
// target *step* and the loss is mean-reduced (see kernel.hpp for the conversion); the inner
// closure reuses nothing from step 1, like the reference (so the first inner step repeats the
// forward pass: counted).
#pragma once

#include <cstddef>

#include <Eigen/Core>

#include "descent/surrogate/inner.hpp"
#include "descent/surrogate/kernel.hpp"
#include "descent/surrogate/loss.hpp"
#include "descent/surrogate/model.hpp"
#include "descent/surrogate/stepper.hpp"

namespace descent::surrogate {

struct SsoOptions {
  /// Target step η (paper convention), > 0. For a per-sample L-smooth loss, η <= |S|/L makes g_t
  /// a majorant of ℓ_S ∘ f_S (logistic: 4|S|, cross-entropy: 2|S|, squared: |S|).
  double eta = 1.0;
  EtaSchedule schedule = EtaSchedule::constant;
  std::size_t total_steps = 0;   ///< T of the exponential schedule (required for it), else unused
  std::size_t inner_steps = 10;  ///< m >= 1
  /// Stop the inner loop when the surrogate gradient norm at the step's start is <= this
  /// (reference 1e-6); 0 disables.
  double inner_gradient_tolerance = 1e-6;
  /// Choose η per outer step by an Armijo search in target space (reference SLS_FMDOpt); the
  /// search starts from `eta` and then from expand·η_{t−1}; the schedule multiplies the result.
  TargetLineSearch line_search;
  void validate() const;
};

class Sso : public Stepper {
 public:
  /// The model, loss and inner optimiser must outlive the Sso object.
  Sso(const TargetModel& model, const TargetLoss& loss, InnerOptimizer& inner,
      SsoOptions options = {});
  std::string name() const override;
  OuterStep step(Eigen::VectorXd& theta, std::span<const Eigen::Index> batch) override;
  std::size_t outer_steps() const noexcept { return t_; }

 private:
  const TargetModel& model_;
  const TargetLoss& loss_;
  InnerOptimizer& inner_;
  SsoOptions o_;
  std::size_t t_ = 0;
  double eta_search_ = 0.0;  // last accepted target-space η (line search)
};

}  // namespace descent::surrogate
