// The shared training loop, behind a torch-free interface (the CLI and experiments include only
// this header; the LibTorch work happens in descent::train's sources).
//
//   train::TrainOptions o;  o.data = "fashion-mnist";  o.model = "mlp:784-128-10";
//   o.optimizer = "diffgrad";  o.epochs = 5;  o.checkpoint_dir = "ck";
//   train::TrainResult r = train::run(o, callbacks);   // r.test_accuracy, r.epochs[...]
//
// Minibatch SGD-style loop: each epoch shuffles the training rows with a seeded std::mt19937_64,
// takes cross-entropy steps with any optim_torch::make_optimizer name, and evaluates loss and
// accuracy on the test split. Callbacks see one IterationInfo per epoch (objective = mean train
// loss; extras test_loss, test_accuracy). With checkpoint_dir, DIR/checkpoint.pt is written after
// every epoch (model, optimizer state, epoch, step, RNG state); `resume` continues from it and
// reproduces the uninterrupted run bit for bit (same thread count). The loop records through
// descent::Run (callbacks, stop, status, Summary).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "descent/core/callbacks.hpp"
#include "descent/core/run.hpp"
#include "descent/core/status.hpp"

namespace descent::train {

struct TrainOptions {
  std::string data = "digits";        ///< data::load name
  std::string model = "mlp:64";       ///< make_model spec
  std::string optimizer = "adam";     ///< optim_torch::make_optimizer name
  double lr = 0.0;                    ///< 0 = the optimizer's default
  double weight_decay = 0.0;          ///< set on the optimizer when > 0 (ours only)
  std::size_t batch = 64;             ///< minibatch size, >= 1
  int epochs = 10;                    ///< total epochs (a resumed run continues up to this)
  std::string schedule = "constant";  ///< optim::Schedule spec over optimizer steps
  std::uint64_t seed = 0;             ///< model init (torch::manual_seed), shuffling, data split
  std::size_t train_limit = 0;        ///< random training subset of this size (0 = all)
  std::size_t test_limit = 0;         ///< random test subset of this size (0 = all)
  bool standardize = false;           ///< z-score features (tabular data sets)
  bool normalize = false;             ///< one global mean and std for all features (images)
  std::string checkpoint_dir;         ///< write DIR/checkpoint.pt every epoch ("" = off)
  bool resume = false;                ///< continue from DIR/checkpoint.pt when it exists
  std::string log;                    ///< per-epoch CSV log ("" = off; appended on resume)
  bool keep_parameters = false;       ///< copy the final flat parameters into the result
  /// TrAct (Petersen et al., NeurIPS 2024) on the first Linear/Conv2d layer with this lambda
  /// (descent/tract/tract.hpp); 0 = off. The parameters keep their names, so checkpoints load
  /// into the plain model (and back).
  double tract_lambda = 0.0;
  /// Summary history: one row per epoch (objective = mean training loss; extras test_loss,
  /// test_accuracy). Off by default: TrainResult::epochs always has the table.
  HistoryOptions history;
  void validate() const;  ///< throws descent::InvalidOption naming the field
};

struct EpochRow {
  int epoch = 0;  ///< 1-based
  std::int64_t step = 0;
  double lr = 0, train_loss = 0, test_loss = 0, test_accuracy = 0, seconds = 0;
};

struct TrainResult {
  Summary summary;               ///< status (max_iterations = all epochs ran, diverged, stopped)
  std::vector<EpochRow> epochs;  ///< this process's epochs (after a resume: the new ones)
  int start_epoch = 0;           ///< epochs already done when this run started (resume)
  double train_loss = 0, test_loss = 0, test_accuracy = 0;  ///< after the last epoch
  std::int64_t parameters = 0;
  std::string architecture;  ///< the widths built (describe_layers), e.g. "4-128-3"
  std::int64_t train_size = 0, test_size = 0;
  std::vector<double> final_parameters;  ///< when keep_parameters
  std::string checkpoint;                ///< the checkpoint path written, if any
  /// Set when `resume` found no checkpoint (the run then starts from scratch, as a restart loop
  /// expects; the CLI prints it).
  std::string resume_note;
};

/// Runs the loop. Throws descent::Error/InvalidOption/InputError for bad options or data;
/// training failure (non-finite loss) is Status::diverged in the summary.
TrainResult run(const TrainOptions& options, Callbacks callbacks = {});

}  // namespace descent::train
