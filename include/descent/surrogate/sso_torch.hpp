// SSO with LibTorch models and any torch::optim inner optimiser (LibTorch front end).
//
//   J. W. Lavington, S. Vaswani, R. Babanezhad, M. Schmidt, N. Le Roux, "Target-based Surrogates
//   for Stochastic Optimization", ICML 2023 (arXiv:2302.02607).
//
// This header includes torch and belongs to the descent::surrogate_torch target only. The
// surrogate math (value, backward weights, η schedule, target-space Armijo) is the same kernel
// as the Eigen front end (kernel.hpp), applied to CPU double copies of the targets.
//
// One outer step:
//   1. z_t = targets() without autograd; G = ∂ loss(z)/∂z at z_t (one expensive evaluation);
//   2. η_t from SsoOptions (schedule, optional target-space Armijo);
//   3. the inner optimiser's step(closure) is called up to m times; the closure zeroes the
//      gradients, recomputes z = targets() with autograd, and back-propagates
//      W = G + (z − z_t)/η_t through the model, returning g_t(θ).
// Any torch::optim::Optimizer works (SGD, Adam, LBFGS, ...): its parameters are the model's.
#pragma once

#include <functional>

#include <torch/torch.h>

#include "descent/surrogate/sso.hpp"
#include "descent/surrogate/stepper.hpp"

namespace descent::surrogate {

class TorchSso {
 public:
  /// f_S(θ) for the current batch, computed from the optimiser's parameters with autograd.
  using TargetsFn = std::function<torch::Tensor()>;
  /// ℓ_S(z) as a scalar (mean over the batch): the expensive oracle.
  using LossFn = std::function<torch::Tensor(const torch::Tensor& z)>;

  /// The inner optimiser must outlive this object. Throws descent::InvalidOption for bad options.
  /// reset_inner_state: clear the inner optimiser's per-parameter state (LBFGS history, Adam
  /// moments) at every outer step, as the reference code does by building a fresh inner
  /// optimiser per outer step — curvature memory from one surrogate is wrong for the next.
  TorchSso(torch::optim::Optimizer& inner, SsoOptions options = {}, bool reset_inner_state = true);
  OuterStep step(const TargetsFn& targets, const LossFn& loss);
  const CostCounters& costs() const noexcept { return costs_; }

 private:
  double gradient_norm() const;
  torch::optim::Optimizer& inner_;
  SsoOptions o_;
  bool reset_;
  CostCounters costs_;
  std::size_t t_ = 0;
  double eta_search_ = 0.0;
};

}  // namespace descent::surrogate
