// LogSumExp: the smoothed maximum of affine functions.
//
// f(x) = μ log Σ_i exp((⟨a_i, x⟩ − b_i) / μ), π = softmax((Ax − b)/μ),
// ∇f = Aᵀπ, ∇²f = (1/μ)(Aᵀ diag(π) A − (Aᵀπ)(Aᵀπ)ᵀ).
// Weighted Gauss–Newton approximation (Semenov, Jaggi, Doikov, "Gradient-Normalized Smoothness
// for Optimization with Approximate Hessians", arXiv:2506.13710, 2025): H̃ = (1/μ) Aᵀ diag(π) A,
// which drops a negative semidefinite rank-one term, so H̃ ⪰ ∇²f.
//
// With m ≤ n the function is usually unbounded below; the paper's experiments therefore use the
// "zero-optimum" construction: replace every row a_i by a_i − ∇f(0), after which ∇f(0) = 0, so
// x* = 0 and f* = f(0) (f is convex).
#pragma once

#include <cstdint>

#include <Eigen/Core>

#include "descent/problems/oracle.hpp"

namespace descent::problems {

class LogSumExp : public Oracle {
 public:
  /// A is m x n (rows a_i), b has m entries, mu > 0. Throws descent::Error on bad shapes.
  LogSumExp(Eigen::MatrixXd a, Eigen::VectorXd b, double mu = 1.0);
  /// The zero-optimum variant: rows a_i − ∇f(0), so that x* = 0 and f* = f(0).
  static LogSumExp with_zero_optimum(const Eigen::MatrixXd& a, const Eigen::VectorXd& b,
                                     double mu = 1.0);

  std::string name() const override { return "logsumexp"; }
  Eigen::Index dimension() const override { return a_.cols(); }
  double value(const Eigen::VectorXd& x) const override;
  void gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const override;
  double value_and_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const override;
  void hessian(const Eigen::VectorXd& x, Eigen::MatrixXd& h) const override;
  std::vector<HessianApproximation> approximations() const override {
    return {HessianApproximation::weighted_gauss_newton};
  }

  const Eigen::MatrixXd& matrix() const noexcept { return a_; }
  const Eigen::VectorXd& offsets() const noexcept { return b_; }
  double mu() const noexcept { return mu_; }
  /// softmax((Ax − b)/μ) and f(x) in one pass (numerically stable).
  double softmax(const Eigen::VectorXd& x, Eigen::VectorXd& pi) const;

 protected:
  void approximation(const Eigen::VectorXd& x, HessianApproximation a,
                     Eigen::MatrixXd& h) const override;

 private:
  Eigen::MatrixXd a_;
  Eigen::VectorXd b_;
  double mu_;
};

/// The paper's synthetic instance: A (m x n) and b with i.i.d. U[−1, 1] entries from `seed`,
/// zero-optimum construction. Also returns the original A in `original` when not null (the
/// paper's metric is B = AᵀA of the original matrix).
LogSumExp make_random_logsumexp(Eigen::Index m, Eigen::Index n, double mu, std::uint64_t seed,
                                Eigen::MatrixXd* original = nullptr);

}  // namespace descent::problems
