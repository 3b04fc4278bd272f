// Clipping and the Gaussian mechanism: the nonsmooth primitives shared by DP-GD and DIFF2.
//
// ClippedMean follows Murata & Suzuki, "DIFF2: Differential Private Optimization via Gradient
// Differences for Nonconvex Distributed Learning", ICML 2023, Alg. 2:
// CM({g_i}, C) = (1/|I|) sum_i g_i min{1, C/|g_i|}. Guards: a zero vector keeps factor 1, and
// C = 0 returns 0 (DIFF2 uses C = C2 |x_{r-1} - x_{r-2}|, which is 0 when the iterate did not
// move); C = +inf means no clipping.
#pragma once

#include <span>

#include <Eigen/Core>

#include "descent/core/rng.hpp"
#include "descent/privacy/objective.hpp"

namespace descent::privacy {

/// min{1, C/norm}; 1 for norm = 0 or C = inf; 0 for C = 0.
double clip_factor(double norm, double radius) noexcept;

/// Scales `v` to norm at most `radius` (per-worker clipping of a mean, or any single vector).
void clip_to_norm(std::span<double> v, double radius) noexcept;

/// CM of the rows of a dense n x d matrix of per-sample gradients.
void clipped_mean(const Eigen::Ref<const Eigen::MatrixXd>& rows, double radius,
                  Eigen::VectorXd& out);

/// CM({g_i}, C) for per-sample gradients held by a SampleGradients (any model).
void clipped_mean(const SampleGradients& g, double radius, Eigen::VectorXd& out);

/// CM({g_i - h_i}, C): the clipped mean of per-sample gradient differences (DIFF2's estimator).
/// g and h must hold the same samples, in the same order.
void clipped_mean_difference(const SampleGradients& g, const SampleGradients& h, double radius,
                             Eigen::VectorXd& out);

/// Adds i.i.d. N(0, std^2) to each entry, drawing from `rng` (nothing drawn when std = 0).
void add_gaussian_noise(std::span<double> v, double std, Rng& rng);

/// The Gaussian mechanism on a clipped quantity: adds N(0, (multiplier * radius)^2 I).
/// `multiplier` is sigma relative to the clip radius (see accountant.hpp for its rho).
struct GaussianMechanism {
  double multiplier = 1.0;  ///< sigma >= 0
  void release(std::span<double> v, double radius, Rng& rng) const {
    add_gaussian_noise(v, multiplier * radius, rng);
  }
};

}  // namespace descent::privacy
