#include "descent/newton/super_universal_newton.hpp"

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "driver.hpp"

namespace descent::newton {

void SuperUniversalOptions::validate() const {
  CommonOptions::validate();
  check::positive("h0", h0);
  check::in_closed("alpha", alpha, 0.0, 1.0);
  check::positive("h_min", h_min);
  check::at_least("max_trials", static_cast<long long>(max_trials), 1);
}

Summary minimize_super_universal_newton(const problems::Oracle& f, Eigen::VectorXd& x,
                                        const HessianSource& hessian,
                                        const SuperUniversalOptions& options, Callbacks callbacks) {
  options.validate();
  if (x.size() != f.dimension())
    throw Error("minimize_super_universal_newton: x has " + std::to_string(x.size()) +
                " entries but the function has dimension " + std::to_string(f.dimension()));
  const Norm metric(options.metric, x.size());
  RegularizedSolver solver(metric, options.linear_solver);
  detail::Driver run("super-universal", options, x.size(), callbacks);
  Summary& s = run.summary;

  Eigen::VectorXd g(x.size()), g_new(x.size()), delta(x.size()), x_new(x.size());
  double fx = f.value_and_gradient(x, g);
  s.function_evaluations = s.gradient_evaluations = 1;
  double gnorm = metric.dual_norm(g);
  double hk = options.h0;
  std::size_t hessians = 0, trials_total = 0;
  Curvature curv;
  run.start(fx, gnorm);

  for (std::size_t k = 0; !run.stop_before(k, fx, gnorm); ++k) {
    hessian.evaluate(x, curv);
    ++hessians;
    bool accepted = false, have_trial = false;
    double lambda = 0, h_used = hk, f_new = fx, gnorm_new_sq = 0;
    std::size_t trials = 0;
    for (std::size_t i = 0; i < options.max_trials; ++i) {
      ++trials;
      h_used = hk;
      lambda = hk * std::pow(gnorm, options.alpha);
      if (!solver.solve(curv, lambda, g, delta)) {
        hk *= 4.0;
        continue;
      }
      x_new = x + delta;
      f_new = f.value_and_gradient(x_new, g_new);
      ++s.function_evaluations;
      ++s.gradient_evaluations;
      gnorm_new_sq = metric.dual_norm_squared(g_new);
      have_trial = true;
      if (-g_new.dot(delta) >= gnorm_new_sq / (4.0 * lambda)) {
        hk = std::max(0.25 * hk, options.h_min);
        accepted = true;
        break;
      }
      hk *= 4.0;
    }
    trials_total += trials;
    if (!accepted && (options.acceptance == Acceptance::strict || !have_trial)) {
      run.end_with(Status::stalled, "no trial of the adaptive H search was accepted in " +
                                        std::to_string(options.max_trials) +
                                        " trials at iteration " + std::to_string(k + 1));
      break;
    }
    const double step = std::sqrt(metric.norm_squared(x_new - x));
    x.swap(x_new);
    g.swap(g_new);
    fx = f_new;
    gnorm = std::sqrt(gnorm_new_sq);
    if (run.completed(k + 1, fx, gnorm, step, x,
                      {{"h", h_used},
                       {"lambda", lambda},
                       {"trials", double(trials)},
                       {"linear_solves", double(solver.solves())}}))
      break;
  }
  s.counters["hessian_evaluations"] = double(hessians);
  s.counters["linear_solves"] = double(solver.solves());
  s.counters["cholesky_failures"] = double(solver.failures());
  s.counters["trials"] = double(trials_total);
  s.counters["final_h"] = hk;
  return run.finish(fx, gnorm);
}

}  // namespace descent::newton
