#include "descent/bandit/tsallis_inf.hpp"

#include <algorithm>
#include <cmath>

#include "descent/core/options.hpp"

namespace descent::bandit {

void TsallisInfOptions::validate() const {
  check::finite("cost_offset", cost_offset);
  check::positive("eta_constant", eta_constant);
  check::at_least("newton_iterations", static_cast<long long>(newton_iterations), 1);
}

TsallisInf::TsallisInf(std::size_t arms, TsallisInfOptions options)
    : options_(options), k_(arms, 0.0), p_(arms, arms ? 1.0 / static_cast<double>(arms) : 0.0) {
  check::at_least("arms", static_cast<long long>(arms), 1);
  options_.validate();
}

double TsallisInf::eta() const noexcept {
  return options_.eta_constant / std::sqrt(static_cast<double>(rounds_ + 1));
}

double TsallisInf::scale() const noexcept {
  if (rounds_ == 0) return 1.0;
  const double s = loss_sum_ / static_cast<double>(rounds_);
  return s > 0.0 && std::isfinite(s) ? s : 1.0;  // all losses 0 -> k = 0, any scale works
}

bool TsallisInf::compute_probabilities() {
  const std::size_t d = k_.size();
  const double eta = this->eta(), scale = this->scale();
  double kmin = k_[0] / scale;
  for (double k : k_) kmin = std::min(kmin, k / scale);
  // f(x) = sum_i 4 / (eta (k_i/scale - x))^2 - 1 is convex and increasing left of the pole
  // min k/scale. At x0 the best arm alone has p = 1, so f(x0) >= 0: from the right of the root,
  // convexity makes every Newton tangent land between the root and the previous point, so the
  // iterates decrease monotonically to the root and never cross the pole. (From the left, as
  // the code's x = -1 can be, the first step overshoots and may jump past the pole.)
  double x = kmin - 2.0 / eta;
  double previous_gap = std::numeric_limits<double>::infinity();
  for (std::size_t it = 0; it < options_.newton_iterations; ++it) {
    double sum = 0.0, sum15 = 0.0;
    for (std::size_t i = 0; i < d; ++i) {
      const double gap = eta * (k_[i] / scale - x);
      const double p = 4.0 / (gap * gap);
      p_[i] = p;
      sum += p;
      sum15 += p * std::sqrt(p);
    }
    const double f = sum - 1.0;
    if (std::abs(f) <= 1e-15 || !(std::abs(f) < previous_gap)) break;
    previous_gap = std::abs(f);
    x -= f / (eta * sum15);
  }
  x_ = x;
  const bool ok = normalize_or_uniform(p_);
  if (!ok) ++fallbacks_;
  return ok;
}

std::size_t TsallisInf::choose(Rng& rng, double /*context*/) {
  compute_probabilities();
  pending_ = sample_index(p_, rng);
  has_pending_ = true;
  return pending_;
}

void TsallisInf::update(double cost) {
  if (!has_pending_) throw Error("TsallisInf::update: call choose() first");
  if (!std::isfinite(cost))
    throw Error("TsallisInf::update: cost must be finite, got " + check::show(cost));
  has_pending_ = false;
  const double loss = std::max(0.0, cost - options_.cost_offset);
  k_[pending_] += loss / p_[pending_];
  loss_sum_ += loss;
  ++rounds_;
}

}  // namespace descent::bandit
