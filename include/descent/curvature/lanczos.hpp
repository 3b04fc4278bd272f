// Lanczos tridiagonalisation of a symmetric operator with full re-orthogonalisation.
//
// C. Lanczos, "An iteration method for the solution of the eigenvalue problem of linear
// differential and integral operators", J. Res. Nat. Bur. Standards 45, 1950; used for neural-net
// Hessians by Ghorbani, Krishnan, Xiao (ICML 2019) and Granziol, Zohren, Roberts (JMLR 2022).
//
// m steps build an orthonormal Krylov basis Q_m and the tridiagonal T_m = Q_mᵀ A Q_m. The Ritz
// values (eigenvalues of T_m) converge first at the ends of the spectrum, which is why 10–20
// products give λ_max of a small network to machine precision. Without re-orthogonalisation the
// basis loses orthogonality and "ghost" copies of converged eigenvalues appear; we re-orthogonalise
// every new vector against the whole basis twice (classical Gram–Schmidt, "twice is enough"),
// which costs O(m² n) and is cheap for m ≤ a few hundred.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include <Eigen/Core>

#include "descent/core/status.hpp"
#include "descent/curvature/operator.hpp"

namespace descent::curvature {

struct LanczosOptions {
  /// Number of Lanczos steps m (operator products); capped at the dimension. Default 20.
  std::size_t steps = 20;
  /// Re-orthogonalise against all previous vectors (recommended; default true).
  bool full_reorthogonalization = true;
  /// Stop early ("invariant subspace found") when β_j < tolerance·|T|. Default 1e-12.
  double breakdown_tolerance = 1e-12;
  /// Also return the Ritz vectors Q_m Y (n x m; costs n·m² flops). Default false.
  bool ritz_vectors = false;
  /// Seed of the random start vector (Rademacher, normalised) when none is given. Default 0.
  std::uint64_t seed = 0;

  void validate() const;
};

struct LanczosResult {
  Status status = Status::failed;  ///< converged (m steps or invariant subspace) or diverged
  std::size_t steps = 0;           ///< m actually taken
  Eigen::VectorXd alpha;           ///< diagonal of T (m)
  Eigen::VectorXd beta;            ///< off-diagonal of T (m − 1)
  Eigen::VectorXd ritz_values;     ///< eigenvalues of T, ascending
  /// SLQ quadrature weights τ_j = (e_1ᵀ y_j)² (sum to 1): the spectral measure of the start vector.
  Eigen::VectorXd weights;
  /// |β_m · e_mᵀ y_j|: the residual norm ||A u_j − θ_j u_j|| of each Ritz pair (a posteriori
  /// bound).
  Eigen::VectorXd residuals;
  Eigen::MatrixXd ritz_vectors;  ///< n x m, columns matching ritz_values (if asked)

  double lambda_max() const { return ritz_values.size() ? ritz_values(ritz_values.size() - 1) : 0; }
  double lambda_min() const { return ritz_values.size() ? ritz_values(0) : 0; }
};

/// Runs Lanczos from `start` (normalised internally) or from a seeded Rademacher vector. A
/// non-finite product ends the run with Status::diverged and NaN Ritz values.
LanczosResult lanczos(const SymmetricOperator& a, const LanczosOptions& options = {},
                      const std::optional<Eigen::VectorXd>& start = std::nullopt);

}  // namespace descent::curvature
