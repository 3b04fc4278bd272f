// Tier B of the DyNAS-T / LINAS checks (spec search_nas_co.md §2.5): an elastic CNN supernet
// on scikit-learn's 8x8 digits, trained once with the sandwich rule, whose sub-networks are then
// "validated" without retraining: held-out accuracy, analytic MACs and measured CPU latency.
//
// The supernet: 3 stages of up to 3 blocks (conv k x k, stride 2 in the first block of stages 2
// and 3, bias, ReLU), global average pooling and a linear head. A sub-network chooses per stage
// a depth in {1, 2, 3} (its first d blocks run) and per block a kernel in {3, 5} and a width in
// {8, 16, 24}. Weights are shared OFA-style: a block keeps the first `width` output channels
// and the input channels of whatever precedes it; a 3 x 3 kernel is the centre of the 5 x 5
// one (Cai et al., "Once-for-All", ICLR 2020, without the kernel transform matrices).
//
// Sandwich rule (Yu et al., BigNAS / slimmable networks): every step sums the losses of the
// largest, the smallest and `random_subnets` uniformly drawn sub-networks before one Adam step.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>
#include <Eigen/Core>

#include "descent/evo/space.hpp"

namespace descent::evo_torch {

inline constexpr int kStages = 3, kBlocksPerStage = 3, kBlocks = kStages * kBlocksPerStage;
inline constexpr std::array<int, 2> kKernels{3, 5};
inline constexpr std::array<int, 3> kWidths{8, 16, 24};
inline constexpr std::array<int, 3> kDepths{1, 2, 3};

/// 21 variables: ks_0..ks_8 in {3, 5}, w_0..w_8 in {8, 16, 24}, d_0..d_2 in {1, 2, 3}.
evo::SearchSpace digits_elastic_space();

struct Subnet {
  std::array<int, kBlocks> kernel{}, width{};
  std::array<int, kStages> depth{};
  /// From a row of choice indices of digits_elastic_space() (descent::Error if out of range).
  static Subnet from_indices(const Eigen::Ref<const Eigen::RowVectorXd>& indices);
  static Subnet largest();
  static Subnet smallest();
  /// Multiply-accumulates of one 8 x 8 image through the active blocks and the head.
  double macs() const;
};

class ElasticCnnImpl : public torch::nn::Module {
 public:
  ElasticCnnImpl();
  /// Logits (N x 10) of the sub-network for images N x 1 x 8 x 8.
  torch::Tensor forward(const torch::Tensor& images, const Subnet& subnet);

 private:
  std::vector<torch::Tensor> weight_, bias_;  // per block: [24, in_max, 5, 5], [24]
  torch::Tensor head_weight_, head_bias_;     // [10, 24], [10]
};
TORCH_MODULE(ElasticCnn);

struct SupernetOptions {
  int steps = 3000;             ///< Adam steps (each one sandwich of sub-networks)
  int batch = 64;               ///< images per step
  double learning_rate = 3e-3;  ///< Adam, cosine-decayed to 0
  int random_subnets = 2;       ///< random sub-networks per step besides the largest and smallest
  std::uint64_t seed = 0;
};

/// Tier B's validation: trains the supernet on the digits not held out (or loads it), then
/// answers per sub-network its held-out accuracy (359 images, a stratified fifth), analytic MACs
/// and measured latency (median of 20 batch-1 forwards after 5 warm-up ones, one thread), each
/// measured once per configuration and remembered, so repeated questions get the same answer.
class DigitsSupernet {
 public:
  /// Trains (or, if `checkpoint` names an existing file, loads) the supernet; with a checkpoint
  /// path that does not exist yet, the trained weights are saved there.
  explicit DigitsSupernet(const SupernetOptions& options = {}, const std::string& checkpoint = "");

  double accuracy(const Subnet& s);
  double latency_ms(const Subnet& s);
  /// Objectives of each row of choice indices, minimised, in the order of `objectives`
  /// ("accuracy" as −accuracy in %, "error" as 100 − accuracy, "latency" in ms, "macs" in
  /// thousands).
  void evaluate(const Eigen::MatrixXd& indices, Eigen::MatrixXd& F,
                const std::vector<std::string>& objectives);

  double train_seconds() const noexcept { return train_seconds_; }
  int held_out() const noexcept { return static_cast<int>(test_y_.size(0)); }

 private:
  ElasticCnn net_;
  torch::Tensor test_x_, test_y_;
  std::map<std::string, double> accuracy_cache_, latency_cache_;
  double train_seconds_ = 0;
};

}  // namespace descent::evo_torch
