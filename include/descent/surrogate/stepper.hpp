// The outer-step interface shared by SSO and the direct (first-order) baselines, and the cost
// counters that let them be compared at equal *expensive* evaluations.
//
// Cost model of J. W. Lavington, S. Vaswani et al., "Target-based Surrogates for Stochastic
// Optimization", ICML 2023: a target gradient ∇_z ℓ_S is expensive (in imitation learning it
// queries an expert or a simulator), model forward/backward passes are cheap.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include <Eigen/Core>

namespace descent::surrogate {

struct CostCounters {
  std::size_t expensive = 0;       ///< target-gradient evaluations ∇_z ℓ_S
  std::size_t loss_values = 0;     ///< target-loss values ℓ_S(z) without a gradient (searches)
  std::size_t model_forward = 0;   ///< batch forward passes f_S(θ)
  std::size_t model_backward = 0;  ///< batch backward passes J_f(θ)ᵀ w
  std::size_t inner_steps = 0;     ///< inner-optimiser steps (SSO only)
  std::size_t cheap() const noexcept { return model_forward + model_backward; }
};

/// What one outer step reports.
struct OuterStep {
  double batch_loss = 0.0;  ///< ℓ_S(f_S(θ_t)) before the step
  double eta = 0.0;         ///< target step η_t (SSO) or step size (direct methods)
  std::size_t inner_steps = 0;
};

class Stepper {
 public:
  virtual ~Stepper() = default;
  virtual std::string name() const = 0;
  /// One outer step on the batch, θ updated in place.
  virtual OuterStep step(Eigen::VectorXd& theta, std::span<const Eigen::Index> batch) = 0;
  const CostCounters& costs() const noexcept { return costs_; }

 protected:
  CostCounters costs_;
};

}  // namespace descent::surrogate
