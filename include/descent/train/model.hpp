// Model builder for the shared LibTorch training loop (and for `descent hessian`).
//
// Every model takes FLAT input rows [N, input.features()] and returns logits [N, classes], so
// data sets, curvature code and checkpoints never care about image shapes; a CNN unflattens its
// input itself. Specs:
//   "mlp:784-128-10"   fully connected, ReLU between layers; the first number must equal the input
//                      width and the last the number of classes
//   "mlp:128-64"       the same with input/classes taken from the data (hidden sizes only)
//   "linear"           multinomial logistic regression (one Linear layer)
//   "cnn-small"        conv3x3(1->16)-ReLU-maxpool2, conv3x3(16->32)-ReLU-maxpool2, Linear ->
//   classes
//                      (~20k parameters for 28x28 inputs; needs an image shape)
//   "patch-cnn"        conv4x4/4(1->32)-ReLU, conv3x3(32->64)-ReLU, global average pool, Linear
//                      (TrAct's patch CNN, spec 1.5; ~19k parameters)
//   "gmp-cnn"          conv5x5/2(1->16), conv3x3/2(16->32), conv3x3(32->32), maxpool2,
//                      conv3x3(32->64), each with batch norm and ReLU, global MAX pool, Linear
//                      (the NormGrad pointing-game CNN, spec 4.5; ~33k parameters, >= 16x16)
//   "gap-cnn"          the same with global average pooling
// Models with batch norm are trained in train mode and evaluated in eval mode (train::run).
// Parameters are float32 and initialised by LibTorch's defaults from torch's global generator:
// call torch::manual_seed(seed) first for a reproducible model; use model->to(torch::kFloat64)
// for double-precision curvature checks.
#pragma once

#include <cstdint>
#include <string>

#include <torch/torch.h>

namespace descent::train {

/// The shape of one input row: channels x height x width for images (height = width = 0 for
/// plain feature vectors, where `channels` is the width).
struct InputShape {
  std::int64_t channels = 0;
  std::int64_t height = 0;
  std::int64_t width = 0;
  std::int64_t features() const noexcept {
    return height > 0 ? channels * height * width : channels;
  }
  bool is_image() const noexcept { return height > 0 && width > 0; }
};

/// Builds the model named by `spec` (see the top of this file). Throws descent::InvalidOption
/// (field "model") for an unknown or inconsistent spec.
torch::nn::Sequential make_model(const std::string& spec, const InputShape& input,
                                 std::int64_t classes);

/// Number of trainable scalars.
std::int64_t parameter_count(const torch::nn::Module& model);
/// The layer widths actually built, e.g. "4-128-3" for mlp:128 on iris (the Linear layers'
/// in/out features; "conv-" first for a network with convolutions).
std::string describe_layers(const torch::nn::Sequential& model);

/// All trainable parameters flattened into one vector (a copy), and the inverse.
torch::Tensor flat_parameters(const torch::nn::Module& model);
void set_flat_parameters(torch::nn::Module& model, const torch::Tensor& flat);

}  // namespace descent::train
