// SubGM: the sub-gradient method with small initialization for robust low-rank matrix recovery.
//
// J. Ma, S. Fattahi, "Global Convergence of Sub-gradient Method for Robust Matrix Recovery: Small
// Initialization, Noisy Measurements, and Over-parameterization", JMLR 24 (2023), paper 22-0233;
// arXiv 2202.08788.
//
//   U_0 = alpha B (B Gaussian d x r', |B|_2 = 1);  U_{t+1} = U_t - eta_t D(U_t)
// with D the sub-gradient of the factorised l1 loss (losses.hpp) and eta_t from a StepSchedule.
// With small alpha the iterates first align with X*'s column space and then converge linearly,
// whatever the search rank r' >= r, under outlier and Gaussian noise.
//
// Departures: the warm-up schedule is ours (labelled non-paper); the stopping rules and the
// `stalled` status for a run that never leaves the initialization scale are ours (the paper runs
// a fixed T). See docs/recovery.md.
#pragma once

#include <cstddef>
#include <string>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/core/settings.hpp"
#include "descent/core/status.hpp"
#include "descent/recovery/measurements.hpp"
#include "descent/recovery/schedule.hpp"

namespace descent::recovery {

/// Options shared by SubGM and the l2 baseline.
struct FactoredRunOptions {
  std::size_t max_iterations = 1500;  ///< T >= 1
  /// With a reference X*: the first iteration with relative error below this is recorded as
  /// counters["iterations_to_tolerance"]; the run is `converged` if it ends below it. 0 = off.
  double error_tolerance = 1e-6;
  bool stop_at_tolerance = false;  ///< end the run as soon as the tolerance is met
  /// `stalled` (never escaped the initialization) if, with a reference, the final relative error
  /// is above stall_error, or, without one, f(U_T) > (1 - stall_loss_drop) f(U_0).
  double stall_error = 0.5;
  double stall_loss_drop = 0.01;
  /// `diverged` if the loss exceeds divergence_factor * max(f(U_0), 1e-300) or is non-finite.
  double divergence_factor = 1e6;
  int threads = 1;  ///< threads for the two GEMVs (>= 1)
  bool record_history = false;
  std::size_t history_stride = 1;  ///< record every k-th iteration (and the last)
  void validate() const;
  /// The fields by name (descent/core/settings.hpp).
  template <class Fields>
  void fields(Fields& f) {
    run_fields(f, max_iterations, record_history, &history_stride);
    f("error_tolerance", error_tolerance, "relative error counted as recovered; 0 = off");
    f("stop_at_tolerance", stop_at_tolerance, "end the run once the tolerance is met");
    f("stall_error", stall_error, "stalled if the final relative error is above this");
    f("stall_loss_drop", stall_loss_drop, "stalled without X* if f fell by less than this");
    f("divergence_factor", divergence_factor, "diverged when f exceeds this times f(U_0)");
    f("threads", threads, "threads for the two GEMVs");
  }
};

struct SubgmOptions : FactoredRunOptions {
  StepSchedule schedule;  ///< default: geometric, eta0 = 0.5, rho = 0.99
  /// Without a reference: `converged` once eta_t < step_tolerance (after escape). 0 = run all T.
  double step_tolerance = 0.0;
  void validate() const;
  template <class Fields>
  void fields(Fields& f) {
    FactoredRunOptions::fields(f);
    const std::string current = schedule.to_string();
    std::string spec = current;
    f("schedule", spec, "step schedule (StepSchedule::parse grammar)");
    if (spec != current) {
      try {
        schedule = StepSchedule::parse(spec);
      } catch (const InvalidOption&) {
        throw;
      } catch (const Error& e) {
        throw InvalidOption("schedule", e.what());
      }
    }
    f("step_tolerance", step_tolerance, "without X*: converged once eta_t < this; 0 = off");
  }
};

/// alpha * B with B an i.i.d. N(0, 1) d x r' matrix scaled to spectral norm 1 (the only SVD).
Eigen::MatrixXd small_initialization(Eigen::Index d, Eigen::Index rank, double alpha, Rng& rng);

/// Runs SubGM from U (d x r', updated in place). `reference` (X*, optional) enables the relative
/// error |U U^T - X*|_F / |X*|_F in the history ("relative_error") and the tolerance rules.
/// Counters: measurements, dimension, rank, final_step, step_sum, initial_norm and final_norm
/// (spectral), escaped (0/1), relative_error and iterations_to_tolerance (NaN if never) with a
/// reference.
Summary minimize_subgm(const MeasurementOperator& op, const Eigen::VectorXd& y, Eigen::MatrixXd& U,
                       const SubgmOptions& options = {}, Callbacks callbacks = {},
                       const Eigen::MatrixXd* reference = nullptr);

}  // namespace descent::recovery
