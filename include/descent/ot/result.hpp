// What every OT solver returns: the Summary, dual potentials, the plan, its cost and the
// marginal-error history.
#pragma once

#include <cstddef>
#include <limits>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "descent/core/status.hpp"

namespace descent::ot {

enum class PlanFormat {
  automatic,  ///< dense while rows * cols <= PlanOptions::dense_limit, sparse above
  dense,
  sparse,  ///< entries below PlanOptions::sparse_threshold are dropped
  none,    ///< no plan (the transport cost is still computed, streaming)
};

struct PlanOptions {
  PlanFormat format = PlanFormat::automatic;
  /// automatic: dense up to this many entries (2^24 doubles = 128 MiB, n = m = 4096).
  std::size_t dense_limit = std::size_t{1} << 24;
  /// sparse: keep entries >= this. Plans have unit mass, so 1e-15 loses at most n*m*1e-15.
  double sparse_threshold = 1e-15;

  void validate() const;
  /// The fields by name (descent/core/settings.hpp).
  template <class Fields>
  void fields(Fields& f) {
    f.choice("plan", format,
             {{"auto", PlanFormat::automatic},
              {"dense", PlanFormat::dense},
              {"sparse", PlanFormat::sparse},
              {"none", PlanFormat::none}},
             "what plan to return");
    f("plan_dense_limit", dense_limit, "auto: dense up to this many entries");
    f("plan_sparse_threshold", sparse_threshold, "sparse: keep entries >= this");
  }
};

/// One entry of the marginal-error history.
struct ErrorSample {
  std::size_t iteration = 0;  ///< 0 is the starting point
  double seconds = 0.0;       ///< wall time since the solver started
  double error = 0.0;         ///< L1 marginal error |P1 - a|_1 + |P^T 1 - b|_1
};

struct Result {
  /// Status, iterations, counters, optional history. For the entropic solvers objective is
  /// -f(x, y), the negated dual (descent's objectives decrease; callbacks see the same), and
  /// gradient_norm is the L1 marginal error |grad f|_1. For exact OT, objective = <C, P>.
  Summary summary;
  /// Dual potentials in the convention of Tang et al.: P = exp(eta (-C + x 1^T + 1 y^T) - 1)
  /// for the entropic solvers; for exact OT, x_i + y_j <= C_ij with equality on the support.
  Eigen::VectorXd x, y;
  Eigen::MatrixXd plan;  ///< dense plan (empty when sparse or not requested)
  Eigen::SparseMatrix<double, Eigen::RowMajor> sparse_plan;  ///< used when the plan is sparse
  double transport_cost = std::numeric_limits<double>::quiet_NaN();  ///< <C, P>
  double marginal_error = std::numeric_limits<double>::quiet_NaN();  ///< final L1 error
  std::vector<ErrorSample> error_history;  ///< one sample per iteration (always recorded)

  bool plan_is_sparse() const noexcept { return plan.size() == 0 && sparse_plan.rows() > 0; }
  /// The plan as a dense matrix (converts a sparse plan; empty if none was requested).
  Eigen::MatrixXd dense_plan() const;
};

}  // namespace descent::ot
