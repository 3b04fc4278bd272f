#include "descent/newton/super_universal_newton.hpp"

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "driver.hpp"
#include "regularization_search.hpp"

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
    const auto t = detail::search_regularization(
        f, solver, metric, curv, x, g, fx, options.max_trials, hk, 4.0,  // indefinite: larger λ
        [&](double h) { return h * std::pow(gnorm, options.alpha); },
        [&](double lambda, double, double gnorm_new_sq, const Eigen::VectorXd& g_trial,
            const Eigen::VectorXd& step) {
          if (-g_trial.dot(step) >= gnorm_new_sq / (4.0 * lambda)) {
            hk = std::max(0.25 * hk, options.h_min);
            return true;
          }
          hk *= 4.0;
          return false;
        },
        s, delta, x_new, g_new);
    const double lambda = t.lambda, h_used = t.parameter_used, f_new = t.f_new,
                 gnorm_new_sq = t.gnorm_new_sq;
    const std::size_t trials = t.trials;
    const bool accepted = t.accepted, have_trial = t.evaluated;
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
