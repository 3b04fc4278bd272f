// NoProp-DT behind a torch-free interface, for `descent train --method noprop` (the CLI and
// experiments include only this header).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "descent/core/callbacks.hpp"
#include "descent/core/status.hpp"

namespace descent::noprop {

struct RunOptions {
  std::string data = "digits";  ///< train::load_split name
  /// Block architecture: "mlp:H" (hidden width H) or "cnn"/"cnn:H" (conv blocks, images).
  std::string model = "mlp:256";
  int blocks = 10;
  std::string embedding = "onehot";  ///< onehot | learned
  int embedding_dim = 20;
  double eta = 0.1;
  bool inference_noise = true;
  bool backprop = false;  ///< train the same architecture end to end instead (the baseline)
  int epochs = 5;
  std::size_t batch = 128;
  double lr = 1e-3;
  double weight_decay = 1e-3;
  std::uint64_t seed = 0;
  std::size_t train_limit = 0, test_limit = 0;
  bool standardize = false, normalize = false;
  /// Write DIR/noprop.pt (the model's parameters and buffers, torch::save format) after every
  /// epoch ("" = off).
  std::string checkpoint_dir;
};

struct RunRow {
  int epoch = 0;
  double train_loss = 0, test_accuracy = 0, seconds = 0;
};

struct RunResult {
  Summary summary;  ///< max_iterations (all epochs ran), stopped, or diverged
  std::vector<RunRow> epochs;
  double test_accuracy = 0;           ///< as the options say (noise or not)
  double test_accuracy_no_noise = 0;  ///< the deterministic inference path
  std::int64_t parameters = 0, train_size = 0, test_size = 0;
  std::string checkpoint;
};

/// Throws descent::Error/InvalidOption for bad options or data.
RunResult run(const RunOptions& options, Callbacks callbacks = {});

}  // namespace descent::noprop
