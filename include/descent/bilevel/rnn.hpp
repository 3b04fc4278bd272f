// A small Elman RNN classifier in Eigen (hand-written backprop through time) and the data
// hyper-cleaning problem BO-REP is demonstrated on (spec §3.5, BO-3).
//
// Model: h_t = tanh(W_in x_t + W_h h_{t−1} + b), p = max_t h_t (max-pool over time),
// logits = W_o p + b_o, softmax cross-entropy. Sequences have a fixed length, so the pooling
// never sees padding (the official code's max-pool includes zero padding).
// Hessian-vector products are central finite differences of exact gradients in double
// (tests check them against second differences of the loss); ∇²_xy g·v needs only forward
// passes, because g is linear in each per-sample weight.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "descent/bilevel/problem.hpp"

namespace descent::bilevel {

struct ElmanShape {
  int input = 8;              ///< features per time step
  int hidden = 32;            ///< hidden units
  int steps = 8;              ///< sequence length (a row of X holds steps × input values)
  int classes = 10;           ///< output classes
  Eigen::Index size() const;  ///< number of parameters
};

class ElmanClassifier {
 public:
  explicit ElmanClassifier(ElmanShape shape);
  const ElmanShape& shape() const noexcept { return shape_; }
  /// U(−1/√hidden, 1/√hidden) weights (PyTorch's nn.RNN/nn.Linear style), zero biases.
  Vec init(Rng& rng) const;
  /// (1/n) Σ_j w_j CE_j over the rows of x (w = 1 when weights is null). Fills the gradient
  /// and the per-sample losses CE_j when asked.
  double loss(const Vec& theta, const Mat& x, const std::vector<int>& labels,
              const Vec* weights = nullptr, Vec* grad = nullptr, Vec* per_sample = nullptr) const;
  std::vector<int> predict(const Vec& theta, const Mat& x) const;
  double accuracy(const Vec& theta, const Mat& x, const std::vector<int>& labels) const;

 private:
  ElmanShape shape_;
};

/// Training/validation/test sequences for hyper-cleaning, with some training labels flipped.
struct HypercleanData {
  Mat train_x, val_x, test_x;
  std::vector<int> train_y, val_y, test_y;  ///< train_y holds the (noisy) labels used
  std::vector<bool> flipped;                ///< per training sample
  int classes = 10;
};

/// sklearn digits as 8 steps of 8 pixels: a seeded split into n_train / n_val / the rest, and
/// `flip_fraction` of the training labels replaced by a different random class.
HypercleanData make_digits_hyperclean(double flip_fraction, std::uint64_t seed,
                                      Eigen::Index n_train = 1000, Eigen::Index n_val = 300);

/// Data hyper-cleaning: x = per-sample logits λ (weights σ(λ_i)), y = RNN parameters θ.
///   g(λ, θ) = (1/n) Σ_i σ(λ_i) CE_i(θ) + (reg/2)‖θ‖²     (train, noisy labels)
///   f(λ, θ) = mean CE on the clean validation set
/// The regulariser is the squared norm (the official code uses the norm, which is not
/// differentiable at 0). sample() draws a training and a validation minibatch.
class HypercleanRnn final : public BilevelProblem {
 public:
  HypercleanRnn(HypercleanData data, ElmanShape shape, std::size_t batch = 64,
                std::size_t val_batch = 100, double reg = 1e-4);
  Eigen::Index dim_x() const override { return data_.train_x.rows(); }
  Eigen::Index dim_y() const override { return shape_.size(); }
  void sample(Rng& rng) override;
  /// Uses the whole training and validation sets until the next sample() call.
  void use_full_batches();
  double upper(const Vec& x, const Vec& y) const override;
  void upper_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const override;
  void lower_grad_y(const Vec& x, const Vec& y, Vec& gy) const override;
  void lower_hvp_yy(const Vec& x, const Vec& y, const Vec& v, Vec& out) const override;
  void lower_jvp_xy(const Vec& x, const Vec& y, const Vec& v, Vec& out) const override;
  /// g on the current training batch (for finite-difference checks).
  double lower_value(const Vec& x, const Vec& y) const;
  const ElmanClassifier& model() const noexcept { return model_; }
  const HypercleanData& data() const noexcept { return data_; }

 private:
  void gather();
  HypercleanData data_;
  ElmanShape shape_;
  ElmanClassifier model_;
  std::size_t batch_, val_batch_;
  double reg_;
  std::vector<Eigen::Index> tb_, vb_;  // current batch indices
  Mat tx_, vx_;                        // their rows
  std::vector<int> ty_, vy_;
};

/// ROC-AUC of `score` for separating positives (label true) from negatives; ties count ½.
double roc_auc(const Vec& score, const std::vector<bool>& positive);

}  // namespace descent::bilevel
