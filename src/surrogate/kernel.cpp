#include "descent/surrogate/kernel.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"

namespace descent::surrogate {

double surrogate_terms(std::span<const double> z, std::span<const double> z_t,
                       std::span<const double> g, double eta, std::span<double> w) {
  const std::size_t n = z.size();
  if (z_t.size() != n || g.size() != n || w.size() != n)
    throw Error("surrogate_terms: spans of different lengths");
  const double inv = 1.0 / eta;
  double linear = 0.0, quad = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = z[i] - z_t[i];
    linear += g[i] * d;
    quad += d * d;
    // At θ_t, d = 0 exactly, so w = g bit for bit: one inner SGD step equals SGD.
    w[i] = g[i] + d * inv;
  }
  return linear + 0.5 * inv * quad;
}

std::string_view to_string(EtaSchedule s) noexcept {
  switch (s) {
    case EtaSchedule::constant:
      return "constant";
    case EtaSchedule::stochastic:
      return "stochastic";
    case EtaSchedule::exponential:
      return "exponential";
  }
  return "constant";
}

EtaSchedule eta_schedule_from_string(std::string_view name) {
  if (name == "constant") return EtaSchedule::constant;
  if (name == "stochastic") return EtaSchedule::stochastic;
  if (name == "exponential") return EtaSchedule::exponential;
  throw Error("unknown eta schedule '" + std::string(name) +
              "' (expected constant, stochastic or exponential)");
}

double scheduled_eta(EtaSchedule schedule, double eta, std::size_t t, std::size_t total) {
  const double tt = double(std::max<std::size_t>(t, 1));
  switch (schedule) {
    case EtaSchedule::constant:
      return eta;
    case EtaSchedule::stochastic:
      return eta / std::sqrt(tt);
    case EtaSchedule::exponential: {
      const double big_t = double(std::max<std::size_t>(total, 1));
      return eta * std::pow(big_t, -tt / big_t);
    }
  }
  return eta;
}

void TargetLineSearch::validate() const {
  check::in_half_open("target_line_search.c", c, 0.0, 1.0);
  check::require(c > 0, "target_line_search.c", "must be > 0");
  check::require(beta > 0 && beta < 1, "target_line_search.beta", "must lie in (0, 1)");
  check::require(expand >= 1, "target_line_search.expand", "must be >= 1");
  check::positive("target_line_search.eta_min", eta_min);
  check::require(eta_max >= eta_min, "target_line_search.eta_max", "must be >= eta_min");
  check::at_least("target_line_search.max_backtracks", static_cast<long long>(max_backtracks), 0);
}

double target_armijo(const std::function<double(std::span<const double>)>& loss,
                     std::span<const double> z, std::span<const double> g, double loss_at_z,
                     double start, const TargetLineSearch& o, std::size_t& evaluations) {
  double gg = 0.0;
  for (double v : g) gg += v * v;
  std::vector<double> trial(z.size());
  double s = start;
  for (std::size_t k = 0; k <= o.max_backtracks; ++k) {
    for (std::size_t i = 0; i < z.size(); ++i) trial[i] = z[i] - s * g[i];
    ++evaluations;
    if (loss(trial) <= loss_at_z - o.c * s * gg) break;
    if (k == o.max_backtracks || s * o.beta < o.eta_min) break;
    s *= o.beta;
  }
  return std::clamp(s, o.eta_min, o.eta_max);
}

double eta_from_reference_code(double eta_code, std::size_t batch_size) {
  check::positive("eta_code", eta_code);
  return double(batch_size) / (2.0 * eta_code);
}

}  // namespace descent::surrogate
