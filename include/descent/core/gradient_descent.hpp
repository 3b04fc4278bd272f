// Gradient descent with optional heavy-ball momentum: the reference driver.
//
// Polyak, "Some methods of speeding up the convergence of iteration methods", USSR Comp. Math.
// and Math. Phys. 4(5), 1964. x_{k+1} = x_k - step * g_k + momentum * (x_k - x_{k-1}).
//
// This small method shows how every descent method fits together: an Options struct with
// validate(), a Summary with a Status, callbacks that can stop the run, and divergence reported
// as a status rather than an exception. New families copy its shape.
#pragma once

#include <functional>

#include <cstddef>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/method_registry.hpp"
#include "descent/core/problems.hpp"
#include "descent/core/settings.hpp"
#include "descent/core/status.hpp"

namespace descent {

struct GradientDescentOptions {
  double step_size = 1e-3;  ///< fixed step (learning rate), > 0
  double momentum = 0.0;    ///< heavy-ball coefficient in [0, 1); 0 = plain GD
  std::size_t max_iterations = 10000;
  double gradient_tolerance = 1e-8;  ///< converged when |g|_2 <= this
  /// Diverged when f exceeds divergence_factor * max(1, |f(x0)|) or becomes non-finite.
  double divergence_factor = 1e12;
  bool record_history = false;     ///< keep one HistoryRow per iteration in the Summary
  std::size_t history_stride = 1;  ///< record every k-th iteration (the last is always kept)

  /// Throws descent::InvalidOption naming the first bad field.
  void validate() const;
  /// The fields by name (descent/core/settings.hpp).
  template <class Fields>
  void fields(Fields& f) {
    f("step_size", step_size, "fixed step (learning rate), > 0");
    f("momentum", momentum, "heavy-ball coefficient in [0, 1)");
    f("gradient_tolerance", gradient_tolerance, "converged when |g|_2 <= this");
    f("divergence_factor", divergence_factor, "diverged when f exceeds this times max(1, |f0|)");
    run_fields(f, max_iterations, record_history, &history_stride);
  }
};

/// Minimises f from x (updated in place).
Summary minimize_gradient_descent(const DifferentiableFunction& f, Eigen::VectorXd& x,
                                  const GradientDescentOptions& options = {},
                                  Callbacks callbacks = {});

/// core's methods by name: "gd" (momentum 0) and "heavy-ball" (Polyak 1964; momentum 0.9 by
/// default), options as in GradientDescentOptions::fields.
using GradientRunner = std::function<Summary(const DifferentiableFunction& f, Eigen::VectorXd& x,
                                             const Settings& settings, Callbacks callbacks)>;
const MethodRegistry<GradientRunner>& gradient_methods();

}  // namespace descent
