// A minimal seeded training loop for SSO and its baselines: batches from a stream of seeded
// epoch permutations, one Stepper step per batch, and the full training loss recorded with the
// cost counters so that curves can be drawn against expensive or cheap evaluations.
//
// The loop records through descent::Run (history with a stride, callbacks, stop, Summary).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/rng.hpp"
#include "descent/core/run.hpp"
#include "descent/core/settings.hpp"
#include "descent/core/status.hpp"
#include "descent/surrogate/loss.hpp"
#include "descent/surrogate/model.hpp"
#include "descent/surrogate/stepper.hpp"

namespace descent::surrogate {

/// Batches of exactly `batch_size` indices drawn from consecutive seeded permutations of 0..N−1
/// (a batch may straddle two epochs). The same seed gives the same batches to every method.
class BatchStream {
 public:
  BatchStream(Eigen::Index samples, std::size_t batch_size, std::uint64_t seed);
  const std::vector<Eigen::Index>& next();

 private:
  Eigen::Index n_;
  std::size_t b_;
  Rng rng_;
  std::vector<Eigen::Index> perm_, batch_;
  std::size_t pos_;
};

struct TrainOptions {
  std::size_t batch_size = 32;    ///< >= 1, <= samples
  std::size_t outer_steps = 100;  ///< = expensive evaluations of SSO, SGD, Adam and SLS
  std::size_t eval_every = 1;     ///< full-loss evaluation period in outer steps (the last always)
  std::uint64_t seed = 0;         ///< batch order
  /// Diverged when the full loss exceeds divergence_factor * max(1, |loss(theta_0)|) (> 1), or
  /// becomes non-finite. A loss that grew 1000-fold did not train.
  double divergence_factor = 1e3;
  /// Rows are kept at evaluations only (every eval_every steps), filtered by the stride. On by
  /// default, unlike other families: the loss-versus-cost curves are what these runs are for.
  HistoryOptions history{true, 1};
  void validate() const;

  /// Settings keys (descent::options_from).
  template <class Fields>
  void fields(Fields& f) {
    f("batch_size", batch_size, "|S|, samples per outer step");
    f("outer_steps", outer_steps, "the budget: outer steps (= expensive evaluations)");
    f("record_history", history.record_history, "keep a row per evaluation");
    f("history_stride", history.history_stride, "keep every k-th row (the last is always kept)");
    f("eval_every", eval_every, "evaluate the full loss every k outer steps (the last always)");
    f("seed", seed, "batch order");
    f("divergence_factor", divergence_factor, "diverged when the loss exceeds this x its start");
  }
};

/// ℓ(f(θ)) over all samples (evaluation only: not counted as a cost).
double full_loss(const TargetModel& model, const TargetLoss& loss, const Eigen::VectorXd& theta);

/// Runs `stepper` from θ (updated in place). Summary: objective = final full loss, iterations =
/// outer steps, gradient_evaluations = expensive evaluations, function_evaluations = model
/// forward passes; counters expensive_evaluations, cheap_evaluations, model_forward,
/// model_backward, loss_value_evaluations, inner_steps. History rows (one per evaluation, row 0
/// = the start) carry extras expensive, cheap, loss_values, eta, inner_steps, batch_loss.
/// A non-finite loss ends the run with Status::diverged.
Summary train(Stepper& stepper, const TargetModel& model, const TargetLoss& loss,
              Eigen::VectorXd& theta, const TrainOptions& options, Callbacks callbacks = {});

}  // namespace descent::surrogate
