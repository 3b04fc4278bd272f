#include "descent/problems/nonlinear_equations.hpp"

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"

namespace descent::problems {

// ----- Residual defaults ------------------------------------------------------------------------

void Residual::jacobian_transpose_times(const Eigen::VectorXd& x, const Eigen::VectorXd& w,
                                        Eigen::VectorXd& out) const {
  Eigen::MatrixXd j;
  jacobian(x, j);
  out.noalias() = j.transpose() * w;
}

void Residual::gauss_newton(const Eigen::VectorXd& x, Eigen::MatrixXd& h) const {
  Eigen::MatrixXd j;
  jacobian(x, j);
  h.noalias() = j.transpose() * j;
}

void Residual::add_curvature(const Eigen::VectorXd&, const Eigen::VectorXd&, double,
                             Eigen::MatrixXd&) const {}

// ----- Linear -----------------------------------------------------------------------------------

LinearResidual::LinearResidual(Eigen::MatrixXd a, Eigen::VectorXd b)
    : a_(std::move(a)), b_(std::move(b)) {
  if (a_.rows() != b_.size() || a_.size() == 0)
    throw Error("LinearResidual: A is " + std::to_string(a_.rows()) + " x " +
                std::to_string(a_.cols()) + " but b has " + std::to_string(b_.size()) + " entries");
  ata_.noalias() = a_.transpose() * a_;  // constant: computed once
}

void LinearResidual::residual(const Eigen::VectorXd& x, Eigen::VectorXd& u) const {
  u.noalias() = a_ * x;
  u -= b_;
}
void LinearResidual::jacobian(const Eigen::VectorXd&, Eigen::MatrixXd& j) const {
  j = a_;
}
void LinearResidual::jacobian_transpose_times(const Eigen::VectorXd&, const Eigen::VectorXd& w,
                                              Eigen::VectorXd& out) const {
  out.noalias() = a_.transpose() * w;
}
void LinearResidual::gauss_newton(const Eigen::VectorXd&, Eigen::MatrixXd& h) const {
  h = ata_;
}

// ----- Chebyshev chain --------------------------------------------------------------------------

ChebyshevResidual::ChebyshevResidual(Eigen::Index n) : n_(n) {
  if (n < 1) throw Error("ChebyshevResidual: n must be >= 1");
}

void ChebyshevResidual::residual(const Eigen::VectorXd& x, Eigen::VectorXd& u) const {
  u.resize(n_);
  u[0] = 0.5 * (1.0 - x[0]);
  for (Eigen::Index i = 1; i < n_; ++i) u[i] = x[i] - (2.0 * x[i - 1] * x[i - 1] - 1.0);
}

void ChebyshevResidual::jacobian(const Eigen::VectorXd& x, Eigen::MatrixXd& j) const {
  j.setZero(n_, n_);
  j(0, 0) = -0.5;
  for (Eigen::Index i = 1; i < n_; ++i) {
    j(i, i) = 1.0;
    j(i, i - 1) = -4.0 * x[i - 1];
  }
}

void ChebyshevResidual::jacobian_transpose_times(const Eigen::VectorXd& x, const Eigen::VectorXd& w,
                                                 Eigen::VectorXd& out) const {
  // Column k of J has J(k, k) and J(k + 1, k) = −4 x_k.
  out.resize(n_);
  out[0] = -0.5 * w[0];
  for (Eigen::Index k = 1; k < n_; ++k) out[k] = w[k];
  for (Eigen::Index k = 0; k + 1 < n_; ++k) out[k] += -4.0 * x[k] * w[k + 1];
}

void ChebyshevResidual::gauss_newton(const Eigen::VectorXd& x, Eigen::MatrixXd& h) const {
  // JᵀJ is tridiagonal: (JᵀJ)_kk = J_kk² + J_{k+1,k}², (JᵀJ)_{k,k+1} = J_{k+1,k} J_{k+1,k+1}.
  h.setZero(n_, n_);
  for (Eigen::Index k = 0; k < n_; ++k) {
    const double diag = k == 0 ? 0.25 : 1.0;
    const double below = k + 1 < n_ ? -4.0 * x[k] : 0.0;
    h(k, k) = diag + below * below;
    if (k + 1 < n_) h(k, k + 1) = h(k + 1, k) = below;
  }
}

void ChebyshevResidual::add_curvature(const Eigen::VectorXd&, const Eigen::VectorXd& w,
                                      double scale, Eigen::MatrixXd& h) const {
  // ∇²u_i = −4 e_{i−1} e_{i−1}ᵀ for i >= 2 (0-based: i >= 1).
  for (Eigen::Index i = 1; i < n_; ++i) h(i - 1, i - 1) += scale * -4.0 * w[i];
}

// ----- Rosenbrock -------------------------------------------------------------------------------

void RosenbrockResidual::residual(const Eigen::VectorXd& x, Eigen::VectorXd& u) const {
  u.resize(2);
  u << 1.0 - x[0], 10.0 * (x[1] - x[0] * x[0]);
}
void RosenbrockResidual::jacobian(const Eigen::VectorXd& x, Eigen::MatrixXd& j) const {
  j.resize(2, 2);
  j << -1.0, 0.0, -20.0 * x[0], 10.0;
}
void RosenbrockResidual::add_curvature(const Eigen::VectorXd&, const Eigen::VectorXd& w,
                                       double scale, Eigen::MatrixXd& h) const {
  h(0, 0) += scale * -20.0 * w[1];  // ∇²u_2 = −20 e_1 e_1ᵀ
}

// ----- f = (1/p)||u||^p --------------------------------------------------------------------------

NonlinearEquations::NonlinearEquations(std::shared_ptr<const Residual> u, double p)
    : u_(std::move(u)), p_(p) {
  if (!u_) throw Error("NonlinearEquations: residual is null");
  if (!(p_ >= 2.0) || !std::isfinite(p_))
    throw Error("NonlinearEquations: p must be a finite number >= 2");
}

double NonlinearEquations::value(const Eigen::VectorXd& x) const {
  check_dimension(x, "value");
  Eigen::VectorXd u;
  u_->residual(x, u);
  return std::pow(u.norm(), p_) / p_;
}

void NonlinearEquations::gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const {
  value_and_gradient(x, g);
}

double NonlinearEquations::value_and_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const {
  check_dimension(x, "gradient");
  Eigen::VectorXd u;
  u_->residual(x, u);
  const double r = u.norm();
  u_->jacobian_transpose_times(x, u, g);
  g *= p_ == 2.0 ? 1.0 : std::pow(r, p_ - 2.0);
  return std::pow(r, p_) / p_;
}

void NonlinearEquations::fisher(const Eigen::VectorXd& x, const Eigen::VectorXd& u,
                                RankOne& r) const {
  const double norm = u.norm();
  u_->jacobian_transpose_times(x, u, r.v);
  // (p−2)||u||^{p−4}: zero for p = 2 and, explicitly, at u = 0 (the term vanishes there for
  // every p > 2 because ||Jᵀu||² <= ||J||² ||u||²).
  r.alpha = (p_ == 2.0 || norm == 0.0) ? 0.0 : (p_ - 2.0) * std::pow(norm, p_ - 4.0);
}

void NonlinearEquations::hessian(const Eigen::VectorXd& x, Eigen::MatrixXd& h) const {
  check_dimension(x, "hessian");
  Eigen::VectorXd u;
  u_->residual(x, u);
  const double norm = u.norm();
  u_->gauss_newton(x, h);
  if (norm == 0.0) {
    if (p_ != 2.0) h.setZero();  // every term carries a positive power of ||u||
    return;
  }
  u_->add_curvature(x, u, 1.0, h);
  if (p_ != 2.0) h *= std::pow(norm, p_ - 2.0);
  RankOne r;
  fisher(x, u, r);
  if (r.alpha != 0.0) h.noalias() += r.alpha * (r.v * r.v.transpose());
}

void NonlinearEquations::approximation(const Eigen::VectorXd& x, HessianApproximation a,
                                       Eigen::MatrixXd& h) const {
  check_dimension(x, "approximate_hessian");
  Eigen::VectorXd u;
  u_->residual(x, u);
  const double norm = u.norm();
  RankOne r;
  fisher(x, u, r);
  if (a == HessianApproximation::fisher) {
    h.noalias() = r.alpha * (r.v * r.v.transpose());
    return;
  }
  // gn-fisher: ||u||^{p−2} JᵀJ + Fisher; at u = 0 it is JᵀJ for p = 2 and 0 otherwise.
  u_->gauss_newton(x, h);
  if (norm == 0.0) {
    if (p_ != 2.0) h.setZero();
    return;
  }
  if (p_ != 2.0) h *= std::pow(norm, p_ - 2.0);
  if (r.alpha != 0.0) h.noalias() += r.alpha * (r.v * r.v.transpose());
}

bool NonlinearEquations::rank_one(const Eigen::VectorXd& x, HessianApproximation a,
                                  RankOne& r) const {
  if (a != HessianApproximation::fisher) return false;
  check_dimension(x, "rank_one");
  Eigen::VectorXd u;
  u_->residual(x, u);
  fisher(x, u, r);
  return true;
}

NonlinearEquations make_linear_equations(Eigen::Index m, Eigen::Index n, double p,
                                         std::uint64_t seed) {
  if (m <= 0 || n <= 0) throw Error("make_linear_equations: m and n must be > 0");
  Rng rng = make_rng(seed, {0x71e});
  Eigen::MatrixXd a = uniform_matrix(rng, m, n, -1.0, 1.0);
  Eigen::VectorXd b = uniform_vector(rng, m, -1.0, 1.0);
  return NonlinearEquations(std::make_shared<LinearResidual>(std::move(a), std::move(b)), p);
}

NonlinearEquations make_chebyshev(Eigen::Index n, double p) {
  return NonlinearEquations(std::make_shared<ChebyshevResidual>(n), p);
}

NonlinearEquations make_rosenbrock_equations(double p) {
  return NonlinearEquations(std::make_shared<RosenbrockResidual>(), p);
}

}  // namespace descent::problems
