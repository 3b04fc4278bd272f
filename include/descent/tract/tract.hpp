// TrAct: trainable first-layer pre-activations.
//
//   F. Petersen, C. Borgelt, T. Sutter, H. Kuehne, O. Deussen, S. Ermon, "TrAct: Making
//   First-layer Pre-Activations Trainable", NeurIPS 2024 (official code: Felix-Petersen/tract).
//
// A first layer z = W x gets the weight gradient of a step on its activations followed by the
// least-squares W that reproduces them, with a proximity term λ:
//
//   G̃ = Gᵀ A (AᵀA/N + λ I_n)⁻¹                         (direct, N >= n)
//     = Gᵀ (A Aᵀ/N + λ I_N)⁻¹ A                         (Woodbury, N < n; the same matrix)
//
// where A (N × n) holds the layer's N input rows (Linear) or unfolded patches (Conv2d) and
// G (N × m) their output gradients, so Gᵀ A is the ordinary weight gradient. Recomputed every
// batch; the bias gradient, the input gradient and the optimizer are unchanged. As λ → ∞,
// λ G̃ → Gᵀ A (plain gradient descent with the step divided by λ).
//
// Departures from the official code: the damped matrix is factored by Cholesky and solved, never
// inverted (its 'cholesky_inverse' branch passes the matrix where torch expects the factor);
// the convolution's weight gradient comes from the same unfold as the preconditioner instead of
// torch.nn.grad.conv2d_weight (3-4x slower in torch 1.13, spec 1.2). Dilation and groups are
// refused, as the official code does not support them.
#pragma once

#include <cstdint>

#include <torch/torch.h>

namespace descent::tract {

/// Gᵀ A (AᵀA/N + λI)⁻¹ for G (N × m) and A (N × n): m × n. Chooses the Woodbury form when
/// N < n. Throws descent::InvalidOption for λ <= 0 or mismatched shapes.
torch::Tensor preconditioned_weight_gradient(const torch::Tensor& g, const torch::Tensor& a,
                                             double lambda);

/// The two forms, for tests (the same value up to rounding).
torch::Tensor direct_weight_gradient(const torch::Tensor& g, const torch::Tensor& a, double lambda);
torch::Tensor woodbury_weight_gradient(const torch::Tensor& g, const torch::Tensor& a,
                                       double lambda);

/// A drop-in for torch::nn::Linear whose weight gradient is TrAct's. Parameters are "weight"
/// (out × in) and "bias" (out), as Linear's, so checkpoints and optimizers carry over. Inputs
/// with more than two dimensions are flattened to rows of `in` features.
class TrActLinearImpl : public torch::nn::Module {
 public:
  /// lambda > 0 (default 0.1, the paper's); LibTorch's Linear initialisation.
  TrActLinearImpl(std::int64_t in, std::int64_t out, double lambda = 0.1, bool bias = true);
  /// Shares `layer`'s weight and bias tensors (an optimizer built on them stays valid).
  TrActLinearImpl(const torch::nn::Linear& layer, double lambda);
  torch::Tensor forward(const torch::Tensor& x);
  void pretty_print(std::ostream& stream) const override;

  torch::Tensor weight, bias;  ///< bias undefined when built without one
  double lambda;
};
TORCH_MODULE(TrActLinear);

/// A drop-in for torch::nn::Conv2d (any kernel, stride and zero padding; no dilation, groups or
/// other padding modes) whose weight gradient is TrAct's over the unfolded patches.
class TrActConv2dImpl : public torch::nn::Module {
 public:
  TrActConv2dImpl(const torch::nn::Conv2dOptions& options, double lambda = 0.1);
  /// Shares `layer`'s weight and bias. Throws descent::InvalidOption for dilation, groups or a
  /// padding mode other than zeros.
  TrActConv2dImpl(const torch::nn::Conv2d& layer, double lambda);
  torch::Tensor forward(const torch::Tensor& x);
  void pretty_print(std::ostream& stream) const override;

  torch::Tensor weight, bias;
  std::int64_t stride_h, stride_w, pad_h, pad_w;
  double lambda;
};
TORCH_MODULE(TrActConv2d);

/// A copy of `model` whose first Linear or Conv2d (in order) is its TrAct form, sharing its
/// parameters; the other children are the same modules. Throws descent::InvalidOption when the
/// model has neither.
torch::nn::Sequential wrap_first_layer(const torch::nn::Sequential& model, double lambda);

}  // namespace descent::tract
