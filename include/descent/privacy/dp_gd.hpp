// DP-GD: full-batch differentially private gradient descent across P workers.
//
// The baseline of T. Murata, T. Suzuki, "DIFF2: Differential Private Optimization via Gradient
// Differences for Nonconvex Distributed Learning", ICML 2023 (PMLR 202); also M. Abadi et al.,
// "Deep Learning with Differential Privacy", CCS 2016 (full batch here, so no subsampling).
// Each round every worker p sends m_p = ClippedMean({grad l(x_{r-1}, z)}_{z in D_p}, C) +
// N(0, (sigma C)^2 I); the server averages in worker order and x_r = x_{r-1} - eta * mean_p m_p.
// sigma = sqrt(2R/(n^2 rho*)) (replace-one) with rho* from the tight conversion of (eps, delta).
// With NoiseModel::central the workers send their clipped means without noise and the server
// adds N(0, (sigma C)^2 I) once to the average, calibrated with n P records (training.hpp).
#pragma once

#include <optional>
#include <utility>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/status.hpp"
#include "descent/privacy/training.hpp"

namespace descent::privacy {

struct DpGdOptions : TrainingOptions {
  double step_size = 1.0;  ///< eta > 0
  double clip = 0.1;       ///< per-sample clip radius C > 0 (+inf: no clipping)
  /// sigma; unset (default) = calibrated from `budget`. 0 = no noise (epsilon = inf).
  std::optional<double> noise_multiplier;
  void validate() const;
  template <class Fields>
  void fields(Fields& f) {
    TrainingOptions::fields(f);
    f("step_size", step_size, "eta > 0");
    f("clip", clip, "per-sample clip radius C (inf: none)");
    f("noise_multiplier", noise_multiplier, "sigma; auto = calibrated from the budget");
  }
};

/// Runs DP-GD from x (updated in place with the output iterate). Collective: every rank of
/// set.comm must call it with the same options and x. Throws descent::InvalidOption for bad
/// options; divergence is Status::diverged. Counters: see training.hpp, plus sigma.
Summary minimize_dp_gd(const WorkerSet& set, Eigen::VectorXd& x, const DpGdOptions& options = {},
                       Callbacks callbacks = {});

/// The earlier name of minimize_dp_gd().
[[deprecated("use descent::privacy::minimize_dp_gd")]] inline Summary dp_gd(
    const WorkerSet& set, Eigen::VectorXd& x, const DpGdOptions& options = {},
    Callbacks callbacks = {}) {
  return minimize_dp_gd(set, x, options, std::move(callbacks));
}

}  // namespace descent::privacy
