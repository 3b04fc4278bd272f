// The Eigen front end: any UpdateRule on a DifferentiableFunction, with schedule, clipping,
// callbacks and divergence detection. Deterministic full gradients (the diffGrad notebook
// protocol and `descent minimize --optimizer ...`).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <utility>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/method_registry.hpp"
#include "descent/core/problems.hpp"
#include "descent/core/settings.hpp"
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
  /// The fields by name (descent/core/settings.hpp): the rule's hyper-parameters (lr, beta1,
  /// ...), the schedule's spec, then the loop's. The rule itself is chosen by name elsewhere.
  template <class Fields>
  void fields(Fields& f) {
    for (const std::string& hp : rule.hyperparameters()) {
      double v = rule.get(hp);
      f(hp, v, "update-rule hyper-parameter");
      rule.set(hp, v);
    }
    std::string spec = schedule.spec();
    f("schedule", spec, "lr multiplier per step: constant, step:S:G, cosine:T, warmup:W+...");
    if (spec != schedule.spec()) schedule = Schedule::parse(spec);
    f("clip_norm", clip_norm, "clip |g|_2 to this before the rule; 0 = off");
    f("clip_value", clip_value, "clamp each g_i to +-this; 0 = off");
    f("gradient_tolerance", gradient_tolerance, "converged when |g|_2 <= this; 0 = off");
    f("divergence_factor", divergence_factor, "diverged when f exceeds this times max(1, |f0|)");
    run_fields(f, max_iterations, record_history, &history_stride);
  }
};

/// Minimises f from x (updated in place). Callbacks see the iterate after every update
/// (IterationInfo::x), so a logger with x columns records the full trajectory.
Summary minimize(const DifferentiableFunction& f, Eigen::VectorXd& x,
                 const OptimizeOptions& options = {}, Callbacks callbacks = {});

/// The earlier name of minimize().
[[deprecated("use descent::optim::minimize")]] inline Summary Optimize(
    const DifferentiableFunction& f, Eigen::VectorXd& x, const OptimizeOptions& options = {},
    Callbacks callbacks = {}) {
  return minimize(f, x, options, std::move(callbacks));
}

/// Runs a rule on f from x: every name of UpdateRule::names() is a method; options by name as
/// in OptimizeOptions::fields.
using Runner = std::function<Summary(const DifferentiableFunction& f, Eigen::VectorXd& x,
                                     const Settings& settings, Callbacks callbacks)>;
/// Every update rule of the family as a method.
const MethodRegistry<Runner>& methods();

}  // namespace descent::optim
