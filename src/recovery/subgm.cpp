#include "descent/recovery/subgm.hpp"

#include "factored_loop.hpp"

namespace descent::recovery {

Summary minimize_subgm(const MeasurementOperator& op, const Eigen::VectorXd& y, Eigen::MatrixXd& U,
                       const SubgmOptions& options, Callbacks callbacks,
                       const Eigen::MatrixXd* reference) {
  options.validate();
  const StepSchedule schedule = options.schedule;
  detail::StepRule rule{"subgm", true, [schedule](std::size_t t) { return schedule.step(t); },
                        options.step_tolerance};
  Summary s = detail::run_factored(op, y, U, options, rule, callbacks, reference);
  s.counters["schedule_from_paper"] = schedule.from_paper() ? 1 : 0;
  return s;
}

}  // namespace descent::recovery
