// Nonlinear equations in the p-th power norm: f(x) = (1/p) ||u(x)||^p, p >= 2.
//
// From A. Semenov, M. Jaggi, N. Doikov, "Gradient-Normalized Smoothness for Optimization with
// Approximate Hessians", arXiv:2506.13710, 2025 (ICLR 2026), section on non-convex problems.
//   ∇f  = ||u||^{p−2} Jᵀu
//   ∇²f = ||u||^{p−2} (JᵀJ + Σ_i u_i ∇²u_i) + (p−2) ||u||^{p−4} (Jᵀu)(Jᵀu)ᵀ
// Approximations offered:
//   fisher     (p−2) ||u||^{p−4} (Jᵀu)(Jᵀu)ᵀ — rank one, zero for p = 2 (then the GNS step is a
//              scaled gradient step); exposed through rank_one() for Sherman–Morrison solves.
//   gn-fisher  ||u||^{p−2} JᵀJ + the Fisher term (the paper's "inexact Hessian").
// The branch u = 0 is handled explicitly (no division by ||u||): there ∇²f = JᵀJ for p = 2
// and 0 for p > 2, and the approximations follow the same rule.
// The residual-curvature coefficient is ||u||^{p−2}; the reference code's older
// NonlinearEquationsOracle multiplies it by an extra p/||u||², which we treat as a bug.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <Eigen/Core>

#include "descent/problems/oracle.hpp"

namespace descent::problems {

/// A smooth residual map u: R^n -> R^m.
class Residual {
 public:
  virtual ~Residual() = default;
  virtual std::string name() const = 0;
  virtual Eigen::Index inputs() const = 0;   ///< n
  virtual Eigen::Index outputs() const = 0;  ///< m
  virtual void residual(const Eigen::VectorXd& x, Eigen::VectorXd& u) const = 0;
  /// The dense m x n Jacobian.
  virtual void jacobian(const Eigen::VectorXd& x, Eigen::MatrixXd& j) const = 0;
  /// out = J(x)ᵀ w. Default: through jacobian(); override for structured J.
  virtual void jacobian_transpose_times(const Eigen::VectorXd& x, const Eigen::VectorXd& w,
                                        Eigen::VectorXd& out) const;
  /// h = J(x)ᵀ J(x) (n x n). Default: through jacobian(); override for structured J.
  virtual void gauss_newton(const Eigen::VectorXd& x, Eigen::MatrixXd& h) const;
  /// h += scale * Σ_i w_i ∇²u_i(x). Default: nothing (a linear residual).
  virtual void add_curvature(const Eigen::VectorXd& x, const Eigen::VectorXd& w, double scale,
                             Eigen::MatrixXd& h) const;
};

/// u(x) = A x − b.
class LinearResidual : public Residual {
 public:
  LinearResidual(Eigen::MatrixXd a, Eigen::VectorXd b);
  std::string name() const override { return "linear"; }
  Eigen::Index inputs() const override { return a_.cols(); }
  Eigen::Index outputs() const override { return a_.rows(); }
  void residual(const Eigen::VectorXd& x, Eigen::VectorXd& u) const override;
  void jacobian(const Eigen::VectorXd& x, Eigen::MatrixXd& j) const override;
  void jacobian_transpose_times(const Eigen::VectorXd& x, const Eigen::VectorXd& w,
                                Eigen::VectorXd& out) const override;
  void gauss_newton(const Eigen::VectorXd& x, Eigen::MatrixXd& h) const override;
  const Eigen::MatrixXd& matrix() const noexcept { return a_; }
  const Eigen::VectorXd& rhs() const noexcept { return b_; }

 private:
  Eigen::MatrixXd a_, ata_;
  Eigen::VectorXd b_;
};

/// Nesterov's Chebyshev chain: u_1 = (1 − x_1)/2, u_i = x_i − (2 x_{i−1}² − 1) for i >= 2.
/// x* = (1, ..., 1), f* = 0. The Jacobian is bidiagonal, so JᵀJ and Jᵀw cost O(n).
class ChebyshevResidual : public Residual {
 public:
  explicit ChebyshevResidual(Eigen::Index n);
  std::string name() const override { return "chebyshev"; }
  Eigen::Index inputs() const override { return n_; }
  Eigen::Index outputs() const override { return n_; }
  void residual(const Eigen::VectorXd& x, Eigen::VectorXd& u) const override;
  void jacobian(const Eigen::VectorXd& x, Eigen::MatrixXd& j) const override;
  void jacobian_transpose_times(const Eigen::VectorXd& x, const Eigen::VectorXd& w,
                                Eigen::VectorXd& out) const override;
  void gauss_newton(const Eigen::VectorXd& x, Eigen::MatrixXd& h) const override;
  void add_curvature(const Eigen::VectorXd& x, const Eigen::VectorXd& w, double scale,
                     Eigen::MatrixXd& h) const override;

 private:
  Eigen::Index n_;
};

/// Rosenbrock as equations: u = (1 − x_1, 10 (x_2 − x_1²)); x* = (1, 1), f* = 0.
class RosenbrockResidual : public Residual {
 public:
  std::string name() const override { return "rosenbrock"; }
  Eigen::Index inputs() const override { return 2; }
  Eigen::Index outputs() const override { return 2; }
  void residual(const Eigen::VectorXd& x, Eigen::VectorXd& u) const override;
  void jacobian(const Eigen::VectorXd& x, Eigen::MatrixXd& j) const override;
  void add_curvature(const Eigen::VectorXd& x, const Eigen::VectorXd& w, double scale,
                     Eigen::MatrixXd& h) const override;
};

/// f(x) = (1/p) ||u(x)||^p for a residual u and p >= 2.
class NonlinearEquations : public Oracle {
 public:
  /// Throws descent::Error if p < 2 or the residual is null.
  NonlinearEquations(std::shared_ptr<const Residual> u, double p);

  std::string name() const override { return "nle-" + u_->name(); }
  Eigen::Index dimension() const override { return u_->inputs(); }
  double value(const Eigen::VectorXd& x) const override;
  void gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const override;
  double value_and_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const override;
  void hessian(const Eigen::VectorXd& x, Eigen::MatrixXd& h) const override;
  std::vector<HessianApproximation> approximations() const override {
    return {HessianApproximation::fisher, HessianApproximation::gauss_newton_fisher};
  }
  bool rank_one(const Eigen::VectorXd& x, HessianApproximation a, RankOne& r) const override;

  double power() const noexcept { return p_; }
  const Residual& residual() const noexcept { return *u_; }

 protected:
  void approximation(const Eigen::VectorXd& x, HessianApproximation a,
                     Eigen::MatrixXd& h) const override;

 private:
  // The Fisher term (p−2)||u||^{p−4} vvᵀ with v = Jᵀu, as (alpha, v).
  void fisher(const Eigen::VectorXd& x, const Eigen::VectorXd& u, RankOne& r) const;
  std::shared_ptr<const Residual> u_;
  double p_;
};

/// The paper's linear-equations instance: A (m x n) and b with i.i.d. U[−1, 1] entries.
/// With m < n the system is consistent, so f* = 0.
NonlinearEquations make_linear_equations(Eigen::Index m, Eigen::Index n, double p,
                                         std::uint64_t seed);
NonlinearEquations make_chebyshev(Eigen::Index n, double p);
NonlinearEquations make_rosenbrock_equations(double p);

}  // namespace descent::problems
