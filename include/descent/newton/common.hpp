// Options every method in descent::newton shares: the stopping rule of the reference code, the
// metric B and history recording.
//
// Stopping rule (A. Semenov, M. Jaggi, N. Doikov, "Gradient-Normalized Smoothness for
// Optimization with Approximate Hessians", arXiv:2506.13710, 2025, Algorithm 1 as run by its
// reference code): before iteration k, stop as converged if f* is known and f(x_k) − f* < eps,
// or if a gradient tolerance is set and ||g_k||_* < gradient_tolerance; stop with
// max_iterations when k reaches max_iterations.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include <Eigen/Core>

#include "descent/core/settings.hpp"

namespace descent::newton {

/// What a method does when its adaptive search exhausts its trials without accepting a step.
enum class Acceptance {
  strict,                ///< keep x_k and stop with Status::stalled (f stays monotone)
  reference_compatible,  ///< accept the last trial point anyway, as the reference code does
};
std::string_view to_string(Acceptance a) noexcept;

struct CommonOptions {
  std::size_t max_iterations = 1000;    ///< reference default n_iters = 1000
  std::optional<double> optimal_value;  ///< f*; enables the f − f* test
  double value_tolerance = 1e-8;        ///< converged when f − f* < this (the paper's eps)
  double gradient_tolerance = 0.0;      ///< converged when ||g||_* < this; 0 = off
  /// The metric B (n x n, symmetric positive definite); empty = identity.
  Eigen::MatrixXd metric;
  Acceptance acceptance = Acceptance::strict;
  bool record_history = false;     ///< one HistoryRow per iteration (row 0 = the start point)
  std::size_t history_stride = 1;  ///< keep every k-th row (the last is always kept)

  /// Throws descent::InvalidOption naming the first bad field.
  void validate() const;
  /// The fields by name (descent/core/settings.hpp); metric and optimal_value come from the
  /// problem instance.
  template <class Fields>
  void fields(Fields& f) {
    run_fields(f, max_iterations, record_history, &history_stride);
    f("value_tolerance", value_tolerance, "converged when f - f* < this (needs f*)");
    f("gradient_tolerance", gradient_tolerance, "converged when ||g||_* < this; 0 = off");
    f.choice("acceptance", acceptance,
             {{"strict", Acceptance::strict}, {"reference", Acceptance::reference_compatible}},
             "when the trials run out: stall (strict) or accept the last trial");
  }
};

}  // namespace descent::newton
