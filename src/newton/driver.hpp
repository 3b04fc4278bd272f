// Internal: the bookkeeping every newton method shares (stopping rule, history, callbacks,
// divergence, summary), so each method's file holds only its update rule.
#pragma once

#include <initializer_list>
#include <string>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/status.hpp"
#include "descent/core/timer.hpp"
#include "descent/newton/common.hpp"

namespace descent::newton::detail {

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

  Summary summary;
  double seconds() const { return clock_.seconds(); }

 private:
  const CommonOptions& options_;
  Callbacks& callbacks_;
  Stopwatch clock_;
  bool ended_ = false;
  HistoryRow last_row_;  // the latest completed iteration, kept even when the stride skips it
};

}  // namespace descent::newton::detail
