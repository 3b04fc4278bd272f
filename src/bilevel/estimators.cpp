#include "descent/bilevel/estimators.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>

#include "descent/core/error.hpp"
#include "descent/core/numerics.hpp"

namespace descent::bilevel {

double msvr_theory_gamma(std::size_t blocks, std::size_t sampled, double alpha) {
  if (sampled >= blocks || alpha >= 1.0) return 0.0;
  return double(blocks - sampled) / (double(sampled) * (1.0 - alpha));
}

double normalized_step(Eigen::VectorXd& x, const Eigen::VectorXd& m, double eta) {
  const double n = m.norm();
  if (!(n > 0)) return 0.0;
  x -= (eta / n) * m;
  return eta;
}

void project_min_eigenvalue(Eigen::MatrixXd& h, double lambda_lb) {
  const Eigen::MatrixXd sym = 0.5 * (h + h.transpose());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(sym);
  const Eigen::VectorXd lam = es.eigenvalues().cwiseMax(lambda_lb);
  h = es.eigenvectors() * lam.asDiagonal() * es.eigenvectors().transpose();
}

void project_ball(Eigen::VectorXd& v, double radius) {
  project_to_ball(std::span<double>(v.data(), std::size_t(v.size())), radius);
}

double project_halfspaces(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, Eigen::VectorXd& v,
                          Eigen::VectorXd& mu, const HildrethOptions& options) {
  if (a.cols() != v.size() || a.rows() != b.size())
    throw Error("project_halfspaces: A, b and v sizes do not match");
  if (mu.size() != a.rows()) mu = Eigen::VectorXd::Zero(a.rows());
  const Eigen::VectorXd sq = a.rowwise().squaredNorm();
  // Hildreth keeps u = v − Aᵀμ with μ ≥ 0 and raises/lowers one μ_i at a time.
  Eigen::VectorXd u = v - a.transpose() * mu;
  double worst = 0.0;
  for (std::size_t sweep = 0; sweep < options.max_sweeps; ++sweep) {
    worst = 0.0;
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      if (sq(i) == 0) continue;
      const double r = a.row(i).dot(u) - b(i);
      worst = std::max(worst, r);
      const double delta = std::max(-mu(i), r / sq(i));
      if (delta != 0.0) {
        mu(i) += delta;
        u.noalias() -= delta * a.row(i).transpose();
      }
    }
    if (worst <= options.tolerance) break;
  }
  v = u;
  return worst;
}

AffineProjector::AffineProjector(Eigen::MatrixXd a, Eigen::VectorXd b)
    : a_(std::move(a)), b_(std::move(b)) {
  if (a_.rows() != b_.size()) throw Error("AffineProjector: A and b sizes do not match");
  pinv_ = a_.transpose() *
          Eigen::MatrixXd(a_ * a_.transpose()).completeOrthogonalDecomposition().pseudoInverse();
}

void AffineProjector::apply(Eigen::VectorXd& u) const {
  u -= pinv_ * (a_ * u - b_);
}

bool all_finite(const Eigen::VectorXd& v, double limit) {
  for (Eigen::Index i = 0; i < v.size(); ++i)
    if (!std::isfinite(v(i)) || std::abs(v(i)) > limit) return false;
  return true;
}

}  // namespace descent::bilevel
