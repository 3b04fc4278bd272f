// Checkpoints of the training loop: model parameters/buffers, optimizer state, epoch and the
// loop's RNG state in one torch-serialized file, written atomically (temp file + rename).
//
//   auto meta = train::read_checkpoint_meta(path);            // model spec, data set, epoch
//   auto model = train::make_model(meta.model, shape, classes);
//   train::load_checkpoint(path, *model, /*optimizer=*/nullptr);
//
// `descent train --checkpoint DIR` writes DIR/checkpoint.pt after every epoch; resuming from it
// reproduces an uninterrupted run bit for bit (same thread count).
#pragma once

#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "descent/train/model.hpp"

namespace descent::train {

struct CheckpointMeta {
  std::string model;       ///< the make_model spec
  std::string data;        ///< the data set name
  std::string optimizer;   ///< optimizer name (informational)
  std::int64_t epoch = 0;  ///< completed epochs
  std::int64_t step = 0;   ///< completed optimizer steps
  std::string rng_state;   ///< the loop's std::mt19937_64 state (operator<< text)
  /// TrAct's lambda on the first layer (0 = off; checkpoints written before it: 0). The
  /// parameters are the plain model's either way; a resumed run must use the same lambda.
  double tract_lambda = 0.0;
  /// What the model takes (so one new input can be checked and prepared without loading the
  /// training data): one row's shape, the number of classes and the normalisation affine map
  /// x -> (x - input_shift) * input_scale (DataSplit). Checkpoints written before these fields:
  /// shape 0 (unknown), shift 0, scale 1.
  InputShape input;
  std::int64_t classes = 0;
  double input_shift = 0.0, input_scale = 1.0;
  bool standardized = false;  ///< trained on per-feature z-scores (not reproducible from meta)
};

/// Writes the checkpoint; `optimizer` may be null. Throws descent::Error on I/O failure.
void save_checkpoint(const std::string& path, torch::nn::Module& model,
                     torch::optim::Optimizer* optimizer, const CheckpointMeta& meta);

/// Restores model (and optimizer when non-null) in place and returns the metadata. Throws
/// descent::InputError naming the file for a missing or corrupt checkpoint.
CheckpointMeta load_checkpoint(const std::string& path, torch::nn::Module& model,
                               torch::optim::Optimizer* optimizer);

/// Reads only the metadata (to rebuild the model before load_checkpoint).
CheckpointMeta read_checkpoint_meta(const std::string& path);

/// A trained model rebuilt from its checkpoint, in eval mode, float32, plain layers (a TrAct
/// first layer trains differently but computes the same forward).
struct LoadedModel {
  torch::nn::Sequential model{nullptr};
  CheckpointMeta meta;  ///< input shape and classes filled in for older checkpoints too
};
/// Rebuilds and loads the model. For a checkpoint written before the input shape was recorded,
/// the shape and classes come from loading its data set. Throws descent::InputError naming the
/// file for a missing or unreadable checkpoint.
LoadedModel load_model(const std::string& path);

}  // namespace descent::train
