#include "driver.hpp"

#include <cmath>
#include <span>
#include <vector>

#include "descent/core/options.hpp"

namespace descent::newton::detail {

Driver::Driver(std::string method, const CommonOptions& options, Eigen::Index dimension,
               Callbacks& callbacks)
    : options_(options), callbacks_(callbacks) {
  summary.method = std::move(method);
  summary.status = Status::max_iterations;
  callbacks_.begin({summary.method, static_cast<std::size_t>(dimension), options.max_iterations});
}

void Driver::start(double f, double g) {
  if (!options_.record_history) return;
  HistoryRow row;
  row.iteration = 0;
  row.objective = f;
  row.gradient_norm = g;
  row.step_size = 0.0;
  row.seconds = clock_.seconds();
  summary.history.push_back(std::move(row));
}

bool Driver::stop_before(std::size_t k, double f, double g) {
  if (ended_) return true;
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
  summary.iterations = k;
  const std::vector<Metric> cols(extras);
  IterationInfo info;
  info.iteration = k;
  info.objective = f;
  info.gradient_norm = g;
  info.step_size = step;
  info.seconds = clock_.seconds();
  info.x = std::span<const double>(x.data(), static_cast<std::size_t>(x.size()));
  info.extras = std::span<const Metric>(cols.data(), cols.size());
  if (options_.record_history) {
    last_row_ = HistoryRow::from(info);
    if (k % options_.history_stride == 0) summary.history.push_back(last_row_);
  }
  if (callbacks_.iteration(info)) {
    end_with(Status::stopped, callbacks_.stop_reason());
    return true;
  }
  return false;
}

void Driver::end_with(Status status, std::string message) {
  if (ended_) return;
  ended_ = true;
  summary.status = status;
  summary.message = std::move(message);
}

Summary Driver::finish(double f, double g) {
  summary.objective = f;
  summary.gradient_norm = g;
  summary.seconds = clock_.seconds();
  if (options_.record_history && summary.iterations > 0 &&
      summary.history.back().iteration != summary.iterations)
    summary.history.push_back(last_row_);  // the last row is always kept
  if (summary.iterations > 0) {
    summary.counters["linear_solves_per_iteration"] =
        summary.counters.count("linear_solves")
            ? summary.counters["linear_solves"] / double(summary.iterations)
            : 0.0;
  }
  callbacks_.end(summary);
  return summary;
}

}  // namespace descent::newton::detail
