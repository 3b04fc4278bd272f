// Saliency maps of a descent::train model (a torch::nn::Sequential taking flat input rows):
// every layer's NormGrad and the baselines from one forward and one backward pass,
// meta-saliency, cascading re-initialisation and the pointing game. The map math itself is in
// saliency.hpp.
//
//   auto model = train::make_model(meta.model, meta.input, meta.classes);
//   train::load_checkpoint(path, *model, nullptr);
//   model->eval();
//   saliency::Maps m = saliency::explain(model, images, classes, saliency::conv_layers(model));
//   torch::Tensor combi = saliency::combined(m.normgrad, 64, 64);
//
// Layers are named "conv1", "conv2", ...: the k-th Conv2d's output after the batch norm and the
// element-wise activation that directly follow it (the conv's own output when none do). In-place
// activations would corrupt the kept tensors; the train models use none.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace descent::saliency {

/// The explainable layers of `model`, in forward order ("conv1", ...; empty for an MLP).
std::vector<std::string> conv_layers(torch::nn::Sequential& model);

/// One forward pass of `input` (B × C × H × W, flattened for the model) keeping the activations
/// of `layers`. Throws descent::InvalidOption (field "layer") for an unknown name, listing the
/// known ones.
struct Forward {
  torch::Tensor logits;                    ///< B × classes
  std::vector<torch::Tensor> activations;  ///< one per requested layer, B × C × h × w
};
Forward forward_keeping(torch::nn::Sequential& model, const torch::Tensor& input,
                        const std::vector<std::string>& layers);

/// Every map for the logit of `classes` (one per input), from one forward and one backward
/// pass.
struct Maps {
  std::vector<std::string> layers;          ///< as requested
  std::vector<torch::Tensor> normgrad;      ///< per layer, B × h × w (NormGrad, conv1x1 + norm)
  std::vector<torch::Tensor> normgrad_3x3;  ///< per layer (the conv3x3 variant)
  std::vector<torch::Tensor> gradcam;       ///< per layer (meaningful at the last one only)
  torch::Tensor gradient;                   ///< B × H × W, ‖∂s/∂input‖ over channels
  torch::Tensor gradient_x_input;           ///< B × H × W
  torch::Tensor logits;                     ///< B × classes (detached)
};
Maps explain(torch::nn::Sequential& model, const torch::Tensor& input, const torch::Tensor& classes,
             const std::vector<std::string>& layers);

/// Meta-saliency (spec 4.1, after the official TorchRay fork): for each input alone, one SGD
/// step of size `lr` on the cross-entropy of its class (gradient ascent when `negate`, which
/// shows the evidence against it), the maps with the updated weights, then the weights
/// restored exactly. The model is left as it was.
Maps meta_explain(torch::nn::Sequential& model, const torch::Tensor& input,
                  const torch::Tensor& classes, const std::vector<std::string>& layers,
                  double lr = 1e-4, bool negate = false);

/// Cascading randomisation (Adebayo et al., NeurIPS 2018): re-initialises, with LibTorch's
/// default initialisers and torch's global generator, the last `count` layers that have
/// parameters, from the output back. Returns how many were re-initialised.
std::size_t reinitialize_top_layers(torch::nn::Sequential& model, std::size_t count);

/// The pointing game (Zhang et al.; spec 4.5): the fraction of images whose map peaks inside
/// the object's box grown by `tolerance` pixels, for every method, maps explaining the
/// predicted class.
struct PointingOptions {
  std::int64_t tolerance = 3;  ///< pixels added to every side of the box
  std::int64_t batch = 128;    ///< images per forward/backward pass
};
struct PointingScore {
  std::string method;  ///< "normgrad:conv2", "normgrad-3x3:conv2", "combi", "gradient",
                       ///< "gradient-x-input", "gradcam:convK" (last layer), "center"
  double hit_rate = 0;
};
struct PointingResult {
  std::vector<PointingScore> scores;  ///< in the order above
  double accuracy = 0;                ///< of the model on these images
  /// The expected hit rate of a uniformly random point: mean grown-box area / image area.
  double box_area_baseline = 0;
  std::int64_t images = 0;
  double hit(const std::string& method) const;  ///< throws descent::InvalidOption if absent
};
/// `images` B × C × H × W, `labels` B, `boxes` B × 4 (top, left, bottom, right; exclusive).
/// "center" is the constant map peaking at the image centre.
PointingResult pointing_game(torch::nn::Sequential& model, const torch::Tensor& images,
                             const torch::Tensor& labels, const torch::Tensor& boxes,
                             const std::vector<std::string>& layers,
                             const PointingOptions& options = {});

}  // namespace descent::saliency
