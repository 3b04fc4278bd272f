// NoProp-DT's noise schedule.
#include "descent/noprop/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "descent/core/error.hpp"

namespace descent::noprop {

NoiseSchedule NoiseSchedule::cosine(int T, double s, double lowest, double highest) {
  if (T < 1) throw InvalidOption("blocks", "must be >= 1, got " + std::to_string(T));
  if (!(s >= 0.0) || !std::isfinite(s)) throw InvalidOption("s", "must be >= 0");
  if (!(lowest > 0.0 && lowest < highest && highest < 1.0))
    throw InvalidOption("clip", "need 0 < lowest < highest < 1");
  auto f = [s](double tau) {
    const double c = std::cos((tau + s) / (1.0 + s) * std::numbers::pi / 2.0);
    return c * c;
  };
  std::vector<double> ab(static_cast<std::size_t>(T) + 1);
  for (int t = 0; t <= T; ++t)
    ab[std::size_t(t)] = std::clamp(f(1.0 - double(t) / T) / f(0.0), lowest, highest);
  return from_alpha_bar(std::move(ab));
}

NoiseSchedule NoiseSchedule::from_alpha_bar(std::vector<double> alpha_bar) {
  if (alpha_bar.size() < 2) throw InvalidOption("alpha_bar", "needs T + 1 >= 2 values");
  for (std::size_t t = 0; t < alpha_bar.size(); ++t) {
    if (!(alpha_bar[t] > 0.0 && alpha_bar[t] < 1.0))
      throw InvalidOption("alpha_bar", "every value must lie in (0, 1)");
    if (t > 0 && !(alpha_bar[t] > alpha_bar[t - 1]))
      throw InvalidOption("alpha_bar",
                          "must increase strictly from noise (t = 0) to label (t = T)");
  }
  NoiseSchedule s;
  s.alpha_bar_ = std::move(alpha_bar);
  return s;
}

double NoiseSchedule::alpha(int t) const {
  return t == blocks() ? alpha_bar(t) : alpha_bar(t) / alpha_bar(t + 1);
}

double NoiseSchedule::snr(int t) const {
  return alpha_bar(t) / (1.0 - alpha_bar(t));
}

double NoiseSchedule::a(int t) const {
  return std::sqrt(alpha_bar(t)) * (1.0 - alpha(t - 1)) / (1.0 - alpha_bar(t - 1));
}

double NoiseSchedule::b(int t) const {
  return std::sqrt(alpha(t - 1)) * (1.0 - alpha_bar(t)) / (1.0 - alpha_bar(t - 1));
}

double NoiseSchedule::c(int t) const {
  return (1.0 - alpha_bar(t)) * (1.0 - alpha(t - 1)) / (1.0 - alpha_bar(t - 1));
}

double kl_to_standard_normal(double alpha_bar0, std::span<const double> u) {
  double kl = 0.0;
  for (double ud : u)
    kl += (1.0 - alpha_bar0) + alpha_bar0 * ud * ud - 1.0 - std::log(1.0 - alpha_bar0);
  return 0.5 * kl;
}

}  // namespace descent::noprop
