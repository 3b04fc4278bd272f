// The log-domain Sinkhorn engine shared by sinkhorn(), epsilon scaling and the SNS warm-up
// (private to descent_ot). The half-step formulas live here and only here.
//
// Internal potentials are scaled so that log P_ij = -eta C_ij + alpha_i + beta_j; in the
// convention of Tang et al. (P = exp(eta(-C + x + y) - 1)) that is alpha = eta x - 1 and
// beta = eta y. The row half-step streams a row-major copy of C; the column half-step streams
// the Problem's own column-major C, whose columns are contiguous: both passes read memory in
// order, once. On a CloudProblem the same passes compute the cost in tiles instead of reading
// it (clouds.hpp), and with a communicator each rank takes a block of rows and of columns.
//
// Every pass computes one log-sum per row (or column), independently of the others, and the
// errors, the plan's mass and the potentials are then formed from those vectors in index order:
// results do not depend on the thread count or the number of ranks.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/run.hpp"
#include "descent/core/timer.hpp"
#include "descent/ot/clouds.hpp"
#include "descent/ot/problem.hpp"
#include "descent/ot/result.hpp"

namespace descent::ot::detail {

class LogSinkhorn {
 public:
  /// Throws descent::Error if a weight is 0 (log-domain updates need log a, log b finite).
  LogSinkhorn(const Problem& problem, double eta, int threads);
  /// The matrix-free engine; `comm` (may be null) spreads rows and columns over ranks.
  LogSinkhorn(const CloudProblem& problem, double eta, int threads, dist::Communicator* comm);

  /// The dense problem (SNS only runs on one); must not be called on a matrix-free engine.
  const Problem& problem() const noexcept { return *problem_; }
  std::size_t rows() const noexcept { return n_; }
  std::size_t cols() const noexcept { return m_; }
  double eta() const noexcept { return eta_; }
  /// C in row-major order (n x m); dense engines only. Built on first use (the scaling-domain
  /// path reads only the column-major C, so it never pays for the copy).
  const double* cost_rows() const;
  int threads() const noexcept { return threads_; }

  /// Changes eta keeping x and y fixed (epsilon scaling). Column marginals are then stale.
  void set_eta(double eta);
  void set_potentials(const Eigen::VectorXd& x, const Eigen::VectorXd& y);
  /// Sets the internal potentials and the plan's mass at them (so that dual_value() is right)
  /// from another iteration (the scaling domain). Shift hints are dropped.
  void set_state(const Eigen::VectorXd& alpha, const Eigen::VectorXd& beta, double plan_mass);
  /// The row log-sums lse_i = log sum_j exp(-eta C_ij + beta_j) of the current beta, as
  /// measure_rows() stores them, from the column-major C (dense engines): `max` receives
  /// max_j (-eta C_ij + beta_j) (a pass without exp) and `kernel`, if not null, the n x m matrix
  /// exp(-eta C_ij + beta_j - max_i) that the same exp pass computes. Returns the lse vector.
  Eigen::VectorXd row_lse_from_columns(Eigen::VectorXd& max, Eigen::MatrixXd* kernel) const;
  /// True for a dense (stored-cost) engine.
  bool dense() const noexcept { return problem_ != nullptr; }
  Eigen::VectorXd x() const;
  Eigen::VectorXd y() const;
  Eigen::VectorXd& alpha() noexcept { return alpha_; }
  Eigen::VectorXd& beta() noexcept { return beta_; }
  const Eigen::VectorXd& alpha() const noexcept { return alpha_; }
  const Eigen::VectorXd& beta() const noexcept { return beta_; }

  /// Row pass at the current (alpha, beta): stores log (P 1)_i - alpha_i and returns
  /// |P 1 - a|_1 (NaN if something is not finite). Also gives dual_value().
  double measure_rows();
  /// Column pass at the current iterate: |P^T 1 - b|_1. Needed only when the column marginals
  /// are not exact, i.e. at a starting point or after set_eta().
  double measure_cols();
  /// alpha <- log a - lse (requires measure_rows() at the current beta).
  void update_rows();
  /// beta <- log b - lse over columns of (-eta C + alpha).
  void update_cols();
  /// f(x, y) at the iterate of the last measure_rows().
  double dual_value() const;

  /// Fills result.x, y, plan (per options), transport_cost and marginal_error (from the plan's
  /// own row and column sums) at the current iterate.
  void finish(const PlanOptions& options, Result& result) const;

 private:
  struct Block {
    std::size_t begin = 0, end = 0;
  };
  void init_potentials();
  void row_pass();
  void column_pass(std::vector<double>& lse_out);
  // log sum over the row (column) of exp(-eta C + beta) (of exp(-eta C + alpha)); `tile` holds
  // kTile doubles (matrix-free engines only).
  double row_lse(std::size_t i, double hint, double* tile) const;
  double col_lse(std::size_t j, double hint, double* tile) const;
  double cloud_lse(bool row, std::size_t index, double hint, double* tile) const;
  // Copies every rank's block of `v` (length total, blocks as block_of) to every rank.
  void share(std::vector<double>& v, std::size_t total) const;
  Block block_of(std::size_t total) const;
  void finish_dense(const PlanOptions& options, Result& result) const;
  void finish_cloud(const PlanOptions& options, Result& result) const;

  const Problem* problem_ = nullptr;
  const CloudProblem* cloud_ = nullptr;
  const Eigen::VectorXd* a_ = nullptr;
  const Eigen::VectorXd* b_ = nullptr;
  dist::Communicator* comm_ = nullptr;
  std::size_t n_, m_;
  double eta_;
  int threads_;
  Block rows_, cols_;                      // this rank's rows and columns
  mutable std::vector<double> cost_rows_;  // lazily, see cost_rows()
  Eigen::VectorXd log_a_, log_b_, alpha_, beta_;
  std::vector<double> lse_rows_, lse_cols_;  // also the shift hints of the next pass
  double plan_mass_ = 0.0;                   // sum_ij P_ij at the last measure_rows()
};

/// The ot loops' descent::Run: the marginal-error history beside the Summary's, and the sign
/// convention (ot maximises the dual f; callbacks and the history see -f, so EarlyStop and
/// StoreBest work unchanged). Started when the solver is called, so setup (the row-major copy
/// of C) counts in the reported times.
class Recorder {
 public:
  Recorder(std::string method, std::size_t dimension, std::size_t max_iterations,
           const HistoryOptions& history, Callbacks& callbacks, std::vector<ErrorSample>& errors);
  /// Records iterate `iteration` (0 = the start, and a start repeated after an eta change: the
  /// error history only) with dual value `objective` = f. `always_keep`: a history row whatever
  /// the stride. Returns true if a callback asked to stop (the run is then stopped).
  bool record(std::size_t iteration, double objective, double error, double step,
              std::span<const Metric> extras, bool always_keep = false);
  double seconds() const { return run_.seconds(); }
  /// Counters go here before finish().
  Summary& summary() noexcept { return run_.summary(); }
  /// Ends the run (a callback's stop, recorded first, keeps its status; a non-empty `message`
  /// of the same status replaces the reason), keeps the last row, times it and
  /// calls callbacks.end: the Summary of `iterations` iterations with objective -f and the
  /// marginal error as the gradient norm.
  Summary finish(std::size_t iterations, Status status, std::string message, double objective,
                 double error);

 private:
  Run run_;
  std::vector<ErrorSample>& errors_;
};

struct LoopOutcome {
  Status status = Status::max_iterations;  ///< converged, max_iterations, diverged or stopped
  std::string message;
  double error = 0.0;  ///< L1 marginal error of the engine's current iterate
};

/// Records iterate `iteration` (error, the engine's dual value) and says whether a loop ends
/// there: a callback's stop, a non-finite error (diverged), error <= tolerance, or taken ==
/// budget; `out` then holds the status. Shared by every Sinkhorn loop, so they end alike.
bool loop_ends_at(const LogSinkhorn& engine, double error, double tolerance, std::size_t taken,
                  std::size_t budget, std::size_t iteration, Recorder& recorder,
                  std::span<Metric> extras, LoopOutcome& out);

/// Full Sinkhorn iterations from the engine's current iterate, numbered `iteration` (advanced
/// in place), until the error <= tolerance or `budget` iterations were taken. Every iterate is
/// recorded, the current one included. `columns_exact` is false at a starting point or after
/// set_eta (then one extra column pass measures the current iterate). extras[0] must be
/// "marginal_error"; the loop sets it, the caller owns the rest.
LoopOutcome sinkhorn_loop(LogSinkhorn& engine, double tolerance, std::size_t budget,
                          bool columns_exact, std::size_t& iteration, Recorder& recorder,
                          std::span<Metric> extras);

}  // namespace descent::ot::detail
