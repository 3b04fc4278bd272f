// The Eigen front end: any UpdateRule on a DifferentiableFunction, with schedule, clipping,
// callbacks and divergence detection. Deterministic full gradients (the diffGrad notebook
// protocol and `descent minimize --optimizer ...`).
#pragma once

#include <cstddef>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/problems.hpp"
#include "descent/core/status.hpp"
#include "descent/optim/rule.hpp"
#include "descent/optim/transforms.hpp"

namespace descent::optim {

struct OptimizeOptions {
  UpdateRule rule = UpdateRule::make("adam");  ///< rule and its hyper-parameters (lr inside)
  Schedule schedule;                           ///< lr multiplier per step (default constant)
  double clip_norm = 0.0;                      ///< clip |g|_2 to this before the rule (0 = off)
  double clip_value = 0.0;                     ///< clamp each g_i to +-this (0 = off)
  std::size_t max_iterations = 1000;           ///< number of updates
  double gradient_tolerance = 0.0;  ///< converged when |g|_2 <= this (0 = run all iterations)
  /// Diverged when f exceeds divergence_factor * max(1, |f(x0)|) or f, g or x is non-finite.
  double divergence_factor = 1e12;
  bool record_history = false;
  std::size_t history_stride = 1;
  void validate() const;
};

/// Minimises f from x (updated in place). Callbacks see the iterate after every update
/// (IterationInfo::x), so a logger with x columns records the full trajectory.
Summary Optimize(const DifferentiableFunction& f, Eigen::VectorXd& x,
                 const OptimizeOptions& options = {}, Callbacks callbacks = {});

}  // namespace descent::optim
