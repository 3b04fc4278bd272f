// ChebCB: SquareCB with a follow-the-leader regression oracle on Chebyshev features of a scalar
// context.
//
// M. Khodak, E. Chow, M.-F. Balcan and A. Talwalkar, "Learning to Relax: Setting Solver
// Parameters Across a Sequence of Linear System Instances", ICLR 2024, Algorithm 3 (Theorem 3.2),
// with the constants of the official code; SquareCB is from D. Foster and A. Rakhlin, "Beyond
// UCB: Optimal and Efficient Contextual Bandits with Regression Oracles", ICML 2020.
//
// Features: f(c) = [T_0(u), ..., T_{m-1}(u)], u = 2 (c - lo) / (hi - lo) - 1 (Chebyshev
// recurrence). Each arm i keeps a linear model theta_i fitted by least squares to its own history
// of (f(c_s), (cost_s - cost_offset) / scale): the minimum-norm solution, re-solved with the box
// |theta_0| <= 1/N, |theta_j| <= 2 (hi - lo) L / (scale j) if it leaves the box. With
// K = max cost, L = (max cost - min cost) / (hi - lo), N = 2 + 4 (hi - lo) L / K (1 + log m) and
// scale = K N (the code's constants). Round t predicts s_i = <theta_i, f(c_t)>, takes
// i* = argmin s and samples from p_i = 1 / (d + eta (s_i - s_i*)) (i != i*),
// p_i* = 1 - sum of the others. The step size grows with t by design:
//   eta = 2 t sqrt(d t / (R - resnorm + 2 alpha^2 t)),  R = sum_s (pred_s - cost_s / scale)^2,
//   alpha = (pi + (2/pi) log(2m + 1)) / (2 scale (m + 1)) (hi - lo) L,
// where pred_s is the chosen arm's prediction at round s and resnorm the residual of this
// round's last box-constrained refit (0 if none), as in the code.
//
// Implementation notes (departures are numerical only):
//  - Each arm's history is kept as an incrementally updated (m+1) x (m+1) triangular factor of
//    [F | cost - offset] (Givens rotations): the minimum-norm and box-constrained fits of the
//    factor equal those of the full history, at O(m^2) per round instead of O(t m^2).
//  - L uses the smallest cost observed; the code's preallocated loss array makes its minimum 0
//    until the last round, which changes L by a factor min/max (about 1-2% here).
//  - A non-finite or negative eta (e.g. a zero denominator) keeps the previous eta; contexts are
//    clamped to [lo, hi] (Chebyshev polynomials explode outside); NaN/Inf probabilities fall
//    back to uniform.
#pragma once

#include <cstddef>
#include <vector>

#include <Eigen/Dense>

#include "descent/bandit/learner.hpp"

namespace descent::bandit {

struct ChebCbOptions {
  double context_lo = 0.0;   ///< lower end of the context range (required, finite)
  double context_hi = 1.0;   ///< upper end (> context_lo)
  std::size_t features = 6;  ///< m: Chebyshev polynomials T_0..T_{m-1} (default 6, the paper's)
  double cost_offset = 1.0;  ///< regress cost - cost_offset (1 for iteration counts, default)

  void validate() const;
};

class ChebCb final : public Learner {
 public:
  ChebCb(std::size_t arms, ChebCbOptions options);

  std::string_view name() const noexcept override { return "chebcb"; }
  std::size_t arms() const noexcept override { return theta_.rows(); }
  bool contextual() const noexcept override { return true; }
  std::size_t choose(Rng& rng, double context) override;
  void update(double cost) override;
  std::span<const double> probabilities() const noexcept override { return p_; }
  std::size_t rounds() const noexcept override { return rounds_; }
  std::size_t fallbacks() const noexcept override { return fallbacks_; }

  /// Chebyshev features of a context (after clamping to the range).
  Eigen::VectorXd features(double context) const;
  /// Predicted scaled loss of every arm at a context: theta * f(context).
  Eigen::VectorXd predict(double context) const;
  /// Predicted cost of an arm at a context, in the caller's units: offset + scale * s_i.
  double predicted_cost(std::size_t arm, double context) const;
  const Eigen::MatrixXd& coefficients() const noexcept { return theta_; }
  double eta() const noexcept { return eta_; }
  double scale() const noexcept { return scale_; }
  /// Box-constrained refits so far.
  std::size_t box_refits() const noexcept { return box_refits_; }

 private:
  void refit(std::size_t arm, const Eigen::VectorXd& ub, double* resnorm);

  ChebCbOptions options_;
  std::size_t m_;
  Eigen::MatrixXd theta_;                // arms x m
  std::vector<Eigen::MatrixXd> factor_;  // per arm, (m+1) x (m+1) upper triangular
  std::vector<std::size_t> count_;       // rounds per arm
  std::vector<double> p_;
  std::vector<double> predicted_;  // chosen arm's prediction per round (scaled units)
  std::vector<double> costs_;
  Eigen::VectorXd pending_features_;
  std::size_t pending_ = 0;
  bool has_pending_ = false;
  double eta_ = 0.0;
  double scale_ = 0.0;
  double max_cost_ = -1.0, min_cost_ = 0.0;
  std::size_t rounds_ = 0;
  std::size_t fallbacks_ = 0;
  std::size_t box_refits_ = 0;
};

}  // namespace descent::bandit
