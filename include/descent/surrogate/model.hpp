// Models f(x; θ) whose outputs are SSO's "targets" z, evaluated on batches of rows of a fixed
// feature matrix (Eigen front end).
//
// In J. W. Lavington, S. Vaswani et al., "Target-based Surrogates for Stochastic Optimization",
// ICML 2023, model evaluations and their backward passes are the *cheap* part of an
// optimisation step; the target gradient ∇_z ℓ is the expensive one.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <Eigen/Core>

namespace descent::surrogate {

/// What a forward pass keeps for the backward pass (model specific).
struct ForwardState {
  Eigen::MatrixXd pre;     ///< pre-activations (MLP)
  Eigen::MatrixXd hidden;  ///< activations (MLP)
};

class TargetModel {
 public:
  virtual ~TargetModel() = default;
  virtual std::string name() const = 0;
  virtual Eigen::Index parameters() const = 0;
  virtual Eigen::Index outputs() const = 0;  ///< K targets per sample
  virtual Eigen::Index samples() const = 0;  ///< rows of the feature matrix
  /// A seeded initial θ.
  virtual Eigen::VectorXd initial_parameters(std::uint64_t seed) const = 0;
  /// z (|batch| x K) = f_batch(θ). `state` (may be null) keeps what backward() needs.
  virtual void forward(const Eigen::VectorXd& theta, std::span<const Eigen::Index> batch,
                       Eigen::MatrixXd& z, ForwardState* state) const = 0;
  /// grad = J_f(θ)ᵀ w for the batch and state of the matching forward() (w is |batch| x K).
  virtual void backward(const Eigen::VectorXd& theta, std::span<const Eigen::Index> batch,
                        const ForwardState& state, const Eigen::MatrixXd& w,
                        Eigen::VectorXd& grad) const = 0;
};

/// z_i = Wᵀ x_i with W (d x K) stored column by column in θ (include an intercept column in X
/// yourself). Initial θ = 0.
class LinearModel : public TargetModel {
 public:
  LinearModel(std::shared_ptr<const Eigen::MatrixXd> x, Eigen::Index outputs);
  std::string name() const override { return "linear"; }
  Eigen::Index parameters() const override { return x_->cols() * k_; }
  Eigen::Index outputs() const override { return k_; }
  Eigen::Index samples() const override { return x_->rows(); }
  Eigen::VectorXd initial_parameters(std::uint64_t seed) const override;
  void forward(const Eigen::VectorXd& theta, std::span<const Eigen::Index> batch,
               Eigen::MatrixXd& z, ForwardState* state) const override;
  void backward(const Eigen::VectorXd& theta, std::span<const Eigen::Index> batch,
                const ForwardState& state, const Eigen::MatrixXd& w,
                Eigen::VectorXd& grad) const override;
  const Eigen::MatrixXd& features() const noexcept { return *x_; }

 private:
  std::shared_ptr<const Eigen::MatrixXd> x_;
  Eigen::Index k_;
};

/// One hidden layer: z = W2 act(W1 x + b1) + b2 with act = ReLU or tanh. θ = [vec(W1) (h x d,
/// column-major), b1, vec(W2) (K x h), b2]. Initial θ: PyTorch's default nn.Linear init,
/// U(−1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases, from the seed.
class MlpModel : public TargetModel {
 public:
  enum class Activation { relu, tanh };
  MlpModel(std::shared_ptr<const Eigen::MatrixXd> x, Eigen::Index hidden, Eigen::Index outputs,
           Activation activation = Activation::relu);
  std::string name() const override;
  Eigen::Index parameters() const override;
  Eigen::Index outputs() const override { return k_; }
  Eigen::Index samples() const override { return x_->rows(); }
  Eigen::VectorXd initial_parameters(std::uint64_t seed) const override;
  void forward(const Eigen::VectorXd& theta, std::span<const Eigen::Index> batch,
               Eigen::MatrixXd& z, ForwardState* state) const override;
  void backward(const Eigen::VectorXd& theta, std::span<const Eigen::Index> batch,
                const ForwardState& state, const Eigen::MatrixXd& w,
                Eigen::VectorXd& grad) const override;

 private:
  std::shared_ptr<const Eigen::MatrixXd> x_;
  Eigen::Index h_, k_;
  Activation act_;
};

/// Rows `batch` of x (copied; batches are small).
Eigen::MatrixXd gather_rows(const Eigen::MatrixXd& x, std::span<const Eigen::Index> batch);

}  // namespace descent::surrogate
