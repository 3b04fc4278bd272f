// Direct first-order baselines for SSO: SGD, Adam and SLS (stochastic Armijo line search) on the
// batch loss L_S(θ) = ℓ_S(f_S(θ)), with the same cost counters as SSO (one expensive target
// gradient per step).
//
//   SGD:  θ ← θ − α ∇L_S(θ).
//   Adam: D. P. Kingma, J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015
//         (LibTorch's form and defaults).
//   SLS:  S. Vaswani, A. Mishkin, I. Laradji, M. Schmidt, G. Gidel, S. Lacoste-Julien,
//         "Painless Stochastic Gradient: Interpolation, Line-Search, and Convergence Rates",
//         NeurIPS 2019: s ← s_{t−1}·γ^{|S|/N}, then backtrack s ← β s until
//         L_S(θ − s∇L_S) <= L_S(θ) − c·s·‖∇L_S‖² (each trial: one forward + one loss value);
//         the reset step is capped at sls_max_step as in the authors' package.
#pragma once

#include <cstddef>

#include <Eigen/Core>

#include "descent/surrogate/inner.hpp"
#include "descent/surrogate/loss.hpp"
#include "descent/surrogate/model.hpp"
#include "descent/surrogate/stepper.hpp"

namespace descent::surrogate {

enum class DirectMethod { sgd, adam, sls };

struct DirectOptions {
  DirectMethod method = DirectMethod::sgd;
  double step_size = 0.1;  ///< SGD α; Adam uses adam.lr
  AdamOptions adam;
  // SLS (paper defaults):
  double sls_initial_step = 1.0;
  double sls_c = 0.1;
  double sls_beta = 0.9;
  double sls_gamma = 2.0;      ///< reset factor γ^{|S|/N}
  double sls_max_step = 10.0;  ///< cap on the reset step (sls package eta_max = 10)
  std::size_t sls_max_backtracks = 100;
  double sls_min_step = 1e-8;
  void validate() const;
};

class DirectStepper : public Stepper {
 public:
  /// The model and loss must outlive the stepper.
  DirectStepper(const TargetModel& model, const TargetLoss& loss, DirectOptions options = {});
  std::string name() const override;
  OuterStep step(Eigen::VectorXd& theta, std::span<const Eigen::Index> batch) override;

 private:
  const TargetModel& model_;
  const TargetLoss& loss_;
  DirectOptions o_;
  Eigen::VectorXd m_, v_;
  std::size_t t_ = 0;
  double s_;
};

}  // namespace descent::surrogate
