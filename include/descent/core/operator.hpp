// Linear operators known through their products: the one operator type of descent.
//
// Hessians, Gauss-Newton and Fisher matrices, implicit-differentiation Jacobians and Newton
// systems are only ever touched through v -> A v (and sometimes v -> Aᵀ v), so the Krylov core
// (descent/core/krylov.hpp), curvature's Lanczos/SLQ/Hutchinson and implicit's linear solvers
// all take a LinearOperator. Products write into caller-owned spans and never allocate in the
// operator type itself.
#pragma once

#include <cstddef>
#include <functional>
#include <span>

#include <Eigen/Core>

namespace descent {

/// out = A v. `out` has the operator's size and never aliases `v`.
using Apply = std::function<void(std::span<const double> v, std::span<double> out)>;

struct LinearOperator {
  Eigen::Index dim = 0;
  Apply apply;            ///< v -> A v
  Apply apply_transpose;  ///< v -> Aᵀ v; empty when not available (set it equal to apply
                          ///< for a symmetric A when a method needs both)

  /// A v (allocates). Throws descent::Error if apply is not set.
  Eigen::VectorXd operator()(const Eigen::VectorXd& v) const;
  /// Aᵀ v (allocates). Throws descent::Error if apply_transpose is not set.
  Eigen::VectorXd transpose_times(const Eigen::VectorXd& v) const;
  /// The transposed operator (both products must be set).
  LinearOperator transposed() const;
};

/// A symmetric operator: apply_transpose is apply (Aᵀ = A).
LinearOperator symmetric_operator(Eigen::Index dim, Apply apply);

/// Products written as functions returning vectors (autodiff callbacks, closures over a model);
/// `apply_transpose` may be empty.
LinearOperator make_operator(
    Eigen::Index dim, std::function<Eigen::VectorXd(const Eigen::VectorXd&)> apply,
    std::function<Eigen::VectorXd(const Eigen::VectorXd&)> apply_transpose = {});

/// A dense square matrix as an operator with both products. The operator keeps its own copy of
/// the matrix (shared between copies of the operator), so a temporary may be passed.
LinearOperator dense_operator(Eigen::MatrixXd a);

/// The dense matrix [A e_1, ..., A e_n] (n products). For tests and small systems.
Eigen::MatrixXd to_dense(const LinearOperator& a);

}  // namespace descent
