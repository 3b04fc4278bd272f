// Training a surrogate on the offline data, optionally under the IGNITE sharpness constraint:
// design-baselines' maximum-likelihood trainer (bootstrap-weighted Gaussian NLL, Adam), or a
// COMs-style conservative trainer. Both call the same SharpnessRegularizer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "descent/core/status.hpp"
#include "descent/offline_torch/sharpness.hpp"
#include "descent/offline_torch/surrogate.hpp"

namespace descent::offline_torch {

/// maximum_likelihood: the bootstrap-weighted Gaussian NLL of design-baselines' gradient
/// ascent. coms: Trabucco et al., "Conservative Objective Models for Effective Offline
/// Model-Based Optimization" (ICML 2021): the squared error of the mean plus
/// α (E_{x̃}[μ(x̃)] − E_B[μ(x)]), x̃ found by `coms_steps` gradient-ascent steps on μ from the
/// batch; here α is fixed (COMs adapts it by a second Lagrangian).
enum class SurrogateLoss { maximum_likelihood, coms };
SurrogateLoss surrogate_loss_from_string(const std::string& s);
std::string_view to_string(SurrogateLoss l) noexcept;

struct TrainOptions {
  int epochs = 50;   ///< Default 50 (design-baselines: 100 with 2048-wide layers)
  int batch = 128;   ///< Default 128
  double lr = 3e-4;  ///< Adam's learning rate. Default 3e-4
  /// Rows held out (validation NLL, held-out sharpness). Default 200; at most a tenth of the
  /// rows are held out.
  int validation = 200;
  /// Per-row Poisson(1) bootstrap weights on the loss (design-baselines' `bootstraps=1`).
  bool bootstrap = true;
  SurrogateLoss loss = SurrogateLoss::maximum_likelihood;
  double coms_alpha = 0.1;      ///< COMs' conservatism weight α. Default 0.1
  int coms_steps = 10;          ///< gradient-ascent steps of x̃. Default 10 (COMs: 50)
  double coms_lr = 0.05;        ///< x̃'s step, times √d. Default 0.05
  double sharpness_rho = 0.05;  ///< ρ of the reported held-out sharpness. Default 0.05
  std::uint64_t seed = 0;
  void validate() const;
};

struct EpochLog {
  int epoch = 0;
  double train_loss = 0.0;
  double validation_nll = NAN;
  double lambda = NAN;             ///< λ at the end of the epoch (NaN without IGNITE)
  double mean_sharpness = NAN;     ///< mean ρn over the epoch's steps (NaN without IGNITE)
  double within_epsilon = NAN;     ///< fraction of the epoch's steps with ρn ≤ ε
  double heldout_sharpness = NAN;  ///< ρ‖∇G_B‖ averaged over the held-out batches
  double seconds = 0.0;
};

struct TrainResult {
  Status status = Status::max_iterations;  ///< diverged on a non-finite loss
  std::string message;
  std::vector<EpochLog> epochs;
  std::vector<double> lambda_trace;     ///< λ after every step (IGNITE variants)
  std::vector<double> grad_norm_trace;  ///< n = ‖∇_ω G_B‖ of every step (IGNITE variants)
  double lambda_initial = NAN;          ///< λ before the first step
  double heldout_sharpness = NAN;       ///< at the end of training
  std::int64_t steps = 0;
};

/// Called after every epoch; return false to stop.
using EpochCallback = std::function<bool(const EpochLog&)>;

/// Trains `model` on (x, y) (float tensors, n × d and n; already encoded and z-scored).
TrainResult train_surrogate(GaussianMlp& model, const torch::Tensor& x, const torch::Tensor& y,
                            const TrainOptions& options, SharpnessRegularizer& regularizer,
                            const EpochCallback& on_epoch = {});

/// Held-out sharpness ρ‖∇_ω G_B‖ averaged over consecutive batches of `batch` rows of x.
double heldout_sharpness(GaussianMlp& model, const torch::Tensor& x, int batch, double rho);

}  // namespace descent::offline_torch
