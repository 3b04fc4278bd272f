// Matrix-free symmetric linear operators: the one interface every curvature algorithm runs on.
//
// A Hessian, Gauss-Newton or Fisher matrix is only ever touched through products v -> Hv, so the
// same Lanczos / SLQ / Hutchinson / power-iteration code serves dense Eigen matrices, analytic
// Jacobian products and LibTorch double-backward products (descent::curvature_torch).
#pragma once

#include <cstddef>
#include <functional>
#include <span>

#include <Eigen/Core>

namespace descent::curvature {

/// out = A v for a symmetric A. `out` has the size of `v` and never aliases it.
using Apply = std::function<void(std::span<const double> v, std::span<double> out)>;

struct SymmetricOperator {
  Eigen::Index dim = 0;
  Apply apply;

  /// Convenience: returns A v (allocates).
  Eigen::VectorXd operator()(const Eigen::VectorXd& v) const;
};

/// A view of a dense symmetric matrix as an operator (the matrix must outlive the operator).
SymmetricOperator dense_operator(const Eigen::MatrixXd& a);

/// G = JᵀJ / n (Gauss-Newton / empirical Fisher of a squared loss at an interpolating point) for an
/// explicit n x p Jacobian J, applied as Jᵀ(J v)/n without forming G. J must outlive the operator.
SymmetricOperator gram_operator(const Eigen::MatrixXd& jacobian);

/// A − Σ_i λ_i u_i u_iᵀ (deflation of known eigenpairs; u_i unit columns).
SymmetricOperator deflated(SymmetricOperator a, Eigen::VectorXd values, Eigen::MatrixXd vectors);

/// The dense matrix [A e_1, ..., A e_n] (n products; symmetrised). For tests and small models.
Eigen::MatrixXd materialize(const SymmetricOperator& a);

}  // namespace descent::curvature
