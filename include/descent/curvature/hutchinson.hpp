// Hutchinson's trace estimator with Rademacher probes and a variance-based stopping rule.
//
// M. F. Hutchinson, "A stochastic estimator of the trace of the influence matrix for Laplacian
// smoothing splines", Comm. Statist. Simul. Comput. 18, 1989. For Rademacher v, E[vᵀAv] = tr A and
// Var[vᵀAv] = 2(||A||_F² − Σ_i A_ii²), the smallest variance among i.i.d. probe distributions.
// The stopping rule uses the empirical standard error of the running mean, not PyHessian's
// "mean changed by < tol" (which stops early on a lucky pair of probes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "descent/core/status.hpp"
#include "descent/curvature/operator.hpp"

namespace descent::curvature {

struct HutchinsonOptions {
  std::size_t max_probes = 1000;  ///< hard cap on products (default 1000)
  std::size_t min_probes = 10;    ///< never stop before this many (default 10)
  /// Stop once standard_error ≤ relative_tolerance · |mean|; 0 runs all max_probes (default 0).
  double relative_tolerance = 0.0;
  std::uint64_t seed = 0;     ///< probe k uses make_rng(seed, {k})
  bool keep_samples = false;  ///< return every vᵀAv (default false)
  void validate() const;
};

struct TraceEstimate {
  Status status = Status::failed;  ///< converged (tolerance met), max_iterations, or diverged
  double trace = 0;                ///< mean of vᵀAv
  double standard_error = 0;       ///< sample std / sqrt(probes)
  std::size_t probes = 0;
  std::vector<double> samples;
};

TraceEstimate hutchinson(const SymmetricOperator& a, const HutchinsonOptions& options = {});

/// The exact variance of one Rademacher probe, 2(||A||_F² − Σ A_ii²), for a dense A (tests).
double hutchinson_variance(const Eigen::MatrixXd& a);

}  // namespace descent::curvature
