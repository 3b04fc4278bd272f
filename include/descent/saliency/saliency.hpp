// Backpropagation saliency at any layer: NormGrad and its baselines.
//
//   S.-A. Rebuffi, R. Fong, X. Ji, A. Vedaldi, "There and Back Again: Revisiting
//   Backpropagation Saliency Methods", CVPR 2020 (arXiv:2004.02866).
//
// x(u) ∈ ℝ^C is a layer's activation at location u and g(u) = ∂s/∂x(u) the gradient of the
// explained score s (a pre-softmax logit). A virtual identity 1×1 convolution inserted after the
// layer has the weight gradient Σ_u g(u) x(u)ᵀ; NormGrad keeps the per-location terms and takes
// their Frobenius norms, which for a rank-one term is
//
//   S(u) = ‖x(u)‖₂ · ‖g(u)‖₂                      (never materialising C×C per location)
//
// and the 3×3 variant uses the 3×3 neighbourhood of x, ‖g(u)‖₂·‖unfold₃ₓ₃(x)(u)‖₂. Maps from
// several layers of one backward pass are upsampled bilinearly to the input, min-max normalised
// and multiplied ("combi"). Grad-CAM, the input gradient and gradient × input are the
// baselines. Every map here takes activations and gradients already computed (LibTorch 1.13
// has no module hooks: models return the activations, and torch::autograd::grad gives all
// layers' gradients in one backward pass; see layer_gradients()).
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace descent::saliency {

/// ∂score/∂activation for every activation, from one backward pass. `score` is summed over
/// the batch (each sample's score depends only on its own activations).
std::vector<torch::Tensor> layer_gradients(const torch::Tensor& score,
                                           const std::vector<torch::Tensor>& activations);

/// NormGrad (conv1x1 + norm): B × H × W maps ‖x(u)‖·‖g(u)‖ from x and g of shape B × C × H × W.
torch::Tensor normgrad(const torch::Tensor& x, const torch::Tensor& g);
/// NormGrad with a 3×3 virtual convolution (zero padding 1): ‖g(u)‖·‖unfold₃ₓ₃(x)(u)‖.
torch::Tensor normgrad_3x3(const torch::Tensor& x, const torch::Tensor& g);
/// Selective NormGrad (scaling + filter norm): ‖[x(u) ⊙ g(u)]₊‖₂.
torch::Tensor normgrad_selective(const torch::Tensor& x, const torch::Tensor& g);
/// Grad-CAM: ReLU(Σ_c w_c x_c(u)) with w_c the spatial mean of g_c.
torch::Tensor gradcam(const torch::Tensor& x, const torch::Tensor& g);
/// The input gradient's norm over channels, ‖∂s/∂input(u)‖₂ (B × H × W).
torch::Tensor gradient_map(const torch::Tensor& input_gradient);
/// |Σ_c input_c(u) · ∂s/∂input_c(u)|.
torch::Tensor gradient_times_input(const torch::Tensor& input, const torch::Tensor& input_gradient);

/// Bilinear upsampling of B × h × w maps to height × width, then per-map min-max scaling to
/// [0, 1] (a constant map becomes 0).
torch::Tensor normalized(const torch::Tensor& maps, std::int64_t height, std::int64_t width);
/// The element-wise product of the normalised maps ("combi").
torch::Tensor combined(const std::vector<torch::Tensor>& maps, std::int64_t height,
                       std::int64_t width);

/// Location of each map's maximum, as (row, column) pairs (B × 2, int64).
torch::Tensor argmax_location(const torch::Tensor& maps);

/// Hits: each map's maximum (after upsampling to the canvas, see normalized()) lies inside its
/// box grown by `tolerance` pixels. Returns a boolean N-vector.
torch::Tensor pointing_hits(const torch::Tensor& maps, const torch::Tensor& boxes,
                            std::int64_t canvas, std::int64_t tolerance = 3);

/// Pearson correlation of two maps (flattened); 0 when either is constant.
double pearson(const torch::Tensor& a, const torch::Tensor& b);
/// Spearman rank correlation (average ranks for ties), as scipy.stats.spearmanr.
double spearman(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace descent::saliency
