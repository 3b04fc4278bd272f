// Seeded OT test instances: the settings of Tang et al. (ICLR 2024), Table 1, and friends.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "descent/core/rng.hpp"
#include "descent/ot/problem.hpp"

namespace descent::ot {

/// Random linear assignment: uniform weights 1/n on both sides, C_ij ~ U[0, 1) i.i.d.
Problem random_assignment(Eigen::Index n, Rng& rng);

/// Two independent clouds of n points uniform in [0, 1]^2 with uniform weights. With
/// `normalize`, the cost is divided by its maximum (the spec's "sq. Euclidean / max").
Problem uniform_clouds(Eigen::Index n, Rng& rng, GroundCost cost = GroundCost::sqeuclidean,
                       bool normalize = true);

/// Probability weights drawn from Dirichlet(alpha, ..., alpha) (alpha > 0); entries are floored
/// at 1e-300 so that log-domain solvers see strictly positive weights.
Eigen::VectorXd dirichlet_weights(Eigen::Index n, double alpha, Rng& rng);

/// One case of the randomized robustness suite.
struct SuiteCase {
  std::string name;  ///< e.g. "clouds3d/sqeuclidean/dirichlet0.3/eta200/seed1"
  std::string geometry, cost, marginals;
  double eta_relative = 0.0;  ///< eta * max C
  double eta = 0.0;           ///< eta_relative / max C (costs stay raw, not normalised)
  std::size_t seed = 0;
  Problem problem;
};

struct SuiteOptions {
  /// Sizes: each case draws n and m independently from [min_points, max_points].
  Eigen::Index min_points = 80, max_points = 240;
  std::vector<double> eta_relative{10, 50, 200, 400, 1200};
  std::vector<double> dirichlet_alpha{0.3, 1.0, 3.0};  ///< plus uniform weights
  std::size_t seeds = 2;
  std::uint64_t seed = 0;  ///< base seed of every draw
};

/// The robustness suite of the SNS issue: marginals uniform and Dirichlet(alpha); geometries
/// 2-D and 3-D Gaussian clouds with different sizes, scales and shifts, pairs of random
/// blob images (grids of different shapes), and random assignment costs U[0, 1) (n != m);
/// ground costs sqeuclidean, euclidean, l1 (not for assignment); eta relative to max C.
/// Deterministic for a given SuiteOptions.
std::vector<SuiteCase> robustness_suite(const SuiteOptions& options = {});

}  // namespace descent::ot
