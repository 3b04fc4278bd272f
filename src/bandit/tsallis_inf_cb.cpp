#include "descent/bandit/tsallis_inf_cb.hpp"

#include <cmath>

#include "descent/core/options.hpp"

namespace descent::bandit {

void TsallisInfCbOptions::validate() const {
  check::finite("context_lo", context_lo);
  check::finite("context_hi", context_hi);
  check::require(context_hi > context_lo, "context_hi", "must be > context_lo");
  check::at_least("bins", static_cast<long long>(bins), 1);
  tsallis.validate();
}

TsallisInfCb::TsallisInfCb(std::size_t arms, TsallisInfCbOptions options) : arms_(arms) {
  check::at_least("arms", static_cast<long long>(arms), 1);
  options.validate();
  const double m = static_cast<double>(options.bins);
  for (double u : linspace(0.5 / m, 1.0 - 0.5 / m, options.bins))
    centres_.push_back(options.context_lo + (options.context_hi - options.context_lo) * u);
  bins_.assign(options.bins, TsallisInf(arms, options.tsallis));
}

std::size_t TsallisInfCb::bin_of(double context) const {
  std::size_t best = 0;
  for (std::size_t i = 1; i < centres_.size(); ++i)
    if (std::abs(centres_[i] - context) < std::abs(centres_[best] - context)) best = i;
  return best;
}

std::size_t TsallisInfCb::choose(Rng& rng, double context) {
  if (!std::isfinite(context))
    throw Error("TsallisInfCb::choose: needs a finite context, got " + check::show(context));
  last_bin_ = bin_of(context);
  return bins_[last_bin_].choose(rng);
}

void TsallisInfCb::update(double cost) {
  bins_[last_bin_].update(cost);
  ++rounds_;
}

std::span<const double> TsallisInfCb::probabilities() const noexcept {
  return bins_[last_bin_].probabilities();
}

std::size_t TsallisInfCb::fallbacks() const noexcept {
  std::size_t n = 0;
  for (const auto& b : bins_) n += b.fallbacks();
  return n;
}

}  // namespace descent::bandit
