// Matrix-free symmetric linear operators: the one interface every curvature algorithm runs on.
//
// A Hessian, Gauss-Newton or Fisher matrix is only ever touched through products v -> Hv, so the
// same Lanczos / SLQ / Hutchinson / power-iteration code serves dense Eigen matrices, analytic
// Jacobian products and LibTorch double-backward products (descent::curvature_torch).
#pragma once

#include <cstddef>

#include <Eigen/Core>

#include "descent/core/operator.hpp"

namespace descent::curvature {

/// A symmetric operator: descent's one LinearOperator type (descent/core/operator.hpp), whose
/// apply_transpose is not needed here. Views of matrices (gram_operator) need the matrix to
/// outlive the operator; dense_operator keeps its own copy.
using SymmetricOperator = descent::LinearOperator;
using descent::Apply;
using descent::dense_operator;
using descent::symmetric_operator;

/// G = JᵀJ / n (Gauss-Newton / empirical Fisher of a squared loss at an interpolating point) for an
/// explicit n x p Jacobian J, applied as Jᵀ(J v)/n without forming G. J must outlive the operator.
SymmetricOperator gram_operator(const Eigen::MatrixXd& jacobian);

/// A − Σ_i λ_i u_i u_iᵀ (deflation of known eigenpairs; u_i unit columns).
SymmetricOperator deflated(SymmetricOperator a, Eigen::VectorXd values, Eigen::MatrixXd vectors);

/// The dense matrix [A e_1, ..., A e_n] (n products; symmetrised). For tests and small models.
Eigen::MatrixXd materialize(const SymmetricOperator& a);

}  // namespace descent::curvature
