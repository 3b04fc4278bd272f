#include "descent/core/status.hpp"

#include <array>
#include <cmath>
#include <cstdio>

#include "descent/core/error.hpp"

namespace descent {

namespace {
constexpr std::array<std::pair<Status, std::string_view>, 6> kNames{{
    {Status::converged, "converged"},
    {Status::max_iterations, "max_iterations"},
    {Status::diverged, "diverged"},
    {Status::stalled, "stalled"},
    {Status::stopped, "stopped"},
    {Status::failed, "failed"},
}};
}  // namespace

std::string_view to_string(Status s) noexcept {
  for (const auto& [status, name] : kNames)
    if (status == s) return name;
  return "unknown";
}

Status status_from_string(std::string_view name) {
  for (const auto& [status, n] : kNames)
    if (n == name) return status;
  throw Error("unknown status '" + std::string(name) + "'");
}

HistoryRow HistoryRow::from(const IterationInfo& info) {
  HistoryRow row;
  row.iteration = info.iteration;
  row.objective = info.objective;
  row.gradient_norm = info.gradient_norm;
  row.step_size = info.step_size;
  row.seconds = info.seconds;
  row.extras.reserve(info.extras.size());
  for (const Metric& m : info.extras) row.extras.emplace_back(std::string(m.name), m.value);
  return row;
}

std::string Summary::brief() const {
  // |g| is left out where the method does not track it (NaN by default, e.g. `descent train`);
  // a diverged run says so in its status.
  char grad[48] = "";
  if (!std::isnan(gradient_norm)) std::snprintf(grad, sizeof grad, ", |g| = %.3g", gradient_norm);
  char buf[200];
  std::snprintf(buf, sizeof buf, " after %zu iterations (f = %.6g%s, %.3g s)", iterations,
                objective, grad, seconds);
  std::string s = std::string(to_string(status)) + buf;
  if (!message.empty()) s += ": " + message;
  return s;
}

}  // namespace descent
