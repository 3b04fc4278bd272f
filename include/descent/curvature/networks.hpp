// The two networks of Wu & Su, with analytic per-sample gradients, Gauss-Newton and Hessian
// products, for exact curvature diagnostics without autograd.
//
// L. Wu, W. J. Su, "The Implicit Regularization of Dynamical Stability in Stochastic Gradient
// Descent", ICML 2023. Squared loss L(θ) = (1/2n) Σ_i (f(x_i; θ) − y_i)²; at an interpolating θ the
// Hessian equals G = (1/n) Σ_i ∇f_i ∇f_iᵀ, whose trace is exactly (1/n) Σ_i ||∇f_i||².
//
//   DiagonalLinearNet   f(x; u, v) = ⟨u ⊙ v, x⟩,          θ = [u; v]           (p = 2d)
//   TwoLayerReluNet     f(x; a, W) = Σ_k a_k σ(w_kᵀ x),   θ = [a; vec_row(W)]  (p = m + m·d)
//
// Rows of X are samples. Every method takes θ explicitly so SGD/GD drivers own the iterate.
#pragma once

#include <Eigen/Core>

#include "descent/curvature/operator.hpp"

namespace descent::curvature {

class DiagonalLinearNet {
 public:
  explicit DiagonalLinearNet(Eigen::Index d) : d_(d) {}
  Eigen::Index parameters() const noexcept { return 2 * d_; }
  Eigen::Index inputs() const noexcept { return d_; }

  Eigen::VectorXd predict(const Eigen::VectorXd& theta, const Eigen::MatrixXd& x) const;
  /// (1/2n) ||f − y||².
  double loss(const Eigen::VectorXd& theta, const Eigen::MatrixXd& x,
              const Eigen::VectorXd& y) const;
  /// ∇L; returns L.
  double gradient(const Eigen::VectorXd& theta, const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                  Eigen::VectorXd& g) const;
  /// One SGD step on sample (x_i, y_i): θ ← θ − η (f_i − y_i) ∇f_i. Returns the residual.
  double sgd_step(Eigen::VectorXd& theta, const Eigen::Ref<const Eigen::RowVectorXd>& xi, double yi,
                  double eta) const;
  /// The n x p matrix of per-sample gradients ∇f_i.
  Eigen::MatrixXd jacobian(const Eigen::VectorXd& theta, const Eigen::MatrixXd& x) const;
  /// Tr G = Σ_j c_j (u_j² + v_j²), c_j = mean_i x_ij² (closed form of (1/n) Σ ||∇f_i||²).
  double trace_gauss_newton(const Eigen::VectorXd& theta, const Eigen::MatrixXd& x) const;
  /// Hessian of L (G plus the residual term), matrix free; x, y and θ are copied.
  SymmetricOperator hessian(const Eigen::VectorXd& theta, const Eigen::MatrixXd& x,
                            const Eigen::VectorXd& y) const;
  /// The dense Hessian of L (for tests and small d).
  Eigen::MatrixXd dense_hessian(const Eigen::VectorXd& theta, const Eigen::MatrixXd& x,
                                const Eigen::VectorXd& y) const;
  /// ||u ⊙ v||_1.
  double l1_norm(const Eigen::VectorXd& theta) const;

 private:
  Eigen::Index d_;
};

class TwoLayerReluNet {
 public:
  TwoLayerReluNet(Eigen::Index d, Eigen::Index width) : d_(d), m_(width) {}
  Eigen::Index parameters() const noexcept { return m_ + m_ * d_; }
  Eigen::Index inputs() const noexcept { return d_; }
  Eigen::Index width() const noexcept { return m_; }

  Eigen::VectorXd predict(const Eigen::VectorXd& theta, const Eigen::MatrixXd& x) const;
  double loss(const Eigen::VectorXd& theta, const Eigen::MatrixXd& x,
              const Eigen::VectorXd& y) const;
  double gradient(const Eigen::VectorXd& theta, const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                  Eigen::VectorXd& g) const;
  double sgd_step(Eigen::VectorXd& theta, const Eigen::Ref<const Eigen::RowVectorXd>& xi, double yi,
                  double eta) const;
  Eigen::MatrixXd jacobian(const Eigen::VectorXd& theta, const Eigen::MatrixXd& x) const;
  /// (1/n) Σ_i ||∇f_i||² from the per-sample gradients, without forming J.
  double trace_gauss_newton(const Eigen::VectorXd& theta, const Eigen::MatrixXd& x) const;
  /// Σ_k |a_k| · ||w_k||.
  double path_norm(const Eigen::VectorXd& theta) const;

 private:
  Eigen::Index d_, m_;
};

}  // namespace descent::curvature
