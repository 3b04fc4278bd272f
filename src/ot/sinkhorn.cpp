#include "descent/ot/sinkhorn.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "descent/core/options.hpp"
#include "log_sinkhorn.hpp"
#include "scaling_sinkhorn.hpp"

namespace descent::ot {

namespace {

using detail::LogSinkhorn;
using detail::Recorder;

// The Summary's message for the loop's outcome (a callback's stop keeps the callback's reason).
std::string outcome_message(const detail::LoopOutcome& out, double tolerance, std::size_t cap) {
  switch (out.status) {
    case Status::converged:
      return "marginal error " + check::show(out.error) + " <= tolerance " + check::show(tolerance);
    case Status::max_iterations:
      return "reached max_iterations = " + std::to_string(cap) + " with marginal error " +
             check::show(out.error);
    default:
      return out.message;
  }
}

// The engine for a dense problem, or a matrix-free one (with its communicator).
LogSinkhorn make_engine(const Problem& p, double eta, int threads, dist::Communicator*) {
  return LogSinkhorn(p, eta, threads);
}
LogSinkhorn make_engine(const CloudProblem& p, double eta, int threads, dist::Communicator* comm) {
  return LogSinkhorn(p, eta, threads, comm);
}
// Where epsilon scaling starts when eta_start = 0: the exact max C of a stored matrix, a
// bounding-box bound for clouds (a pass over all n m entries would cost a full iteration).
double cost_scale(const Problem& p) {
  return p.max_cost();
}
double cost_scale(const CloudProblem& p) {
  return p.cost_bound();
}

template <class P>
Result run_sinkhorn(const P& problem, const SinkhornOptions& options, Callbacks callbacks,
                    const Eigen::VectorXd* x0, const Eigen::VectorXd* y0,
                    dist::Communicator* comm = nullptr) {
  options.validate();
  Result result;
  Recorder recorder("sinkhorn", std::size_t(problem.rows() + problem.cols()),
                    options.max_iterations, {options.record_history, options.history_stride},
                    callbacks, result.error_history);
  LogSinkhorn engine = make_engine(problem, options.eta, options.threads, comm);
  if (x0) engine.set_potentials(*x0, *y0);
  std::size_t iteration = 0;
  Metric extras[] = {{"marginal_error", 0.0}};
  const detail::LoopOutcome out =
      detail::sinkhorn_loop_any_domain(engine, options, options.tolerance, options.max_iterations,
                                       false, iteration, recorder, extras);
  recorder.summary().counters["half_steps"] = 2.0 * double(iteration);
  // Timed without the plan built below (that is not iterations).
  result.summary = recorder.finish(iteration, out.status,
                                   outcome_message(out, options.tolerance, options.max_iterations),
                                   -engine.dual_value(), out.error);
  engine.finish(options.plan, result);
  return result;
}

}  // namespace

void SinkhornOptions::validate() const {
  check::positive("eta", eta);
  check::non_negative("tolerance", tolerance);
  check::at_least("history_stride", static_cast<long long>(history_stride), 1);
  check::at_least("threads", threads, 0);
  check::require(absorb_threshold > 0 && absorb_threshold <= 100, "absorb_threshold",
                 "must lie in (0, 100] (plan entries below exp(-708 + 2 absorb_threshold) may be "
                 "lost to underflow)");
  plan.validate();
}

Result sinkhorn(const Problem& problem, const SinkhornOptions& options, Callbacks callbacks) {
  return run_sinkhorn(problem, options, std::move(callbacks), nullptr, nullptr);
}

Result sinkhorn(const Problem& problem, const SinkhornOptions& options, Callbacks callbacks,
                const Eigen::VectorXd& x0, const Eigen::VectorXd& y0) {
  return run_sinkhorn(problem, options, std::move(callbacks), &x0, &y0);
}

void EpsilonScalingOptions::validate() const {
  sinkhorn.validate();
  check::non_negative("eta_start", eta_start);
  check::require(factor > 1 && std::isfinite(factor), "factor", "must be a finite number > 1");
  check::non_negative("stage_tolerance", stage_tolerance);
}

namespace {

template <class P>
Result run_epsilon_scaling(const P& problem, const EpsilonScalingOptions& options,
                           Callbacks callbacks, dist::Communicator* comm) {
  options.validate();
  const SinkhornOptions& final_stage = options.sinkhorn;
  // The schedule: eta_start * factor^k, capped at eta (the last stage is exactly eta).
  double eta0 = options.eta_start;
  if (eta0 == 0.0)
    eta0 = cost_scale(problem) > 0 ? std::min(final_stage.eta, 10.0 / cost_scale(problem))
                                   : final_stage.eta;
  eta0 = std::min(eta0, final_stage.eta);
  std::vector<double> etas;
  for (double e = eta0; e < final_stage.eta * (1 - 1e-12); e *= options.factor) etas.push_back(e);
  etas.push_back(final_stage.eta);

  Result result;
  Recorder recorder(
      "sinkhorn-eps", std::size_t(problem.rows() + problem.cols()), final_stage.max_iterations,
      {final_stage.record_history, final_stage.history_stride}, callbacks, result.error_history);
  LogSinkhorn engine = make_engine(problem, etas.front(), final_stage.threads, comm);
  std::size_t iteration = 0;
  Metric extras[] = {{"marginal_error", 0.0}, {"eta", 0.0}};
  detail::LoopOutcome out;
  for (std::size_t k = 0; k < etas.size(); ++k) {
    const bool last = k + 1 == etas.size();
    if (k > 0) engine.set_eta(etas[k]);
    extras[1].value = etas[k];
    const double tol =
        last ? final_stage.tolerance : std::max(options.stage_tolerance, final_stage.tolerance);
    const std::size_t used = iteration;
    const std::size_t budget =
        final_stage.max_iterations > used ? final_stage.max_iterations - used : 0;
    out = detail::sinkhorn_loop_any_domain(engine, final_stage, tol, budget, false, iteration,
                                           recorder, extras);
    recorder.summary().counters["stages"] = double(k + 1);
    if (out.status != Status::converged) break;
  }
  // An intermediate stage that ran out of budget leaves the final eta unreached.
  if (engine.eta() != final_stage.eta) {
    engine.set_eta(final_stage.eta);
    out.error = engine.measure_rows() + engine.measure_cols();
    if (out.status == Status::converged) out.status = Status::max_iterations;
  }
  recorder.summary().counters["half_steps"] = 2.0 * double(iteration);
  recorder.summary().counters["eta_start"] = etas.front();
  result.summary =
      recorder.finish(iteration, out.status,
                      outcome_message(out, final_stage.tolerance, final_stage.max_iterations),
                      -engine.dual_value(), out.error);
  engine.finish(final_stage.plan, result);
  return result;
}

}  // namespace

Result sinkhorn_epsilon_scaling(const Problem& problem, const EpsilonScalingOptions& options,
                                Callbacks callbacks) {
  return run_epsilon_scaling(problem, options, std::move(callbacks), nullptr);
}

Result sinkhorn(const CloudProblem& problem, const SinkhornOptions& options, Callbacks callbacks,
                dist::Communicator* comm) {
  return run_sinkhorn(problem, options, std::move(callbacks), nullptr, nullptr, comm);
}

Result sinkhorn_epsilon_scaling(const CloudProblem& problem, const EpsilonScalingOptions& options,
                                Callbacks callbacks, dist::Communicator* comm) {
  return run_epsilon_scaling(problem, options, std::move(callbacks), comm);
}

}  // namespace descent::ot
