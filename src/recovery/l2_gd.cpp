#include "descent/recovery/l2_gd.hpp"

#include "descent/core/options.hpp"
#include "factored_loop.hpp"

namespace descent::recovery {

void L2GdOptions::validate() const {
  FactoredRunOptions::validate();
  check::positive("step_size", step_size);
}

Summary minimize_l2_gd(const MeasurementOperator& op, const Eigen::VectorXd& y, Eigen::MatrixXd& U,
                       const L2GdOptions& options, Callbacks callbacks,
                       const Eigen::MatrixXd* reference) {
  options.validate();
  const double eta = options.step_size;
  detail::StepRule rule{"l2-gd", false, [eta](std::size_t) { return eta; }, 0.0};
  return detail::run_factored(op, y, U, options, rule, callbacks, reference);
}

}  // namespace descent::recovery
