// Internal: the bookkeeping every newton method shares (stopping rule, history, callbacks,
// divergence, summary), so each method's file holds only its update rule.
#pragma once

#include <initializer_list>
#include <string>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/run.hpp"
#include "descent/core/status.hpp"
#include "descent/newton/common.hpp"

namespace descent::newton::detail {

// The newton family's stopping rules on top of the core Run (clock, history with keep-last,
// callbacks, Summary).
class Driver {
 public:
  Driver(std::string method, const CommonOptions& options, Eigen::Index dimension,
         Callbacks& callbacks);

  /// The test before iteration k (0-based): true when the run must end (status set).
  bool stop_before(std::size_t k, double f, double dual_gradient_norm);
  /// Records the start point as history row 0.
  void start(double f, double dual_gradient_norm);
  /// After iteration k (1-based count of completed iterations): history and callbacks. Returns
  /// true if a callback asked to stop (status set).
  bool completed(std::size_t k, double f, double dual_gradient_norm, double step,
                 const Eigen::VectorXd& x, std::initializer_list<Metric> extras);
  /// Ends the run with `status` and `message` (used for stalls and failures).
  void end_with(Status status, std::string message);
  Summary finish(double f, double dual_gradient_norm);

  double seconds() const { return run_.seconds(); }

 private:
  const CommonOptions& options_;
  Run run_;

 public:
  Summary& summary;  ///< the Run's Summary, filled in by the methods (counters, evaluations)
};

}  // namespace descent::newton::detail
