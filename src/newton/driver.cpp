#include "driver.hpp"

#include <cmath>
#include <span>
#include <vector>

#include "descent/core/options.hpp"

namespace descent::newton::detail {

Driver::Driver(std::string method, const CommonOptions& options, Eigen::Index dimension,
               Callbacks& callbacks)
    : options_(options),
      run_(std::move(method), static_cast<std::size_t>(dimension), options.max_iterations,
           {options.record_history, options.history_stride}, callbacks),
      summary(run_.summary()) {}

void Driver::start(double f, double g) {
  run_.start(f, g);
}

bool Driver::stop_before(std::size_t k, double f, double g) {
  if (run_.ended()) return true;
  if (!std::isfinite(f) || !std::isfinite(g)) {
    end_with(Status::diverged, "objective or gradient became non-finite (f = " + check::show(f) +
                                   ") at iteration " + std::to_string(k));
    return true;
  }
  if (options_.optimal_value && f - *options_.optimal_value < options_.value_tolerance) {
    end_with(Status::converged,
             "f − f* = " + check::show(f - *options_.optimal_value) + " < value_tolerance");
    return true;
  }
  if (options_.gradient_tolerance > 0 && g < options_.gradient_tolerance) {
    end_with(Status::converged, "||g||_* = " + check::show(g) + " < gradient_tolerance");
    return true;
  }
  if (k >= options_.max_iterations) {
    end_with(Status::max_iterations,
             "reached max_iterations = " + std::to_string(options_.max_iterations));
    return true;
  }
  return false;
}

bool Driver::completed(std::size_t k, double f, double g, double step, const Eigen::VectorXd& x,
                       std::initializer_list<Metric> extras) {
  const std::vector<Metric> cols(extras);
  IterationInfo info;
  info.iteration = k;
  info.objective = f;
  info.gradient_norm = g;
  info.step_size = step;
  info.x = std::span<const double>(x.data(), static_cast<std::size_t>(x.size()));
  info.extras = std::span<const Metric>(cols.data(), cols.size());
  return run_.record(info);
}

void Driver::end_with(Status status, std::string message) {
  run_.end(status, std::move(message));
}

Summary Driver::finish(double f, double g) {
  if (summary.iterations > 0) {
    summary.counters["linear_solves_per_iteration"] =
        summary.counters.count("linear_solves")
            ? summary.counters["linear_solves"] / double(summary.iterations)
            : 0.0;
  }
  return run_.finish(f, g);
}

}  // namespace descent::newton::detail
