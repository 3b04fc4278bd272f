// The metric B ≻ 0 of the primal norm ||h|| = sqrt(hᵀBh) and the dual norm
// ||g||_* = sqrt(gᵀB⁻¹g) used by the second-order methods of descent::newton.
//
// B is factorised once (Cholesky) so that dual norms and B⁻¹g cost one or two triangular solves;
// the identity takes a fast path with no matrix at all.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>

namespace descent::newton {

class Norm {
 public:
  /// The identity on R^n.
  explicit Norm(Eigen::Index n);
  /// B given densely; an empty matrix means the identity on R^n. Throws descent::Error if B is
  /// not n x n, not symmetric or not positive definite.
  Norm(const Eigen::MatrixXd& b, Eigen::Index n);

  bool is_identity() const noexcept { return identity_; }
  Eigen::Index size() const noexcept { return n_; }
  /// B itself (empty for the identity).
  const Eigen::MatrixXd& matrix() const noexcept { return b_; }

  double norm_squared(const Eigen::VectorXd& h) const;       ///< hᵀBh
  double dual_norm_squared(const Eigen::VectorXd& g) const;  ///< gᵀB⁻¹g
  double dual_norm(const Eigen::VectorXd& g) const;
  /// B⁻¹g.
  Eigen::VectorXd solve(const Eigen::VectorXd& g) const;
  /// a += lambda * B.
  void add_scaled_to(Eigen::MatrixXd& a, double lambda) const;

 private:
  Eigen::Index n_;
  bool identity_;
  Eigen::MatrixXd b_;
  Eigen::LLT<Eigen::MatrixXd> llt_;
};

}  // namespace descent::newton
