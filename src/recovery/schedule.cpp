#include "descent/recovery/schedule.hpp"

#include <cmath>
#include <cstdio>
#include <numbers>
#include <sstream>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"

namespace descent::recovery {

void StepSchedule::validate() const {
  check::positive("schedule.eta0", eta0);
  check::require(rho > 0 && rho < 1, "schedule.rho", "must lie in (0, 1), got " + check::show(rho));
}

double StepSchedule::step(std::size_t t) const {
  if (kind == Kind::geometric) return eta0 * std::pow(rho, static_cast<double>(t));
  if (t < warmup_iterations) return eta0;
  return eta0 * std::pow(rho, static_cast<double>(t - warmup_iterations + 1));
}

double StepSchedule::step_sum(std::size_t T) const {
  // Closed forms of the geometric sums.
  auto geo = [&](std::size_t k) { return (1.0 - std::pow(rho, double(k))) / (1.0 - rho); };
  if (kind == Kind::geometric) return eta0 * geo(T);
  if (T <= warmup_iterations) return eta0 * double(T);
  return eta0 * (double(warmup_iterations) + rho * geo(T - warmup_iterations));
}

StepSchedule StepSchedule::parse(const std::string& spec) {
  StepSchedule s;
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  if (kind == "geometric") {
    s.kind = Kind::geometric;
  } else if (kind == "warmup") {
    s.kind = Kind::warmup;
    s.rho = 0.95;
  } else {
    throw Error("schedule '" + spec +
                "': expected geometric[:eta0=E,rho=R] or "
                "warmup[:eta0=E,t0=T0,rho=R]");
  }
  if (colon != std::string::npos) {
    std::stringstream ss(spec.substr(colon + 1));
    std::string item;
    while (std::getline(ss, item, ',')) {
      const auto eq = item.find('=');
      double v = 0;
      try {
        if (eq == std::string::npos) throw std::invalid_argument("no =");
        std::size_t used = 0;
        v = std::stod(item.substr(eq + 1), &used);
        if (used != item.size() - eq - 1) throw std::invalid_argument("trailing");
      } catch (const std::exception&) {
        throw Error("schedule '" + spec + "': '" + item + "' is not key=number");
      }
      const std::string key = item.substr(0, eq);
      if (key == "eta0") {
        s.eta0 = v;
      } else if (key == "rho") {
        s.rho = v;
      } else if (key == "t0" && s.kind == Kind::warmup) {
        if (v < 0 || v != std::floor(v)) throw Error("schedule '" + spec + "': t0 must be >= 0");
        s.warmup_iterations = static_cast<std::size_t>(v);
      } else {
        throw Error("schedule '" + spec + "': unknown key '" + key + "'");
      }
    }
  }
  s.validate();
  return s;
}

std::string StepSchedule::to_string() const {
  char buf[128];
  if (kind == Kind::geometric)
    std::snprintf(buf, sizeof buf, "geometric:eta0=%g,rho=%g", eta0, rho);
  else
    std::snprintf(buf, sizeof buf, "warmup:eta0=%g,t0=%zu,rho=%g (not from the paper)", eta0,
                  warmup_iterations, rho);
  return buf;
}

double escape_step_sum(double xstar_fro, double sigma_r, double alpha, double phi) {
  return xstar_fro * std::log(1.0 / alpha) / (2.0 * phi * sigma_r);
}

double phi_lower_bound(double corruption_probability) {
  return std::sqrt(2.0 / std::numbers::pi) * (1.0 - corruption_probability);
}

}  // namespace descent::recovery
