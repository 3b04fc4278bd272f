#include "descent/newton/gns.hpp"

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "driver.hpp"
#include "regularization_search.hpp"

namespace descent::newton {

void GnsOptions::validate() const {
  CommonOptions::validate();
  check::positive("gamma0", gamma0);
  check::non_negative("eps", eps);
  check::positive("gamma_min", gamma_min);
  check::at_least("max_trials", static_cast<long long>(max_trials), 1);
}

Summary minimize_gns(const problems::Oracle& f, Eigen::VectorXd& x, const HessianSource& hessian,
                     const GnsOptions& options, Callbacks callbacks) {
  options.validate();
  if (x.size() != f.dimension())
    throw Error("minimize_gns: x has " + std::to_string(x.size()) +
                " entries but the function has dimension " + std::to_string(f.dimension()));
  const Norm metric(options.metric, x.size());
  RegularizedSolver solver(metric, options.linear_solver);
  detail::Driver run(hessian.name() == "exact" ? "gns" : "gns-" + hessian.name(), options, x.size(),
                     callbacks);
  Summary& s = run.summary;

  Eigen::VectorXd g(x.size()), g_new(x.size()), delta(x.size()), x_new(x.size());
  double fx = f.value_and_gradient(x, g);
  s.function_evaluations = s.gradient_evaluations = 1;
  double gnorm = metric.dual_norm(g);
  double gamma = options.gamma0;
  std::size_t hessians = 0, trials_total = 0, rejected = 0;
  Curvature h;
  run.start(fx, gnorm);

  for (std::size_t k = 0; !run.stop_before(k, fx, gnorm); ++k) {
    hessian.evaluate(x, h);
    ++hessians;
    const auto t = detail::search_regularization(
        f, solver, metric, h, x, g, fx, options.max_trials, gamma, 0.5,  // indefinite: larger λ
        [&](double gm) { return gnorm / (gm + options.eps); },
        [&](double lambda, double f_new, double gnorm_new_sq, const Eigen::VectorXd&,
            const Eigen::VectorXd&) {
          if (!options.adaptive) return true;
          if (fx - f_new >= gnorm_new_sq / (8.0 * lambda)) {
            gamma = std::max(2.0 * gamma, options.gamma_min);
            return true;
          }
          gamma *= 0.5;
          return false;
        },
        s, delta, x_new, g_new);
    const double lambda = t.lambda, gamma_used = t.parameter_used, f_new = t.f_new,
                 gnorm_new_sq = t.gnorm_new_sq;
    const std::size_t trials = t.trials;
    const bool accepted = t.accepted, have_trial = t.evaluated;
    trials_total += trials;
    if (!accepted) {
      ++rejected;
      if (options.acceptance == Acceptance::strict || !have_trial) {
        run.end_with(Status::stalled, "no trial of the adaptive γ search was accepted in " +
                                          std::to_string(options.max_trials) +
                                          " trials at iteration " + std::to_string(k + 1) +
                                          " (γ = " + check::show(gamma) + ")");
        break;
      }
    }
    const double sqrt_g = std::sqrt(gnorm);
    const double step = std::sqrt(metric.norm_squared(x_new - x));
    x.swap(x_new);
    g.swap(g_new);
    fx = f_new;
    gnorm = std::sqrt(gnorm_new_sq);
    if (run.completed(k + 1, fx, gnorm, step, x,
                      {{"gamma", gamma_used},
                       {"lambda", lambda},
                       {"trials", double(trials)},
                       {"linear_solves", double(solver.solves())},
                       {"lambda_over_sqrt_grad", sqrt_g > 0 ? lambda / sqrt_g : 0.0}}))
      break;
  }

  s.counters["hessian_evaluations"] = double(hessians);
  s.counters["linear_solves"] = double(solver.solves());
  s.counters["cholesky_failures"] = double(solver.failures());
  s.counters["trials"] = double(trials_total);
  s.counters["rejected_iterations"] = double(rejected);
  s.counters["final_gamma"] = gamma;
  return run.finish(fx, gnorm);
}

}  // namespace descent::newton
