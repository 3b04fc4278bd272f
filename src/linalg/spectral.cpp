#include "descent/linalg/spectral.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <Eigen/Dense>
#include <Eigen/Eigenvalues>

#include "descent/core/error.hpp"
#include "descent/core/krylov.hpp"
#include "descent/core/options.hpp"
#include "descent/core/rng.hpp"

namespace descent::linalg {

namespace {

double dense_jacobi_radius(const SparseMatrix& a, const std::vector<int>& diag) {
  const Eigen::Index n = a.rows();
  if (is_symmetric(a)) {
    // Similar to the symmetric I - D^{-1/2} A D^{-1/2}: real spectrum.
    Eigen::VectorXd s(n);
    for (Eigen::Index i = 0; i < n; ++i)
      s[i] = std::sqrt(a.valuePtr()[diag[static_cast<std::size_t>(i)]]);
    Eigen::MatrixXd sym = -Eigen::MatrixXd(a);
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index k = 0; k < n; ++k) sym(i, k) /= s[i] * s[k];
    sym.diagonal().array() += 1.0;
    return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(sym, Eigen::EigenvaluesOnly)
        .eigenvalues()
        .cwiseAbs()
        .maxCoeff();
  }
  Eigen::MatrixXd j = -Eigen::MatrixXd(a);
  for (Eigen::Index i = 0; i < n; ++i) {
    j.row(i) /= a.valuePtr()[diag[static_cast<std::size_t>(i)]];
    j(i, i) += 1.0;
  }
  return Eigen::EigenSolver<Eigen::MatrixXd>(j, false).eigenvalues().cwiseAbs().maxCoeff();
}

// Lanczos (no reorthogonalisation: extreme Ritz values are unaffected by the loss of
// orthogonality) on S = D^{-1/2} A D^{-1/2}; rho(I - S) = max(|1 - lmin|, |1 - lmax|).
double lanczos_jacobi_radius(const SparseMatrix& a, const std::vector<int>& diag,
                             const SpectralOptions& o) {
  const Eigen::Index n = a.rows();
  const CsrView view = make_view(a, diag);
  Vector scale(n);
  for (Eigen::Index i = 0; i < n; ++i)
    scale[i] = 1.0 / std::sqrt(a.valuePtr()[diag[static_cast<std::size_t>(i)]]);
  Rng rng = make_rng(o.seed, {0x1a2c05});
  Vector v = normal_vector(rng, n);
  v.normalize();
  Vector tmp(n);
  double lmin = 0, lmax = 0;
  // Every 10 steps (and at the end): the extreme Ritz values and their residuals
  // |β_k · (last component of the eigenvector)|; stop once both are below the tolerance.
  auto converged = [&](const krylov::Tridiagonal& t, double bk, bool last) {
    if (!last && t.steps() % 10 != 0) return false;
    const auto m = static_cast<Eigen::Index>(t.steps());
    Eigen::VectorXd diag_t = Eigen::Map<const Eigen::VectorXd>(t.alpha.data(), m);
    Eigen::VectorXd sub =
        m > 1 ? Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(t.beta.data(), m - 1))
              : Eigen::VectorXd();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es;
    es.computeFromTridiagonal(diag_t, sub, Eigen::ComputeEigenvectors);
    lmin = es.eigenvalues()[0];
    lmax = es.eigenvalues()[m - 1];
    const double res_min = std::abs(bk * es.eigenvectors()(m - 1, 0));
    const double res_max = std::abs(bk * es.eigenvectors()(m - 1, m - 1));
    return std::max(res_min, res_max) <= o.tolerance;
  };
  krylov::LanczosControl control;
  control.reorthogonalize = false;
  control.breakdown_tolerance = 0.0;  // stop only at an exactly invariant subspace
  const krylov::Tridiagonal t = krylov::lanczos(
      [&](const Vector& q, Vector& w) {
        tmp = scale.cwiseProduct(q);
        multiply(view, tmp.data(), w.data());
        w = scale.cwiseProduct(w);
      },
      std::move(v), o.max_lanczos_steps, control, converged);
  if (!t.finite) throw Error("jacobi_spectral_radius: a product with the matrix is not finite");
  return std::max(std::abs(1.0 - lmin), std::abs(lmax - 1.0));
}

}  // namespace

double jacobi_spectral_radius(const SparseMatrix& a, const SpectralOptions& options) {
  const std::vector<int> diag = diagonal_positions(a);
  if (a.rows() <= options.dense_limit) return dense_jacobi_radius(a, diag);
  if (!is_symmetric(a))
    throw Error("jacobi_spectral_radius: matrices above dense_limit = " +
                std::to_string(options.dense_limit) + " must be symmetric (Lanczos)");
  return lanczos_jacobi_radius(a, diag, options);
}

double optimal_sor_omega(double beta) {
  if (!(beta >= 0.0 && beta < 1.0))
    throw Error("optimal omega needs a Jacobi spectral radius in [0, 1), got " + check::show(beta) +
                " (Jacobi does not converge, so Young's formula does not apply)");
  const double q = beta / (1.0 + std::sqrt(1.0 - beta * beta));
  return 1.0 + q * q;
}

double optimal_sor_omega(const SparseMatrix& a, const SpectralOptions& options) {
  return optimal_sor_omega(jacobi_spectral_radius(a, options));
}

double sor_spectral_radius(const SparseMatrix& a, double omega) {
  if (a.rows() > 3000) throw Error("sor_spectral_radius: dense; at most 3000 unknowns");
  const std::vector<int> diag = diagonal_positions(a);
  const Eigen::MatrixXd dense(a);
  Eigen::MatrixXd w = dense.triangularView<Eigen::StrictlyLower>();
  w.diagonal() = dense.diagonal() / omega;
  // C = I - A W^{-1}; its spectrum equals that of I - W^{-1} A (similar matrices).
  const Eigen::MatrixXd winv_a = w.triangularView<Eigen::Lower>().solve(dense);
  const Eigen::MatrixXd c = Eigen::MatrixXd::Identity(a.rows(), a.cols()) - winv_a;
  return Eigen::EigenSolver<Eigen::MatrixXd>(c, false).eigenvalues().cwiseAbs().maxCoeff();
}

}  // namespace descent::linalg
