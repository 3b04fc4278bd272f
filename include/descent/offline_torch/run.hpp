// One offline-optimisation run end to end: encode the designs, train the surrogate(s) (with or
// without IGNITE), optimise designs on the surrogate from the top-k measured ones, decode, and
// score with the oracle when the task has one. Used by `descent offline` and `repro ignite`.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>
#include <Eigen/Core>

#include "descent/offline/cmaes.hpp"
#include "descent/offline/task.hpp"
#include "descent/offline_torch/trainer.hpp"

namespace descent::offline_torch {

/// grad: gradient ascent x ← x + lr ∇_x μ(x), lr = lr_scale·√d (design-baselines).
/// cmaes: one CMA-ES run per starting design on the surrogate's mean, all runs evaluated in
/// one batch per generation; the run's best candidate is its proposal.
enum class DesignOptimizer { grad, cmaes };
DesignOptimizer design_optimizer_from_string(const std::string& s);
std::string_view to_string(DesignOptimizer o) noexcept;

/// The scores to maximise on a batch of encoded inputs (n × d float) → (n).
using ScoreFn = std::function<torch::Tensor(const torch::Tensor&)>;

/// Gradient ascent from `start` (encoded inputs), `steps` steps of size `lr`.
Eigen::MatrixXd gradient_ascent(const ScoreFn& score, const Eigen::MatrixXd& start, int steps,
                                double lr);
/// CMA-ES from each row of `start`; returns each run's best candidate.
Eigen::MatrixXd cmaes_ascent(const ScoreFn& score, const Eigen::MatrixXd& start,
                             const offline::CmaesOptions& options);

struct RunOptions {
  SurrogateOptions surrogate;
  TrainOptions train;
  SharpnessOptions sharpness;
  DesignOptimizer optimizer = DesignOptimizer::grad;
  int ensemble = 1;  ///< surrogates, each on its own bootstrap. Default 1
  Aggregation aggregation = Aggregation::mean;
  int count = 128;              ///< designs proposed (the top-k starts). Default 128
  int steps = 200;              ///< gradient-ascent steps. Default 200
  double lr_scale = 0.01;       ///< gradient ascent's lr = lr_scale·√d. Default 0.01
  offline::CmaesOptions cmaes;  ///< sigma 0.5, 100 generations by default
  std::uint64_t seed = 0;
  void validate() const;
};

struct RunResult {
  Status status = Status::max_iterations;
  std::string message;
  Eigen::MatrixXd designs;  ///< the proposals in the task's layout (letter codes if discrete)
  Eigen::VectorXd predicted_mean;     ///< the surrogate's mean for each proposal, in y's units
  Eigen::VectorXd predicted_std;      ///< its s.d. (ensemble: mean of the members'), in y's units
  Eigen::VectorXd oracle_values;      ///< empty without an oracle
  offline::PercentileScores scores;   ///< normalised; only with an oracle
  std::vector<TrainResult> training;  ///< one per ensemble member
  double heldout_sharpness = NAN;     ///< mean over members
  double train_seconds = 0.0, optimise_seconds = 0.0;
};

/// Progress: (member, epoch log).
using RunCallback = std::function<bool(int member, const EpochLog&)>;

RunResult run_offline(const offline::Task& task, const RunOptions& options,
                      const RunCallback& on_epoch = {});

}  // namespace descent::offline_torch
