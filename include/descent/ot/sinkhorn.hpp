// Log-domain Sinkhorn, and Sinkhorn with epsilon scaling.
//
// R. Sinkhorn, "A relationship between arbitrary positive matrices and doubly stochastic
// matrices", Ann. Math. Statist. 35(2), 1964; M. Cuturi, "Sinkhorn distances: lightspeed
// computation of optimal transport", NeurIPS 2013. Log-domain stabilisation and epsilon scaling
// follow B. Schmitzer, "Stabilized sparse scaling algorithms for entropy regularized transport
// problems", SIAM J. Sci. Comput. 41(3), 2019. The parameterisation (eta = 1 / regularisation,
// the dual f and the potentials x, y) is that of Tang et al., ICLR 2024 (see sns.hpp).
//
// One iteration is the two exact block maximisations of the dual f:
//   x_i <- x_i + (log a_i - log (P 1)_i) / eta, then y_j <- y_j + (log b_j - log (P^T 1)_j) / eta,
// computed with log-sum-exp, so nothing under- or overflows at eta = 1200 or beyond.
//
// Stopping: the L1 marginal error |P1 - a|_1 + |P^T 1 - b|_1. After a column half-step the
// column marginals are exact, and the row log-sums that the next row half-step needs anyway
// give P 1: the error of iterate k is known after iteration k+1's first half, at no extra pass.
// The solver returns the iterate whose error met the tolerance (the measuring row pass is not
// applied).
//
// Departure from POT: POT's sinkhorn_log checks the 2-norm of one marginal every 10 iterations;
// descent checks the L1 norm of both marginals every iteration (free, see above).
#pragma once

#include <cstddef>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/settings.hpp"
#include "descent/ot/problem.hpp"
#include "descent/ot/result.hpp"

namespace descent::ot {

struct SinkhornOptions {
  double eta = 1200.0;                  ///< inverse regularisation (> 0); POT's reg is 1 / eta
  double tolerance = 1e-9;              ///< converged when the L1 marginal error <= tolerance
  std::size_t max_iterations = 100000;  ///< cap on full (row + column) iterations
  /// Threads for the half-steps (rows are split into blocks); 1 = serial, 0 = descent::threads().
  int threads = 1;
  bool record_history = false;     ///< keep a HistoryRow per iteration in the Summary
  std::size_t history_stride = 1;  ///< record every k-th iteration (the last is always kept)
  PlanOptions plan;                ///< what plan to return

  /// Throws descent::InvalidOption naming the first bad field.
  void validate() const;
  /// The fields by name (descent/core/settings.hpp).
  template <class Fields>
  void fields(Fields& f) {
    f("eta", eta, "inverse regularisation (> 0); POT's reg is 1 / eta");
    f("tolerance", tolerance, "converged when the L1 marginal error <= tolerance");
    f("threads", threads, "threads for the half-steps; 0 = all");
    run_fields(f, max_iterations, record_history, &history_stride);
    plan.fields(f);
  }
};

/// Log-domain Sinkhorn from x = y = 0. The problem's weights must be strictly positive.
Result sinkhorn(const Problem& problem, const SinkhornOptions& options = {},
                Callbacks callbacks = {});
/// Warm start from potentials (x0, y0) in the convention of result.hpp.
Result sinkhorn(const Problem& problem, const SinkhornOptions& options, Callbacks callbacks,
                const Eigen::VectorXd& x0, const Eigen::VectorXd& y0);

struct EpsilonScalingOptions {
  /// The final stage: eta, tolerance, threads, history and plan. max_iterations caps the
  /// iterations of all stages together.
  SinkhornOptions sinkhorn;
  /// eta of the first stage; 0 = min(eta, 10 / max C), i.e. start where the kernel is smooth.
  double eta_start = 0.0;
  double factor = 4.0;  ///< eta grows by this factor between stages (> 1)
  /// Intermediate stages stop at max(stage_tolerance, tolerance): their job is a warm start.
  double stage_tolerance = 1e-3;

  void validate() const;
  /// The final stage's fields, then the continuation's (descent/core/settings.hpp).
  template <class Fields>
  void fields(Fields& f) {
    sinkhorn.fields(f);
    f("eta_start", eta_start, "eta of the first stage; 0 = min(eta, 10 / max C)");
    f("eta_factor", factor, "eta grows by this factor between stages (> 1)");
    f("stage_tolerance", stage_tolerance, "intermediate stages stop at this error");
  }
};

/// Sinkhorn on eta_start, eta_start * factor, ..., eta, each warm-started from the previous
/// stage's potentials. Iterations and the error history run across stages; counters["stages"].
Result sinkhorn_epsilon_scaling(const Problem& problem, const EpsilonScalingOptions& options = {},
                                Callbacks callbacks = {});

}  // namespace descent::ot
