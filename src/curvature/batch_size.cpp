#include "descent/curvature/batch_size.hpp"

#include <algorithm>
#include <cmath>

#include "descent/core/options.hpp"

namespace descent::curvature {

std::string_view to_string(ScalingRule r) noexcept {
  switch (r) {
    case ScalingRule::none:
      return "none";
    case ScalingRule::linear:
      return "linear";
    case ScalingRule::square_root:
      return "sqrt";
  }
  return "?";
}

ScalingRule scaling_rule_from_string(std::string_view s) {
  if (s == "none") return ScalingRule::none;
  if (s == "linear") return ScalingRule::linear;
  if (s == "sqrt" || s == "square-root") return ScalingRule::square_root;
  throw InvalidOption("rule", "must be none, linear or sqrt, got '" + std::string(s) + "'");
}

double linear_scaled_lr(double base_lr, double base_batch, double batch) {
  return base_lr * batch / base_batch;
}
double sqrt_scaled_lr(double base_lr, double base_batch, double batch) {
  return base_lr * std::sqrt(batch / base_batch);
}

void LrScaling::validate() const {
  check::positive("base_lr", base_lr);
  check::positive("base_batch", base_batch);
}

double LrScaling::operator()(double batch) const {
  check::positive("batch", batch);
  switch (rule) {
    case ScalingRule::none:
      return base_lr;
    case ScalingRule::linear:
      return linear_scaled_lr(base_lr, base_batch, batch);
    case ScalingRule::square_root:
      return sqrt_scaled_lr(base_lr, base_batch, batch);
  }
  return base_lr;
}

LinearFit fit_line(std::span<const double> x, std::span<const double> y) {
  check::require(x.size() == y.size(), "y", "must have as many entries as x");
  check::require(x.size() >= 2, "x", "needs at least two points");
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / n, my += y[i] / n;
  double sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) * (y[i] - my);
  }
  check::require(sxx > 0, "x", "needs at least two distinct values");
  LinearFit f;
  f.slope = sxy / sxx;
  f.intercept = my - f.slope * mx;
  double sse = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double e = y[i] - f.intercept - f.slope * x[i];
    sse += e * e;
  }
  f.r2 = syy > 0 ? 1 - sse / syy : 1.0;
  return f;
}

LinearFit fit_inverse_batch(std::span<const double> batch, std::span<const double> value) {
  std::vector<double> inv(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    check::positive("batch", batch[i]);
    inv[i] = 1.0 / batch[i];
  }
  return fit_line(inv, value);
}

LinearFit fit_log_log(std::span<const double> x, std::span<const double> y) {
  check::require(x.size() == y.size(), "y", "must have as many entries as x");
  std::vector<double> lx(x.size()), ly(y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    check::positive("x", x[i]);
    check::positive("y", y[i]);
    lx[i] = std::log(x[i]);
    ly[i] = std::log(y[i]);
  }
  return fit_line(lx, ly);
}

void BatchHessianOptions::validate() const {
  check::require(batch_sizes.size() >= 2, "batch_sizes", "needs at least two batch sizes");
  for (std::size_t b : batch_sizes) check::at_least("batch_sizes", static_cast<long long>(b), 1);
  check::at_least("draws", static_cast<long long>(draws), 1);
  check::non_negative("monotone_tolerance", monotone_tolerance);
  lanczos.validate();
}

BatchHessianCurve batch_hessian_lambda_max(const BatchOperatorFactory& factory,
                                           const BatchHessianOptions& options) {
  options.validate();
  BatchHessianCurve c;
  std::vector<std::size_t> sizes = options.batch_sizes;
  std::sort(sizes.begin(), sizes.end());
  for (std::size_t b : sizes) {
    double sum = 0, sum2 = 0;
    for (std::size_t d = 0; d < options.draws; ++d) {
      LanczosOptions lo = options.lanczos;
      lo.seed = options.lanczos.seed + d;
      const double l = lanczos(factory(b, d), lo).lambda_max();
      sum += l;
      sum2 += l * l;
    }
    const double n = static_cast<double>(options.draws);
    const double mean = sum / n;
    c.batch.push_back(static_cast<double>(b));
    c.mean_lambda_max.push_back(mean);
    c.sd_lambda_max.push_back(n > 1 ? std::sqrt(std::max(0.0, (sum2 - n * mean * mean) / (n - 1)))
                                    : 0);
  }
  c.fit = fit_inverse_batch(c.batch, c.mean_lambda_max);
  c.non_increasing = true;
  for (std::size_t i = 1; i < c.mean_lambda_max.size(); ++i)
    if (!(c.mean_lambda_max[i] <= c.mean_lambda_max[i - 1] * (1 + options.monotone_tolerance)))
      c.non_increasing = false;
  return c;
}

double max_stable_learning_rate(const std::function<bool(double lr)>& stable,
                                std::vector<double> grid, std::size_t stop_after_failures) {
  std::sort(grid.begin(), grid.end());
  double best = 0;
  std::size_t failures = 0;
  for (double lr : grid) {
    if (stable(lr)) {
      best = lr;
      failures = 0;
    } else if (best > 0 && stop_after_failures > 0 && ++failures >= stop_after_failures) {
      break;
    }
  }
  return best;
}

std::vector<double> log2_grid(double lo, double hi, double step) {
  check::positive("step", step);
  std::vector<double> g;
  for (double e = lo; e <= hi + 1e-12; e += step) g.push_back(std::exp2(e));
  return g;
}

}  // namespace descent::curvature
