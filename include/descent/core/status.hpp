// Status, IterationInfo and Summary: what every iterative method in descent reports.
#pragma once

#include <cstddef>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace descent {

/// How a run ended. Algorithmic failure is a status, never an exception.
enum class Status {
  converged,       ///< the method's tolerance was met
  max_iterations,  ///< the iteration cap was reached first
  diverged,        ///< the objective or iterate became non-finite or blew up
  stalled,         ///< no further progress was possible (e.g. line search failed)
  stopped,         ///< a callback asked to stop (early stop, time limit, user)
  failed,          ///< an internal failure (e.g. a factorisation broke down)
};

std::string_view to_string(Status s) noexcept;
/// Parses the names printed by to_string; throws descent::Error for an unknown name.
Status status_from_string(std::string_view name);

/// A named number attached to an iteration (e.g. "marginal_error", "newton_step").
struct Metric {
  std::string_view name;
  double value;
};

/// What a method tells its callbacks after each iteration. Views are valid only during the call.
struct IterationInfo {
  std::size_t iteration = 0;  ///< 1-based count of completed iterations
  double objective = std::numeric_limits<double>::quiet_NaN();
  double gradient_norm = std::numeric_limits<double>::quiet_NaN();
  double step_size = std::numeric_limits<double>::quiet_NaN();
  double seconds = 0.0;            ///< wall time since the run began
  std::span<const double> x;       ///< current iterate (may be empty for large or torch models)
  std::span<const Metric> extras;  ///< method-specific columns, same names every iteration
};

/// One recorded row of a run's history (an owning copy of IterationInfo without the iterate).
struct HistoryRow {
  std::size_t iteration = 0;
  double objective = std::numeric_limits<double>::quiet_NaN();
  double gradient_norm = std::numeric_limits<double>::quiet_NaN();
  double step_size = std::numeric_limits<double>::quiet_NaN();
  double seconds = 0.0;
  std::vector<std::pair<std::string, double>> extras;

  static HistoryRow from(const IterationInfo& info);
};

/// The result of a run: status, message, counters, timings and (optionally) history.
struct Summary {
  Status status = Status::failed;
  std::string message;
  std::string method;  ///< short name, e.g. "gd" or "sns"
  std::size_t iterations = 0;
  std::size_t function_evaluations = 0;
  std::size_t gradient_evaluations = 0;
  double objective = std::numeric_limits<double>::quiet_NaN();
  double gradient_norm = std::numeric_limits<double>::quiet_NaN();
  double seconds = 0.0;
  std::map<std::string, double> counters;  ///< method-specific counts (linear solves, ...)
  std::vector<HistoryRow> history;         ///< filled when the options ask for it

  bool converged() const noexcept { return status == Status::converged; }
  /// One line: "converged after 12 iterations (f = 1.2e-09, |g| = 3e-06, 0.01 s): message".
  std::string brief() const;
};

}  // namespace descent
