#include "descent/offline/task.hpp"

#include <algorithm>
#include <cmath>

#include "descent/core/error.hpp"

namespace descent::offline {

double percentile(std::vector<double> values, double q) {
  if (values.empty()) throw Error("percentile: no values");
  if (!(q >= 0.0 && q <= 100.0)) throw InvalidOption("q", "must be in [0, 100]");
  // NaN has no place in an order (and breaks std::sort's contract): the percentile is NaN.
  for (double v : values)
    if (std::isnan(v)) return NAN;
  std::sort(values.begin(), values.end());
  const double pos = q / 100.0 * double(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (pos - double(lo)) * (values[hi] - values[lo]);
}

PercentileScores percentile_scores(const Task& task, const Eigen::VectorXd& y) {
  std::vector<double> v(y.data(), y.data() + y.size());
  for (double& x : v) x = task.normalise(x);
  return {percentile(v, 100.0), percentile(v, 80.0), percentile(v, 50.0)};
}

std::pair<double, double> mean_and_se(const std::vector<double>& values) {
  if (values.empty()) return {NAN, NAN};
  double m = 0.0;
  for (double v : values) m += v;
  m /= double(values.size());
  if (values.size() < 2) return {m, 0.0};
  double ss = 0.0;
  for (double v : values) ss += (v - m) * (v - m);
  const double sd = std::sqrt(ss / double(values.size() - 1));
  return {m, sd / std::sqrt(double(values.size()))};
}

}  // namespace descent::offline
