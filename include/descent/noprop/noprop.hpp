// NoProp-DT: a classifier trained one denoising block at a time, with no gradient crossing
// blocks (Li, Teh & Pascanu, arXiv 2503.24322; spec §2 of nn_training_methods.md; no official
// code exists, the community ports disagree on five points, each an option here).
//
// T blocks, each û_t(z_{t−1}, x) = softmax(block_t(x, z_{t−1})) · W_Embed, a convex combination
// of the class embeddings; a classifier p̂(y | z_T) = softmax(W_out z_T + b). Training block t
// on a minibatch (Algorithm 1, DT):
//   z_{t−1} ~ q(z_{t−1} | y) = N(√ᾱ_{t−1} u_y, (1 − ᾱ_{t−1}) I)   (closed form, no other block)
//   z_T     ~ q(z_T | y)
//   loss = CE(W_out z_T + b, y) + KL(q(z_0|y) ‖ N(0, I)) + (T/2)·η·(SNR(t) − SNR(t−1))·‖û_t − u_y‖²
// and only block t, the classifier and (learned) the embedding take a step, each with its own
// AdamW (one optimizer over everything would still move idle blocks through momentum and
// weight decay: LibTorch 1.13's zero_grad keeps zero gradients). Inference: z_0 ~ N(0, I),
// z_t = a_t û_t + b_t z_{t−1} + √c_t ε_t, predict argmax p̂(y | z_T); without noise z_0 = 0
// and ε_t = 0 (deterministic; the community reports it is at least as accurate).
//
// Options (defaults: the paper's MNIST DT row):
//   blocks 10, embedding onehot (d = classes) | learned (d = embedding_dim, 20, orthogonal
//   init), eta 0.1, block mlp | cnn, hidden 256, inference_noise true, epochs 5, batch 128,
//   lr 1e-3, weight_decay 1e-3 (AdamW), seed 0.
// Blocks: the image branch (mlp: Linear(in, hidden)-ReLU; cnn: conv3×3 16-ReLU-pool2,
// conv3×3 32-ReLU-pool2, Linear(., hidden)-ReLU: the spec's CPU-scale shrink of Fig. 6), the
// label branch Linear(d, hidden)-ReLU, the merge Linear(2·hidden, hidden)-ReLU-Linear(., classes).
// Batch norm and dropout of Fig. 6 are left out (documented in docs/noprop.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "descent/noprop/schedule.hpp"
#include "descent/train/data.hpp"

namespace descent::noprop {

struct NoPropOptions {
  int blocks = 10;
  std::string embedding = "onehot";  ///< onehot | learned
  int embedding_dim = 20;            ///< learned embeddings only
  double eta = 0.1;
  std::string block = "mlp";  ///< mlp | cnn (image inputs)
  int hidden = 256;
  bool inference_noise = true;
  int epochs = 5;
  int batch = 128;
  double lr = 1e-3;
  double weight_decay = 1e-3;
  std::uint64_t seed = 0;
  /// Throws descent::InvalidOption naming the first bad field.
  void validate() const;
};

class BlockImpl : public torch::nn::Module {
 public:
  BlockImpl(const train::InputShape& input, std::int64_t embed_dim, std::int64_t classes,
            std::int64_t hidden, const std::string& kind);
  /// Class logits from the raw input rows x [N, features] and the noisy label z [N, d].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& z);

 private:
  train::InputShape input_;
  bool conv_ = false;
  torch::nn::Sequential image_{nullptr}, label_{nullptr}, merge_{nullptr};
};
TORCH_MODULE(Block);

class NoPropDTImpl : public torch::nn::Module {
 public:
  NoPropDTImpl(const train::InputShape& input, std::int64_t classes, const NoPropOptions& o);

  int blocks() const { return static_cast<int>(blocks_.size()); }
  std::int64_t classes() const { return classes_; }
  const NoiseSchedule& schedule() const { return schedule_; }
  bool learned_embedding() const { return learned_; }
  /// W_Embed [classes, d].
  torch::Tensor embedding() const { return embed_; }
  /// Block t (1-based).
  Block block(int t) const { return blocks_.at(static_cast<std::size_t>(t - 1)); }
  /// The classifier and (learned) the embedding: the parameters every step updates.
  std::vector<torch::Tensor> head_parameters() const;

  /// Block t's logits and its estimate û_t = softmax(logits) · W_Embed.
  torch::Tensor logits(int t, const torch::Tensor& x, const torch::Tensor& z);
  torch::Tensor denoise(int t, const torch::Tensor& x, const torch::Tensor& z);
  /// Logits of p̂(y | z).
  torch::Tensor classify(const torch::Tensor& z);
  /// The inference chain's class logits; with noise, z_0 and ε_t come from `generator`.
  torch::Tensor infer(const torch::Tensor& x, bool noise, std::uint64_t seed = 0);
  /// The noise-free chain from z_0 = 0, differentiable end to end: the back-propagation
  /// baseline's forward pass on the same architecture.
  torch::Tensor chain(const torch::Tensor& x);

 private:
  NoiseSchedule schedule_;
  std::int64_t classes_;
  bool learned_;
  std::vector<Block> blocks_;
  torch::Tensor embed_;
  torch::nn::Linear out_{nullptr};
};
TORCH_MODULE(NoPropDT);

/// The three parts of one block step's loss.
struct StepLoss {
  double total = 0, ce = 0, kl = 0, denoise = 0;
};

/// NoProp-DT training state: one AdamW per block and one for the head.
class Trainer {
 public:
  Trainer(NoPropDT model, const NoPropOptions& options);
  /// One step on block t (1-based) with the minibatch (x, y).
  StepLoss step(int t, const torch::Tensor& x, const torch::Tensor& y);

 private:
  NoPropDT model_;
  NoPropOptions options_;
  std::vector<std::unique_ptr<torch::optim::AdamW>> block_opt_;
  std::unique_ptr<torch::optim::AdamW> head_opt_;
};

struct EpochReport {
  int epoch = 0;
  double train_loss = 0;     ///< mean step loss (NoProp) or cross-entropy (back-prop)
  double test_accuracy = 0;  ///< inference as the options say
  double seconds = 0;        ///< this epoch's training time
};

/// Return false to stop after this epoch.
using EpochCallback = std::function<bool(const EpochReport&)>;

/// Trains with NoProp-DT (every block sees the whole training set each epoch, blocks in order
/// 1..T) and reports the test accuracy after each epoch.
std::vector<EpochReport> train_noprop(NoPropDT model, const train::DataSplit& split,
                                      const NoPropOptions& options,
                                      const EpochCallback& on_epoch = {});
/// The baseline: the same model trained end to end through chain() with one AdamW.
std::vector<EpochReport> train_backprop(NoPropDT model, const train::DataSplit& split,
                                        const NoPropOptions& options,
                                        const EpochCallback& on_epoch = {});
/// Accuracy of infer() (NoProp) or chain() (use_chain) on a set, in batches.
double accuracy(NoPropDT model, const train::TensorDataset& data, bool noise, bool use_chain,
                std::uint64_t seed = 0);

}  // namespace descent::noprop
