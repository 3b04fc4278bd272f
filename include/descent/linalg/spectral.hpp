// The Jacobi spectral radius and the instance-optimal SOR relaxation weight.
//
// For consistently ordered matrices (e.g. 5-/7-point Laplacians in natural order) with Jacobi
// spectral radius beta = rho(I - D^{-1} A) < 1, Young's theorem gives the omega minimising the
// asymptotic SOR rate rho(C_omega):
//   omega* = 1 + beta^2 / (1 + sqrt(1 - beta^2))^2 = 2 / (1 + sqrt(1 - beta^2)),
// the "instance-optimal" comparator of M. Khodak et al., "Learning to Relax", ICLR 2024
// (Section 2; omega_opt.m in the official code). D. M. Young, "Iterative Solution of Large Linear
// Systems", Academic Press, 1971, Chapter 6.
#pragma once

#include <cstddef>
#include <cstdint>

#include "descent/linalg/csr.hpp"

namespace descent::linalg {

struct SpectralOptions {
  /// Matrices up to this size use a dense eigensolver (exact; default 1500).
  Eigen::Index dense_limit = 1500;
  /// Lanczos steps for larger (symmetric) matrices (default 3000).
  std::size_t max_lanczos_steps = 3000;
  /// Stop when both extreme Ritz pairs have residual <= tolerance (default 1e-10).
  double tolerance = 1e-10;
  std::uint64_t seed = 0;  ///< Lanczos start vector (default 0)
};

/// beta = rho(I - D^{-1} A). Dense path for small A (any A with a positive diagonal); Lanczos on
/// D^{-1/2} A D^{-1/2} otherwise, which needs A symmetric (descent::Error if not).
double jacobi_spectral_radius(const SparseMatrix& a, const SpectralOptions& options = {});

/// omega* = 1 + (beta / (1 + sqrt(1 - beta^2)))^2. Throws descent::Error unless 0 <= beta < 1
/// (SOR's optimal-omega theory needs a convergent Jacobi iteration).
double optimal_sor_omega(double beta);

/// optimal_sor_omega(jacobi_spectral_radius(a, options)).
double optimal_sor_omega(const SparseMatrix& a, const SpectralOptions& options = {});

/// rho(C_omega) with C_omega = I - A W_omega^{-1}, W_omega = D/omega + L: the asymptotic SOR
/// contraction. Dense; for tests and small matrices (descent::Error above 3000 unknowns).
double sor_spectral_radius(const SparseMatrix& a, double omega);

}  // namespace descent::linalg
