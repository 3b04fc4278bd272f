#include "descent/offline/cmaes.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include <Eigen/Eigenvalues>

#include "descent/core/error.hpp"

namespace descent::offline {

void CmaesOptions::validate() const {
  if (!(sigma > 0.0) || !std::isfinite(sigma))
    throw InvalidOption("sigma", "must be finite and > 0");
  if (population != 0 && population < 2) throw InvalidOption("population", "must be 0 or >= 2");
  if (iterations < 1) throw InvalidOption("iterations", "must be >= 1");
}

Cmaes::Cmaes(const Eigen::VectorXd& start, const CmaesOptions& o)
    : n_(start.size()), rng_(make_rng(o.seed, {0xc3a})) {
  o.validate();
  if (n_ < 1) throw InvalidOption("start", "must have at least one coordinate");
  const double n = double(n_);
  lambda_ = o.population > 0 ? o.population : 4 + int(std::floor(3.0 * std::log(n)));
  mu_ = lambda_ / 2;
  weights_.resize(mu_);
  for (int i = 0; i < mu_; ++i) weights_[i] = std::log((lambda_ + 1) / 2.0) - std::log(i + 1.0);
  weights_ /= weights_.sum();
  mueff_ = 1.0 / weights_.squaredNorm();
  cc_ = (4.0 + mueff_ / n) / (n + 4.0 + 2.0 * mueff_ / n);
  cs_ = (mueff_ + 2.0) / (n + mueff_ + 5.0);
  c1_ = 2.0 / ((n + 1.3) * (n + 1.3) + mueff_);
  cmu_ =
      std::min(1.0 - c1_, 2.0 * (mueff_ - 2.0 + 1.0 / mueff_) / ((n + 2.0) * (n + 2.0) + mueff_));
  damps_ = 1.0 + 2.0 * std::max(0.0, std::sqrt((mueff_ - 1.0) / (n + 1.0)) - 1.0) + cs_;
  chi_n_ = std::sqrt(n) * (1.0 - 1.0 / (4.0 * n) + 1.0 / (21.0 * n * n));
  m_ = start;
  ps_ = Eigen::VectorXd::Zero(n_);
  pc_ = Eigen::VectorXd::Zero(n_);
  c_ = Eigen::MatrixXd::Identity(n_, n_);
  b_ = Eigen::MatrixXd::Identity(n_, n_);
  d_ = Eigen::VectorXd::Ones(n_);
  sigma_ = o.sigma;
  best_x_ = start;
  best_f_ = -std::numeric_limits<double>::infinity();
}

const Eigen::MatrixXd& Cmaes::ask() {
  z_ = normal_matrix(rng_, lambda_, n_);
  y_ = z_ * d_.asDiagonal() * b_.transpose();  // rows ~ N(0, C)
  x_ = (sigma_ * y_).rowwise() + m_.transpose();
  return x_;
}

void Cmaes::tell(const Eigen::VectorXd& f) {
  if (x_.rows() != lambda_) throw Error("Cmaes::tell: call ask() first");
  if (f.size() != lambda_) throw Error("Cmaes::tell: one value per candidate expected");
  std::vector<int> order(static_cast<std::size_t>(lambda_));
  std::iota(order.begin(), order.end(), 0);
  // Non-finite values rank last.
  auto key = [&](int i) {
    return std::isfinite(f[i]) ? f[i] : -std::numeric_limits<double>::infinity();
  };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return key(a) > key(b); });
  if (key(order[0]) > best_f_) {
    best_f_ = key(order[0]);
    best_x_ = x_.row(order[0]).transpose();
  }
  Eigen::VectorXd yw = Eigen::VectorXd::Zero(n_);
  for (int i = 0; i < mu_; ++i) yw += weights_[i] * y_.row(order[std::size_t(i)]).transpose();
  m_ += sigma_ * yw;
  x_.resize(0, 0);  // one tell per ask
  // C^{-1/2} y_w = B D^{-1} Bᵀ y_w.
  const Eigen::VectorXd c_inv_half_yw = b_ * (b_.transpose() * yw).cwiseQuotient(d_);
  ps_ = (1.0 - cs_) * ps_ + std::sqrt(cs_ * (2.0 - cs_) * mueff_) * c_inv_half_yw;
  ++generation_;
  const double ps_norm = ps_.norm();
  const bool hsig = ps_norm / std::sqrt(1.0 - std::pow(1.0 - cs_, 2.0 * generation_)) / chi_n_ <
                    1.4 + 2.0 / (double(n_) + 1.0);
  pc_ = (1.0 - cc_) * pc_ + (hsig ? std::sqrt(cc_ * (2.0 - cc_) * mueff_) : 0.0) * yw;
  Eigen::MatrixXd rank_mu = Eigen::MatrixXd::Zero(n_, n_);
  for (int i = 0; i < mu_; ++i) {
    const Eigen::VectorXd yi = y_.row(order[std::size_t(i)]).transpose();
    rank_mu.noalias() += weights_[i] * yi * yi.transpose();
  }
  c_ = (1.0 - c1_ - cmu_) * c_ +
       c1_ * (pc_ * pc_.transpose() + (hsig ? 0.0 : cc_ * (2.0 - cc_)) * c_) + cmu_ * rank_mu;
  sigma_ *= std::exp((cs_ / damps_) * (ps_norm / chi_n_ - 1.0));
  decompose();
}

void Cmaes::decompose() {
  c_ = 0.5 * (c_ + c_.transpose());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(c_);
  b_ = es.eigenvectors();
  d_ = es.eigenvalues().cwiseMax(1e-20).cwiseSqrt();
}

}  // namespace descent::offline
