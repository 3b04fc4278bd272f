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
//
// Scaling-domain fast path (SinkhornOptions::domain, dense problems): the same iterates in the
// form P = diag(u) K diag(v) with K = exp(-eta C + alpha0 1^T + 1 beta0^T), where alpha0, beta0
// are log-domain potentials "absorbed" into K (Schmitzer 2019, section 4.1; POT's
// sinkhorn_stabilized). An iteration is then two matrix-vector products with no exp: one sweep
// over the column-major K computes v = b / (K^T u) column by column and accumulates K v for the
// next u = a / (K v). When some |log u_i| or |log v_j| exceeds `absorb_threshold`, u and v are
// absorbed into alpha0, beta0 and K is recomputed (one exp pass, half a log-domain iteration, so
// even absorbing every iteration is cheaper than the log domain). The first K is built after one
// log-domain row update, so every row of K sums to a_i and no row starts underflowed. Entries of
// K that underflow belong to plan entries below exp(-708 + 2 absorb_threshold) = exp(-658) and
// are negligible. With domain = automatic the run switches to the log domain, from the last
// finite iterate, when an entry of K^T u or K v is 0 or not finite (the kernel underflowed on a
// whole column, e.g. at eta max C in the tens of thousands): counters["domain_switches"] = 1.
// Memory: one more n x m matrix (K), 24 n m bytes for the dense path in all.
#pragma once

#include <cstddef>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/settings.hpp"
#include "descent/ot/problem.hpp"
#include "descent/ot/result.hpp"

namespace descent::ot {

/// Where the iterations run (see the comment above).
enum class SinkhornDomain {
  automatic,  ///< scaling domain with absorption; the log domain if the kernel underflows
  log,        ///< log domain throughout
  scaling,    ///< scaling domain with absorption throughout (a zero or non-finite sum: diverged)
};

struct SinkhornOptions {
  double eta = 1200.0;                  ///< inverse regularisation (> 0); POT's reg is 1 / eta
  double tolerance = 1e-9;              ///< converged when the L1 marginal error <= tolerance
  std::size_t max_iterations = 100000;  ///< cap on full (row + column) iterations
  /// Threads for the half-steps (rows are split into blocks); 1 = serial, 0 = descent::threads().
  int threads = 1;
  bool record_history = false;     ///< keep a HistoryRow per iteration in the Summary
  std::size_t history_stride = 1;  ///< record every k-th iteration (the last is always kept)
  PlanOptions plan;                ///< what plan to return
  /// Dense problems: the scaling-domain fast path (automatic), or one domain throughout. Point
  /// clouds (clouds.hpp) always run in the log domain.
  SinkhornDomain domain = SinkhornDomain::automatic;
  double absorb_threshold = 25.0;  ///< absorb u, v into K when some |log u|, |log v| exceeds it

  /// Throws descent::InvalidOption naming the first bad field.
  void validate() const;
  /// The fields by name (descent/core/settings.hpp).
  template <class Fields>
  void fields(Fields& f) {
    f("eta", eta, "inverse regularisation (> 0); POT's reg is 1 / eta");
    f("tolerance", tolerance, "converged when the L1 marginal error <= tolerance");
    f("threads", threads, "threads for the half-steps; 0 = all");
    f.choice("domain", domain,
             {{"auto", SinkhornDomain::automatic},
              {"log", SinkhornDomain::log},
              {"scaling", SinkhornDomain::scaling}},
             "dense problems: scaling-domain fast path (auto) or one domain throughout");
    f("absorb_threshold", absorb_threshold, "absorb u, v into the kernel beyond |log u| > this");
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
