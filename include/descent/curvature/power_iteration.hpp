// Power iteration with deflation: the top-k eigenpairs (by magnitude) of a symmetric operator.
//
// The method PyHessian and hessian-eigenthings use for λ_max of network Hessians. It converges at
// rate |λ_2/λ_1| per product, so Lanczos (lanczos.hpp) is far cheaper for the same accuracy; power
// iteration is kept as the simple, widely used baseline. After each converged pair the operator
// is deflated, A ← A − λ u uᵀ, and the next pair is found the same way.
#pragma once

#include <cstddef>
#include <cstdint>

#include <Eigen/Core>

#include "descent/core/status.hpp"
#include "descent/curvature/operator.hpp"

namespace descent::curvature {

struct PowerIterationOptions {
  std::size_t top_k = 1;              ///< eigenpairs wanted (default 1)
  std::size_t max_iterations = 1000;  ///< products per eigenpair (default 1000)
  /// Stop a pair once |λ_t − λ_{t−1}| ≤ tolerance·|λ_t| (default 1e-10).
  double tolerance = 1e-10;
  std::uint64_t seed = 0;  ///< start vectors: make_rng(seed, {k})
  void validate() const;
};

struct EigenPairs {
  /// converged if every pair met the tolerance, max_iterations otherwise, diverged on NaN.
  Status status = Status::failed;
  Eigen::VectorXd values;   ///< in the order found (decreasing |λ| for well separated spectra)
  Eigen::MatrixXd vectors;  ///< n x k, unit columns
  std::size_t products = 0;
};

EigenPairs power_iteration(const SymmetricOperator& a, const PowerIterationOptions& options = {});

}  // namespace descent::curvature
