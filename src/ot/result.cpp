#include "descent/ot/result.hpp"

#include "descent/core/options.hpp"

namespace descent::ot {

void PlanOptions::validate() const {
  check::non_negative("plan.sparse_threshold", sparse_threshold);
}

Eigen::MatrixXd Result::dense_plan() const {
  if (plan.size() > 0 || sparse_plan.size() == 0) return plan;
  return Eigen::MatrixXd(sparse_plan);
}

}  // namespace descent::ot
