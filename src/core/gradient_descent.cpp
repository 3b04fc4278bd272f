#include "descent/core/gradient_descent.hpp"

#include <algorithm>
#include <cmath>

#include "descent/core/options.hpp"
#include "descent/core/run.hpp"

namespace descent {

void GradientDescentOptions::validate() const {
  check::positive("step_size", step_size);
  check::in_half_open("momentum", momentum, 0.0, 1.0);
  check::gradient_loop(max_iterations, gradient_tolerance, divergence_factor, history_stride);
}

Summary minimize_gradient_descent(const DifferentiableFunction& f, Eigen::VectorXd& x,
                                  const GradientDescentOptions& options, Callbacks callbacks) {
  options.validate();
  if (x.size() != f.dimension())
    throw Error("minimize_gradient_descent: x has " + std::to_string(x.size()) +
                " entries but the function has dimension " + std::to_string(f.dimension()));

  Run run(options.momentum > 0 ? "heavy-ball" : "gd", static_cast<std::size_t>(x.size()),
          options.max_iterations, {options.record_history, options.history_stride}, callbacks);
  Summary& summary = run.summary();

  Eigen::VectorXd g(x.size()), previous = x, step(x.size());
  double fx = f.value_and_gradient(x, g);
  summary.function_evaluations = summary.gradient_evaluations = 1;
  const double blowup = options.divergence_factor * std::max(1.0, std::abs(fx));
  auto diverged = [&] { return !std::isfinite(fx) || !std::isfinite(g.norm()) || fx > blowup; };

  for (std::size_t k = 1; k <= options.max_iterations; ++k) {
    const double gnorm = g.norm();
    if (diverged()) {
      run.end(Status::diverged, "objective became " + check::show(fx) + " at iteration " +
                                    std::to_string(k - 1) + "; reduce step_size");
      break;
    }
    if (gnorm <= options.gradient_tolerance) {
      run.end(Status::converged, "gradient norm " + check::show(gnorm) + " <= gradient_tolerance");
      break;
    }
    step = -options.step_size * g + options.momentum * (x - previous);
    previous = x;
    x += step;
    fx = f.value_and_gradient(x, g);
    ++summary.function_evaluations;
    ++summary.gradient_evaluations;

    IterationInfo info;
    info.iteration = k;
    info.objective = fx;
    info.gradient_norm = g.norm();
    info.step_size = options.step_size;
    info.x = std::span<const double>(x.data(), static_cast<std::size_t>(x.size()));
    if (run.record(info)) break;
  }
  if (diverged())
    run.end(Status::diverged, "objective became " + check::show(fx) + " at the last iteration");
  return run.finish(fx, g.norm());
}

}  // namespace descent

namespace descent {

const MethodRegistry<GradientRunner>& gradient_methods() {
  static const MethodRegistry<GradientRunner> registry = [] {
    MethodRegistry<GradientRunner> r("core");
    for (const char* name : {"gd", "heavy-ball"}) {
      const bool heavy = std::string_view(name) == "heavy-ball";
      GradientDescentOptions base;
      if (heavy) base.momentum = 0.9;
      r.add({name, "", heavy ? "Polyak, USSR Comput. Math. Math. Phys. 1964" : "Cauchy 1847",
             heavy ? "Gradient descent with heavy-ball momentum" : "Gradient descent, fixed step"},
            option_docs_of(base),
            [name, base](const DifferentiableFunction& f, Eigen::VectorXd& x, const Settings& s,
                         Callbacks cb) {
              return minimize_gradient_descent(f, x, options_from(s, name, base), std::move(cb));
            });
    }
    return r;
  }();
  return registry;
}

}  // namespace descent
