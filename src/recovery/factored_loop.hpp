// Private: the iteration loop SubGM and l2-GD share (only the loss and the step rule differ).
#pragma once

#include <functional>
#include <string>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/recovery/measurements.hpp"
#include "descent/recovery/subgm.hpp"

namespace descent::recovery::detail {

struct StepRule {
  std::string method;                       ///< "subgm" or "l2-gd"
  bool l1 = true;                           ///< l1 sub-gradient or l2 gradient
  std::function<double(std::size_t)> step;  ///< eta_t
  double step_tolerance = 0;                ///< converged once eta_t < this (0 = off)
};

Summary run_factored(const MeasurementOperator& op, const Eigen::VectorXd& y, Eigen::MatrixXd& U,
                     const FactoredRunOptions& options, const StepRule& rule, Callbacks& callbacks,
                     const Eigen::MatrixXd* reference);

}  // namespace descent::recovery::detail
