#include "descent/newton/gns.hpp"

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "driver.hpp"

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
    bool accepted = false, have_trial = false;
    double lambda = 0, gamma_used = gamma, f_new = fx, gnorm_new_sq = 0;
    std::size_t trials = 0;
    for (std::size_t i = 0; i < options.max_trials; ++i) {
      ++trials;
      gamma_used = gamma;
      lambda = gnorm / (gamma + options.eps);
      if (!solver.solve(h, lambda, g, delta)) {
        gamma *= 0.5;  // H + λB not positive definite: a larger λ will be
        continue;
      }
      x_new = x + delta;
      f_new = f.value_and_gradient(x_new, g_new);
      ++s.function_evaluations;
      ++s.gradient_evaluations;
      gnorm_new_sq = metric.dual_norm_squared(g_new);
      have_trial = true;
      if (!options.adaptive) {
        accepted = true;
        break;
      }
      if (fx - f_new >= gnorm_new_sq / (8.0 * lambda)) {
        gamma = std::max(2.0 * gamma, options.gamma_min);
        accepted = true;
        break;
      }
      gamma *= 0.5;
    }
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
