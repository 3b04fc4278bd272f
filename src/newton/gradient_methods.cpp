#include "descent/newton/gradient_methods.hpp"

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/newton/norm.hpp"
#include "driver.hpp"

namespace descent::newton {

void GradientMethodOptions::validate() const {
  CommonOptions::validate();
  check::positive("lipschitz0", lipschitz0);
  check::positive("lipschitz_min", lipschitz_min);
  check::at_least("max_trials", static_cast<long long>(max_trials), 1);
}

namespace {
void check_size(const DifferentiableFunction& f, const Eigen::VectorXd& x, const char* who) {
  if (x.size() != f.dimension())
    throw Error(std::string(who) + ": x has " + std::to_string(x.size()) +
                " entries but the function has dimension " + std::to_string(f.dimension()));
}
}  // namespace

Summary minimize_gradient_method(const DifferentiableFunction& f, Eigen::VectorXd& x,
                                 const GradientMethodOptions& options, Callbacks callbacks) {
  options.validate();
  check_size(f, x, "minimize_gradient_method");
  const Norm metric(options.metric, x.size());
  detail::Driver run("gd", options, x.size(), callbacks);
  Summary& s = run.summary;

  Eigen::VectorXd g(x.size()), x_new(x.size());
  double fx = f.value_and_gradient(x, g);
  s.function_evaluations = s.gradient_evaluations = 1;
  double gnorm_sq = metric.dual_norm_squared(g);
  double lip = options.lipschitz0;
  std::size_t trials_total = 0;
  run.start(fx, std::sqrt(gnorm_sq));

  for (std::size_t k = 0; !run.stop_before(k, fx, std::sqrt(gnorm_sq)); ++k) {
    const Eigen::VectorXd direction = metric.solve(g);  // B⁻¹g, once per iteration
    bool accepted = false;
    double f_new = fx, lip_used = lip;
    std::size_t trials = 0;
    for (std::size_t i = 0; i < options.max_trials; ++i) {
      ++trials;
      lip_used = lip;
      x_new = x - direction / lip;
      f_new = f.value(x_new);
      ++s.function_evaluations;
      // ⟨g, x⁺ − x⟩ + (L/2)||x⁺ − x||² = −||g||_*²/(2L) for this step.
      if (f_new <= fx - gnorm_sq / (2.0 * lip)) {
        lip = std::max(0.5 * lip, options.lipschitz_min);
        accepted = true;
        break;
      }
      lip *= 2.0;
    }
    trials_total += trials;
    if (!accepted && options.acceptance == Acceptance::strict) {
      run.end_with(Status::stalled, "line search failed in " + std::to_string(options.max_trials) +
                                        " trials at iteration " + std::to_string(k + 1));
      break;
    }
    const double step = std::sqrt(gnorm_sq) / lip_used;
    x.swap(x_new);
    fx = f_new;
    f.gradient(x, g);
    ++s.gradient_evaluations;
    gnorm_sq = metric.dual_norm_squared(g);
    if (run.completed(k + 1, fx, std::sqrt(gnorm_sq), step, x,
                      {{"lipschitz", lip_used}, {"trials", double(trials)}}))
      break;
  }
  s.counters["trials"] = double(trials_total);
  s.counters["final_lipschitz"] = lip;
  s.counters["linear_solves"] = 0.0;
  return run.finish(fx, std::sqrt(gnorm_sq));
}

Summary minimize_fast_gradient_method(const DifferentiableFunction& f, Eigen::VectorXd& x,
                                      const GradientMethodOptions& options, Callbacks callbacks) {
  options.validate();
  check_size(f, x, "minimize_fast_gradient_method");
  const Norm metric(options.metric, x.size());
  detail::Driver run("fgm", options, x.size(), callbacks);
  Summary& s = run.summary;

  const Eigen::Index n = x.size();
  Eigen::VectorXd g(n), v = x, y(n), gy(n), t(n);
  double fx = f.value_and_gradient(x, g);
  s.function_evaluations = s.gradient_evaluations = 1;
  double gnorm = metric.dual_norm(g);
  double lip = options.lipschitz0, big_a = 0.0;
  std::size_t trials_total = 0;
  run.start(fx, gnorm);

  for (std::size_t k = 0; !run.stop_before(k, fx, gnorm); ++k) {
    bool accepted = false;
    double f_t = fx, a = 0, lip_used = lip;
    std::size_t trials = 0;
    for (std::size_t i = 0; i < options.max_trials; ++i) {
      ++trials;
      lip_used = lip;
      a = (1.0 + std::sqrt(1.0 + 4.0 * big_a * lip)) / (2.0 * lip);  // L a² = A + a
      y = (a * v + big_a * x) / (a + big_a);
      const double f_y = f.value_and_gradient(y, gy);
      ++s.function_evaluations;
      ++s.gradient_evaluations;
      const Eigen::VectorXd dir = metric.solve(gy);
      t = y - dir / lip;
      f_t = f.value(t);
      ++s.function_evaluations;
      if (f_t <= f_y - gy.dot(dir) / (2.0 * lip)) {
        lip = std::max(0.5 * lip, options.lipschitz_min);
        accepted = true;
        break;
      }
      lip *= 2.0;
    }
    trials_total += trials;
    if (!accepted && options.acceptance == Acceptance::strict) {
      run.end_with(Status::stalled, "line search failed in " + std::to_string(options.max_trials) +
                                        " trials at iteration " + std::to_string(k + 1));
      break;
    }
    const double step = std::sqrt(metric.norm_squared(t - x));
    v = t + (big_a / a) * (t - x);
    big_a += a;
    x = t;
    fx = f_t;
    f.gradient(x, g);  // for the stopping rule, as the reference does
    ++s.gradient_evaluations;
    gnorm = metric.dual_norm(g);
    if (run.completed(k + 1, fx, gnorm, step, x,
                      {{"lipschitz", lip_used}, {"trials", double(trials)}}))
      break;
  }
  s.counters["trials"] = double(trials_total);
  s.counters["final_lipschitz"] = lip;
  s.counters["linear_solves"] = 0.0;
  return run.finish(fx, gnorm);
}

}  // namespace descent::newton
