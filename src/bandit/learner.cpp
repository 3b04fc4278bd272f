#include "descent/bandit/learner.hpp"

#include <algorithm>
#include <cmath>

#include "descent/core/error.hpp"

namespace descent::bandit {

bool normalize_or_uniform(std::span<double> p) {
  if (p.empty()) return false;
  double sum = 0.0, largest = 0.0;
  bool ok = true;
  for (double v : p) {
    if (!std::isfinite(v))
      ok = false;
    else {
      sum += v;
      largest = std::max(largest, std::abs(v));
    }
  }
  // Negative entries beyond round-off mean the formula broke down, not a rounding issue.
  if (ok)
    for (double v : p) ok = ok && v >= -1e-12 * std::max(1.0, largest);
  if (ok && !(sum > 0.0)) ok = false;
  if (!ok) {
    const double u = 1.0 / static_cast<double>(p.size());
    for (double& v : p) v = u;
    return false;
  }
  sum = 0.0;
  for (double& v : p) {
    if (v < 0.0) v = 0.0;
    sum += v;
  }
  for (double& v : p) v /= sum;
  return true;
}

double uniform01(Rng& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

std::size_t sample_index(std::span<const double> p, Rng& rng) {
  if (p.empty()) throw Error("sample_index: empty distribution");
  const double u = uniform01(rng);
  double cumulative = 0.0;
  std::size_t last_positive = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] <= 0.0) continue;
    last_positive = i;
    cumulative += p[i];
    if (u < cumulative) return i;
  }
  // Round-off can leave the cumulative sum a hair below 1.
  return last_positive;
}

std::vector<double> linspace(double lo, double hi, std::size_t n) {
  std::vector<double> v(n);
  if (n == 1) v[0] = lo;
  // MATLAB's formula lo + (hi - lo) * i / (n - 1), so grid values match the paper's code.
  for (std::size_t i = 0; n > 1 && i < n; ++i)
    v[i] = lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1);
  if (n > 1) v[n - 1] = hi;
  return v;
}

}  // namespace descent::bandit
