#include "descent/newton/norm.hpp"

#include <cmath>

#include "descent/core/error.hpp"

namespace descent::newton {

Norm::Norm(Eigen::Index n) : n_(n), identity_(true) {}

Norm::Norm(const Eigen::MatrixXd& b, Eigen::Index n) : n_(n), identity_(b.size() == 0) {
  if (identity_) return;
  if (b.rows() != n || b.cols() != n)
    throw Error("metric B is " + std::to_string(b.rows()) + " x " + std::to_string(b.cols()) +
                ", expected " + std::to_string(n) + " x " + std::to_string(n));
  const double scale = std::max(1.0, b.cwiseAbs().maxCoeff());
  if (!b.allFinite() || (b - b.transpose()).cwiseAbs().maxCoeff() > 1e-12 * scale)
    throw Error("metric B must be finite and symmetric");
  b_ = b;
  llt_.compute(b_);
  if (llt_.info() != Eigen::Success)
    throw Error("metric B is not positive definite (Cholesky failed)");
}

double Norm::norm_squared(const Eigen::VectorXd& h) const {
  return identity_ ? h.squaredNorm() : h.dot(b_ * h);
}

double Norm::dual_norm_squared(const Eigen::VectorXd& g) const {
  if (identity_) return g.squaredNorm();
  // gᵀB⁻¹g = ||L⁻¹g||² with B = LLᵀ: one triangular solve.
  return llt_.matrixL().solve(g).squaredNorm();
}

double Norm::dual_norm(const Eigen::VectorXd& g) const {
  return std::sqrt(dual_norm_squared(g));
}

Eigen::VectorXd Norm::solve(const Eigen::VectorXd& g) const {
  return identity_ ? g : Eigen::VectorXd(llt_.solve(g));
}

void Norm::add_scaled_to(Eigen::MatrixXd& a, double lambda) const {
  if (identity_)
    a.diagonal().array() += lambda;
  else
    a += lambda * b_;
}

}  // namespace descent::newton
