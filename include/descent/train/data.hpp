// Data sets as tensors for the LibTorch training loop, built on descent::data::load.
//
//   auto split = train::load_split("fashion-mnist", {.train_limit = 10000});
//   auto model = train::make_model("mlp:784-128-10", split.train.shape, split.train.classes);
//
// Features are float32 rows in [N, d] (images flattened row-major, pixels in [0, 1]); labels are
// int64 class indices. Fashion-MNIST uses its official test split; every other set a seeded
// stratified split (data::train_validation_split) of the loaded samples.
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
  std::int64_t size() const { return x.defined() ? x.size(0) : 0; }
};

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
};

/// Loads `name` (any data::dataset_names() entry) and splits it into train/test tensors.
DataSplit load_split(const std::string& name, const SplitOptions& options = {});

}  // namespace descent::train
