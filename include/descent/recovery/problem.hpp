// Synthetic robust matrix recovery problems: ground truth, noise models and measurements.
//
// The setting of J. Ma, S. Fattahi, "Global Convergence of Sub-gradient Method for Robust Matrix
// Recovery: Small Initialization, Noisy Measurements, and Over-parameterization", JMLR 24
// (2023), paper 22-0233: y_i = <A_i, X*> + s_i with X* = U* U*^T PSD of rank r, Gaussian A_i, and
// noise s from
//  - the outlier model: s_i != 0 with probability p, arbitrarily large, independent of A_i
//    (here s_i = scale * |X*|_F * N(0, 1), the spec's choice);
//  - the Gaussian model: s_i ~ N(0, nu^2) with probability p (possibly close to 1), else 0.
// Both may be combined.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "descent/core/rng.hpp"
#include "descent/recovery/measurements.hpp"

namespace descent::recovery {

struct NoiseModel {
  double outlier_probability = 0.0;   ///< p of the outlier model, in [0, 1]
  double outlier_scale = 10.0;        ///< outlier std in units of |X*|_F (> 0)
  double gaussian_probability = 0.0;  ///< p of the Gaussian model, in [0, 1]
  double gaussian_std = 1.0;          ///< nu (>= 0)

  void validate() const;
  /// Parses "none", "outliers:p=0.1[,scale=10]" or "gaussian:p=0.5[,nu=1]" into this model
  /// (only the named part changes). Throws descent::Error.
  void parse(const std::string& spec);
  std::string to_string() const;
};

/// s (length m): for each i four draws in a fixed order (outlier coin, outlier value, Gaussian
/// coin, Gaussian value), so changing one probability does not reshuffle the other part.
Eigen::VectorXd generate_noise(const NoiseModel& model, Eigen::Index m, double xstar_fro, Rng& rng);

/// U* = Q diag(sqrt(eigenvalues)) with Q a random d x r orthonormal basis (QR of a Gaussian).
Eigen::MatrixXd random_ground_truth(Eigen::Index d, const std::vector<double>& eigenvalues,
                                    Rng& rng);

/// r eigenvalues evenly spaced from 1 down to 0.5 (r = 3: 1, 0.75, 0.5, so kappa = 2).
std::vector<double> default_eigenvalues(Eigen::Index rank);

struct SyntheticOptions {
  Eigen::Index dimension = 50;       ///< d
  Eigen::Index rank = 3;             ///< r
  std::vector<double> eigenvalues;   ///< of X*, length r; empty = default_eigenvalues(r)
  Eigen::Index measurements = 1500;  ///< m
  Ensemble ensemble = Ensemble::gaussian;
  NoiseModel noise;
  void validate() const;
};

struct RecoveryProblem {
  std::shared_ptr<const DenseMeasurements> op;
  Eigen::VectorXd y;       ///< observations
  Eigen::VectorXd noise;   ///< s (known for synthetic problems)
  Eigen::MatrixXd U_star;  ///< d x r
  Eigen::MatrixXd X_star;  ///< U* U*^T
};

/// Streams: U* from (seed, 1), the A_i from (seed, 2), the noise from (seed, 3).
RecoveryProblem make_synthetic_problem(const SyntheticOptions& options, std::uint64_t seed);

/// |U U^T - X*|_F / |X*|_F.
double relative_error(const Eigen::MatrixXd& U, const Eigen::MatrixXd& X_star);

}  // namespace descent::recovery
