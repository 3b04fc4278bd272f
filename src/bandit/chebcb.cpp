#include "descent/bandit/chebcb.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "descent/bandit/box_least_squares.hpp"
#include "descent/core/options.hpp"

namespace descent::bandit {

void ChebCbOptions::validate() const {
  check::finite("context_lo", context_lo);
  check::finite("context_hi", context_hi);
  check::require(context_hi > context_lo, "context_hi", "must be > context_lo");
  check::at_least("features", static_cast<long long>(features), 1);
  check::finite("cost_offset", cost_offset);
}

ChebCb::ChebCb(std::size_t arms, ChebCbOptions options) : options_(options), m_(options.features) {
  check::at_least("arms", static_cast<long long>(arms), 1);
  options_.validate();
  const auto d = static_cast<Eigen::Index>(arms), m = static_cast<Eigen::Index>(m_);
  theta_ = Eigen::MatrixXd::Zero(d, m);
  factor_.assign(arms, Eigen::MatrixXd::Zero(m + 1, m + 1));
  count_.assign(arms, 0);
  p_.assign(arms, 1.0 / static_cast<double>(arms));
}

Eigen::VectorXd ChebCb::features(double context) const {
  const double lo = options_.context_lo, width = options_.context_hi - options_.context_lo;
  const double u = std::clamp(2.0 * (context - lo) / width - 1.0, -1.0, 1.0);
  Eigen::VectorXd f(static_cast<Eigen::Index>(m_));
  f[0] = 1.0;
  if (m_ > 1) f[1] = u;
  for (std::size_t j = 2; j < m_; ++j) {
    const auto i = static_cast<Eigen::Index>(j);
    f[i] = 2.0 * u * f[i - 1] - f[i - 2];
  }
  return f;
}

Eigen::VectorXd ChebCb::predict(double context) const {
  return theta_ * features(context);
}

double ChebCb::predicted_cost(std::size_t arm, double context) const {
  const double s = theta_.row(static_cast<Eigen::Index>(arm)).dot(features(context));
  return options_.cost_offset + (scale_ > 0 ? scale_ : 1.0) * s;
}

std::size_t ChebCb::choose(Rng& rng, double context) {
  if (!std::isfinite(context))
    throw Error("ChebCb::choose: needs a finite context, got " + check::show(context));
  pending_features_ = features(context);
  const Eigen::VectorXd s = theta_ * pending_features_;
  Eigen::Index best = 0;
  s.minCoeff(&best);
  const double d = static_cast<double>(arms());
  double others = 0.0;
  for (Eigen::Index i = 0; i < s.size(); ++i) {
    if (i == best) continue;
    const double p = 1.0 / (d + eta_ * (s[i] - s[best]));
    p_[static_cast<std::size_t>(i)] = p;
    others += p;
  }
  p_[static_cast<std::size_t>(best)] = 1.0 - others;
  if (!normalize_or_uniform(p_)) ++fallbacks_;
  pending_ = sample_index(p_, rng);
  has_pending_ = true;
  predicted_.push_back(s[static_cast<Eigen::Index>(pending_)]);
  return pending_;
}

void ChebCb::refit(std::size_t arm, const Eigen::VectorXd& ub, double* resnorm) {
  const auto m = static_cast<Eigen::Index>(m_);
  const Eigen::MatrixXd& R = factor_[arm];
  // The triangular factor stands in for the arm's whole history: ||F theta - z/scale||^2 =
  // ||R_F theta - q/scale||^2 + (rho/scale)^2, with [R_F q; 0 rho] the factor of [F | z].
  const Eigen::MatrixXd RF = R.topLeftCorner(m, m);
  const Eigen::VectorXd q = R.col(m).head(m) / scale_;
  Eigen::VectorXd theta = min_norm_least_squares(RF, q);
  bool outside = false;
  for (Eigen::Index j = 0; j < m; ++j) outside = outside || std::abs(theta[j]) > ub[j];
  if (outside) {
    const auto fit = box_least_squares(RF, q, -ub, ub);
    theta = fit.theta;
    const double rho = R(m, m) / scale_;
    *resnorm = fit.residual_norm_sq + rho * rho;
    ++box_refits_;
  }
  theta_.row(static_cast<Eigen::Index>(arm)) = theta.transpose();
}

void ChebCb::update(double cost) {
  if (!has_pending_) throw Error("ChebCb::update: call choose() first");
  if (!std::isfinite(cost))
    throw Error("ChebCb::update: cost must be finite, got " + check::show(cost));
  has_pending_ = false;
  const std::size_t arm = pending_;
  const auto m = static_cast<Eigen::Index>(m_);

  // Add the row [f, cost - offset] to the arm's factor with Givens rotations.
  Eigen::VectorXd w(m + 1);
  w.head(m) = pending_features_;
  w[m] = cost - options_.cost_offset;
  Eigen::MatrixXd& R = factor_[arm];
  for (Eigen::Index j = 0; j <= m; ++j) {
    const double a = R(j, j), b = w[j];
    if (b == 0.0) continue;
    const double r = std::hypot(a, b), c = a / r, s = b / r;
    for (Eigen::Index k = j; k <= m; ++k) {
      const double rk = R(j, k), wk = w[k];
      R(j, k) = c * rk + s * wk;
      w[k] = -s * rk + c * wk;
    }
  }
  ++count_[arm];
  costs_.push_back(cost);
  ++rounds_;

  // The code's constants. K = max cost, L = cost range per unit context.
  const double width = options_.context_hi - options_.context_lo;
  if (rounds_ == 1) max_cost_ = min_cost_ = cost;
  max_cost_ = std::max(max_cost_, cost);
  min_cost_ = std::min(min_cost_, cost);
  const double K = max_cost_ > 0 ? max_cost_ : 1.0;
  const double L = (max_cost_ - min_cost_) / width;
  const double logm = std::log(static_cast<double>(m_));
  const double N = 2.0 + 4.0 * width * L / K * (1.0 + logm);
  const double scale = K * N;
  const bool rescaled = scale != scale_;
  scale_ = scale;
  Eigen::VectorXd ub(m);
  ub[0] = 1.0 / N;
  for (Eigen::Index j = 1; j < m; ++j) ub[j] = 2.0 * width * L / scale / static_cast<double>(j);

  // A new scale changes every arm's targets; otherwise only the chosen arm has new data.
  double resnorm = 0.0;
  for (std::size_t i = 0; i < arms(); ++i)
    if ((rescaled || i == arm) && count_[i] > 0) refit(i, ub, &resnorm);

  const double pi = std::numbers::pi;
  const double alpha = (pi + 2.0 / pi * std::log(2.0 * static_cast<double>(m_) + 1.0)) /
                       (2.0 * scale * static_cast<double>(m_ + 1)) * width * L;
  double R2 = 0.0;
  for (std::size_t s = 0; s < rounds_; ++s) {
    const double e = predicted_[s] - costs_[s] / scale;
    R2 += e * e;
  }
  const double t = static_cast<double>(rounds_), d = static_cast<double>(arms());
  const double eta = 2.0 * t * std::sqrt(d * t / (R2 - resnorm + 2.0 * alpha * alpha * t));
  if (std::isfinite(eta) && eta >= 0.0) eta_ = eta;
}

}  // namespace descent::bandit
