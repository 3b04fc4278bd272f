#include "descent/core/gradient_descent.hpp"

#include <algorithm>
#include <cmath>

#include "descent/core/options.hpp"
#include "descent/core/timer.hpp"

namespace descent {

void GradientDescentOptions::validate() const {
  check::positive("step_size", step_size);
  check::in_half_open("momentum", momentum, 0.0, 1.0);
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
  check::non_negative("gradient_tolerance", gradient_tolerance);
  check::require(divergence_factor > 1, "divergence_factor", "must be > 1");
  check::at_least("history_stride", static_cast<long long>(history_stride), 1);
}

Summary minimize_gradient_descent(const DifferentiableFunction& f, Eigen::VectorXd& x,
                                  const GradientDescentOptions& options, Callbacks callbacks) {
  options.validate();
  if (x.size() != f.dimension())
    throw Error("minimize_gradient_descent: x has " + std::to_string(x.size()) +
                " entries but the function has dimension " + std::to_string(f.dimension()));

  Summary summary;
  summary.method = options.momentum > 0 ? "heavy-ball" : "gd";
  Stopwatch clock;
  callbacks.begin({summary.method, static_cast<std::size_t>(x.size()), options.max_iterations});

  Eigen::VectorXd g(x.size()), previous = x, step(x.size());
  double fx = f.value_and_gradient(x, g);
  summary.function_evaluations = summary.gradient_evaluations = 1;
  const double blowup = options.divergence_factor * std::max(1.0, std::abs(fx));
  summary.status = Status::max_iterations;

  for (std::size_t k = 1; k <= options.max_iterations; ++k) {
    const double gnorm = g.norm();
    if (!std::isfinite(fx) || !std::isfinite(gnorm) || fx > blowup) {
      summary.status = Status::diverged;
      summary.message = "objective became " + check::show(fx) + " at iteration " +
                        std::to_string(k - 1) + "; reduce step_size";
      break;
    }
    if (gnorm <= options.gradient_tolerance) {
      summary.status = Status::converged;
      summary.message = "gradient norm " + check::show(gnorm) + " <= gradient_tolerance";
      break;
    }
    step = -options.step_size * g + options.momentum * (x - previous);
    previous = x;
    x += step;
    fx = f.value_and_gradient(x, g);
    ++summary.function_evaluations;
    ++summary.gradient_evaluations;
    summary.iterations = k;

    IterationInfo info;
    info.iteration = k;
    info.objective = fx;
    info.gradient_norm = g.norm();
    info.step_size = options.step_size;
    info.seconds = clock.seconds();
    info.x = std::span<const double>(x.data(), static_cast<std::size_t>(x.size()));
    if (options.record_history && (k % options.history_stride == 0 || k == options.max_iterations))
      summary.history.push_back(HistoryRow::from(info));
    if (callbacks.iteration(info)) {
      summary.status = Status::stopped;
      summary.message = callbacks.stop_reason();
      break;
    }
  }
  summary.objective = fx;
  summary.gradient_norm = g.norm();
  if (summary.status == Status::max_iterations &&
      (!std::isfinite(fx) || !std::isfinite(summary.gradient_norm) || fx > blowup)) {
    summary.status = Status::diverged;
    summary.message = "objective became " + check::show(fx) + " at the last iteration";
  }
  if (summary.status == Status::max_iterations)
    summary.message = "reached max_iterations = " + std::to_string(options.max_iterations);
  summary.seconds = clock.seconds();
  callbacks.end(summary);
  return summary;
}

}  // namespace descent
