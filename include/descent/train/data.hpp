// Data sets as tensors for the LibTorch training loop, built on descent::data::load.
//
//   auto split = train::load_split("fashion-mnist", {.train_limit = 10000});
//   auto model = train::make_model("mlp:784-128-10", split.train.shape, split.train.classes);
//
// Features are float32 rows in [N, d] (images flattened row-major, pixels in [0, 1]); labels are
// int64 class indices. Fashion-MNIST uses its official test split; every other set a seeded
// stratified split (data::train_validation_split) of the loaded samples.
//
// "<image set>-canvas" (e.g. "fashion-mnist-canvas") is the synthetic pointing game of NormGrad's
// spec (4.5): every image of the set pasted at a seeded random position on a 64×64 noise canvas
// (see paste_on_canvas), with each object's box kept in TensorDataset::boxes.
#pragma once

#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "descent/data/datasets.hpp"
#include "descent/train/model.hpp"

namespace descent::train {

struct TensorDataset {
  torch::Tensor x;  ///< [N, d] float32
  torch::Tensor y;  ///< [N] int64
  std::int64_t classes = 0;
  InputShape shape;
  /// Localisation sets only (else undefined): N × 4 int64 boxes (top, left, bottom, right),
  /// bottom and right exclusive, of the object in each image.
  torch::Tensor boxes;
  std::int64_t size() const { return x.defined() ? x.size(0) : 0; }
};

/// The synthetic pointing game's canvases (NormGrad spec 4.5).
struct CanvasOptions {
  std::int64_t size = 64;  ///< canvas height and width (>= the items')
  double noise = 0.1;      ///< standard deviation of the Gaussian background
  std::uint64_t seed = 0;  ///< positions and noise
};
/// Pastes each one-channel image of `items` (added to the noise) at a uniformly random
/// position on a size × size canvas and records its box. Throws descent::InvalidOption for
/// multi-channel or non-image items, or items larger than the canvas.
TensorDataset paste_on_canvas(const TensorDataset& items, const CanvasOptions& options);

/// Converts a classification data set (throws descent::InvalidOption for a regression set).
TensorDataset to_tensors(const data::Dataset& d);

struct SplitOptions {
  std::size_t train_limit = 0;  ///< keep the first N training samples (0 = all)
  std::size_t test_limit = 0;   ///< keep the first N test samples (0 = all)
  double test_fraction = 0.2;   ///< for sets without an official test split
  std::uint64_t seed = 0;       ///< for that split
  bool standardize = false;     ///< z-score features with train statistics (tabular sets)
  /// Subtract the training set's global mean and divide by its global std (one pair for all
  /// pixels: images, where per-pixel z-scores would blow up constant border pixels).
  bool normalize = false;
};

struct DataSplit {
  TensorDataset train, test;
  /// The affine map applied to every feature when `normalize` is on (x -> (x - shift) * scale;
  /// 0 and 1 otherwise), so that a single new input can be prepared as the model saw its data.
  double input_shift = 0.0, input_scale = 1.0;
};

/// Loads `name` (any data::dataset_names() entry, or "<image set>-canvas") and splits it into
/// train/test tensors.
DataSplit load_split(const std::string& name, const SplitOptions& options = {});

}  // namespace descent::train
