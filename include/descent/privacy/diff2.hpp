// DIFF2 with the GD routine (DIFF2-GD).
//
// T. Murata, T. Suzuki, "DIFF2: Differential Private Optimization via Gradient Differences for
// Nonconvex Distributed Learning", ICML 2023 (PMLR 202), Algs. 1-3; arXiv 2302.03884.
//
//   x_{-1} = x_0, v_0 = 0; for r = 1..R, restart iff (r - 1) mod T == 0:
//     worker p:  restart: m_p = CM({grad l(x_{r-1}, z)}, C1) + N(0, (sigma1 C1)^2 I)
//                else:    C = C2 |x_{r-1} - x_{r-2}|,
//                         m_p = CM({grad l(x_{r-1}, z) - grad l(x_{r-2}, z)}, C) + N(0, (sigma2
//                         C)^2 I)
//     server:    d_r = mean_p m_p (worker order);  v_r = d_r (restart) or v_{r-1} + d_r
//     GD routine: x_r = x_{r-1} - eta v_r
//
// The difference radius depends only on released iterates, so it is data-independent and the
// accountant sees R1 = ceil(R/T) releases at sigma1 and R2 = R - R1 at sigma2 (rho split
// budget_split : 1 - budget_split; a phase without rounds gets no budget, so T = 1 is exactly
// DP-GD). Per-sample gradients at x_{r-2} are cached from the previous round. With
// NoiseModel::central the server adds the round's noise once to d_r (before v_r), calibrated
// with n P records, as the paper's experiment code does (training.hpp).
//
// Departures from the paper (whose full text was not available; see docs/privacy.md): sigma1 and
// sigma2 are calibrated exactly by the RDP accountant instead of the paper's constants; the
// returned iterate is the last one by default (the theory's uniform r_hat is an option); the
// stability guard (stability.hpp) is our addition. BVR-L-SGD (Alg. 4) is not implemented.
#pragma once

#include <optional>
#include <utility>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/status.hpp"
#include "descent/privacy/stability.hpp"
#include "descent/privacy/training.hpp"

namespace descent::privacy {

struct Diff2Options : TrainingOptions {
  double step_size = 0.3;     ///< eta > 0
  double clip = 0.3;          ///< C1 > 0: per-sample clip radius at restarts (+inf: none)
  double clip_diff = 1.0;     ///< C2 > 0: difference radius per unit |x_{r-1} - x_{r-2}|
  std::size_t restart = 10;   ///< T >= 1: a restart (full clipped gradient) every T rounds
  double budget_split = 0.5;  ///< share of rho* for the restart rounds, in (0, 1)
  /// sigma1 / sigma2 overrides; both unset (default) = calibrated from `budget`. Set both or none.
  std::optional<double> noise_multiplier1, noise_multiplier2;
  GuardPolicy guard = GuardPolicy::refuse;  ///< see stability.hpp
  double guard_cap = 0.5;                   ///< per-step target of GuardPolicy::cap, in (0, 1)
  void validate() const;
  template <class Fields>
  void fields(Fields& f) {
    TrainingOptions::fields(f);
    f("step_size", step_size, "eta > 0");
    f("clip", clip, "C1, the restart rounds' clip radius (inf: none)");
    f("clip_diff", clip_diff, "C2, the difference radius per unit step");
    f("restart", restart, "T, a restart every T rounds");
    f("budget_split", budget_split, "share of rho for the restart rounds");
    f("noise_multiplier1", noise_multiplier1, "sigma1; auto = calibrated");
    f("noise_multiplier2", noise_multiplier2, "sigma2; auto = calibrated");
    f.choice("guard", guard,
             {{"refuse", GuardPolicy::refuse},
              {"warn", GuardPolicy::warn},
              {"cap", GuardPolicy::cap},
              {"off", GuardPolicy::off}},
             "the stability guard");
    f("guard_cap", guard_cap, "per-step target of the cap policy");
  }
};

/// Runs DIFF2-GD from x (updated in place). Collective like minimize_dp_gd(). Counters: see
/// training.hpp, plus sigma1, sigma2, restart_rounds, difference_rounds, guard_per_step,
/// guard_per_block, clip_diff_used (C2 after a cap).
Summary minimize_diff2(const WorkerSet& set, Eigen::VectorXd& x, const Diff2Options& options = {},
                       Callbacks callbacks = {});

/// The earlier name of minimize_diff2().
[[deprecated("use descent::privacy::minimize_diff2")]] inline Summary diff2(
    const WorkerSet& set, Eigen::VectorXd& x, const Diff2Options& options = {},
    Callbacks callbacks = {}) {
  return minimize_diff2(set, x, options, std::move(callbacks));
}

}  // namespace descent::privacy
