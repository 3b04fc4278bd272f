// The l2 baseline: gradient descent on the factorised least-squares loss
// f_l2(U) = (1/(4m)) sum_i (<A_i, U U^T> - y_i)^2 (Burer-Monteiro factorisation; see e.g.
// S. Tu et al., "Low-rank Solutions of Linear Matrix Equations via Procrustes Flow", ICML 2016).
// Used by the SubGM reproduction to show what the l1 loss buys: l2-GD is not robust to outliers
// and converges only sublinearly when r' > r. It is a baseline, not a fallback.
#pragma once

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/status.hpp"
#include "descent/recovery/measurements.hpp"
#include "descent/recovery/subgm.hpp"

namespace descent::recovery {

/// max_iterations defaults to 1500, as SubGM's: the two compare at equal T.
struct L2GdOptions : FactoredRunOptions {
  double step_size = 0.2;  ///< fixed step > 0 (0.2 is stable at |X*|_2 = 1 without outliers)
  void validate() const;
  template <class Fields>
  void fields(Fields& f) {
    FactoredRunOptions::fields(f);
    f("step_size", step_size, "fixed step > 0");
  }
};

/// Gradient descent on f_l2 from U (updated in place); the initialization (small or large) is the
/// caller's U. Same counters, history and statuses as minimize_subgm.
Summary minimize_l2_gd(const MeasurementOperator& op, const Eigen::VectorXd& y, Eigen::MatrixXd& U,
                       const L2GdOptions& options = {}, Callbacks callbacks = {},
                       const Eigen::MatrixXd* reference = nullptr);

}  // namespace descent::recovery
