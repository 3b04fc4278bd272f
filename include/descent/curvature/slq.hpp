// Stochastic Lanczos quadrature (SLQ): the spectral density of a symmetric operator.
//
// Lin, Saad, Yang, "Approximating spectral densities of large matrices", SIAM Review 58, 2016;
// Ghorbani, Krishnan, Xiao, ICML 2019; Granziol, Zohren, Roberts, JMLR 2022 (who argue a single
// random vector suffices for large P). For a probe v with ||v|| = 1, m Lanczos steps give the
// Gauss quadrature vᵀ f(A) v ≈ Σ_j τ_j f(θ_j) with nodes θ_j (Ritz values) and weights
// τ_j = (e_1ᵀ y_j)², exact for polynomials of degree ≤ 2m − 1. With Rademacher probes
// E[vᵀ f(A) v / n] = tr f(A) / n, so averaging over n_v probes estimates the spectral measure
// (1/n) Σ_i δ(λ − λ_i); its trace estimate has exactly the variance of n_v Hutchinson probes.
#pragma once

#include <cstddef>
#include <cstdint>

#include <Eigen/Core>

#include "descent/core/status.hpp"
#include "descent/curvature/operator.hpp"

namespace descent::curvature {

struct SlqOptions {
  std::size_t steps = 30;  ///< Lanczos steps per probe (default 30)
  std::size_t probes = 1;  ///< number of Rademacher probes n_v (default 1)
  std::uint64_t seed = 0;  ///< probe stream: probe k uses make_rng(seed, {k})
  void validate() const;
};

/// Quadrature nodes and weights pooled over the probes; the weights sum to 1.
struct SpectralDensity {
  Status status = Status::failed;
  Eigen::VectorXd nodes;    ///< Ritz values of every probe, concatenated
  Eigen::VectorXd weights;  ///< τ_j / n_v, summing to 1
  Eigen::Index dim = 0;     ///< n, to turn moments into traces

  /// Σ_j w_j θ_j^k ≈ tr(A^k) / n.
  double moment(int k) const;
  /// n · moment(1): the SLQ trace estimate.
  double trace() const { return static_cast<double>(dim) * moment(1); }
  /// Gaussian-smoothed density on `grid`: Σ_j w_j N(x; θ_j, σ²). Integrates to ≈ 1.
  Eigen::VectorXd smoothed(const Eigen::VectorXd& grid, double sigma) const;
  /// A grid covering [min θ − 3σ, max θ + 3σ] with `points` points.
  Eigen::VectorXd default_grid(double sigma, Eigen::Index points = 400) const;
};

SpectralDensity slq(const SymmetricOperator& a, const SlqOptions& options = {});

}  // namespace descent::curvature
