// The surrogate of offline model-based optimisation: design-baselines' probabilistic MLP
// (Trabucco et al., "Design-Bench", ICML 2022) — dense layers with leaky-ReLU and a Gaussian
// head whose log-s.d. is soft-clamped between two trainable bounds — and ensembles of them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace descent::offline_torch {

struct SurrogateOptions {
  /// Hidden widths. Default {256, 256}; design-baselines uses {2048, 2048} (a GPU budget).
  std::vector<std::int64_t> hidden{256, 256};
  /// leaky_relu (slope 0.3, Keras' default; the reference) or tanh (smooth: the finite-
  /// difference HVP then converges; with leaky-ReLU it crosses kinks, docs/offline.md).
  std::string activation = "leaky_relu";
  double initial_max_std = 0.2;  ///< the upper bound's initial value. Default 0.2.
  double initial_min_std = 0.1;  ///< the lower bound's initial value. Default 0.1.
  void validate() const;
};

/// Gaussian-head MLP: mean(x) and s.d.(x), both of shape (n). Weights start Glorot-uniform
/// (Keras' default, as the reference) from `seed` through descent's own generator, so the
/// initial weights do not depend on LibTorch's global random state and runs in parallel threads
/// are reproducible (torch::nn::Linear's own initialisation still draws from that state before
/// it is overwritten).
class GaussianMlpImpl : public torch::nn::Module {
 public:
  GaussianMlpImpl(std::int64_t inputs, const SurrogateOptions& options, std::uint64_t seed);
  struct Output {
    torch::Tensor mean, std;
  };
  Output forward(const torch::Tensor& x);
  torch::Tensor mean(const torch::Tensor& x) { return forward(x).mean; }
  /// −log N(y | mean, s.d.²) per row.
  torch::Tensor nll(const torch::Tensor& x, const torch::Tensor& y);
  std::int64_t inputs() const noexcept { return inputs_; }

 private:
  std::int64_t inputs_;
  bool tanh_ = false;
  std::vector<torch::nn::Linear> layers_;
  torch::nn::Linear head_{nullptr};
  torch::Tensor max_logstd_, min_logstd_;
};
TORCH_MODULE(GaussianMlp);

/// How the means of an ensemble are combined when optimising designs. The reference code's
/// "mean" applies a minimum (search_nas_co.md §4.2, pitfall 3); here mean is the mean.
enum class Aggregation { mean, min };
Aggregation aggregation_from_string(const std::string& s);
std::string_view to_string(Aggregation a) noexcept;

/// The combined mean prediction (n) of the members on x.
torch::Tensor aggregate_mean(std::vector<GaussianMlp>& members, const torch::Tensor& x,
                             Aggregation aggregation);

}  // namespace descent::offline_torch
