// Curvature of LibTorch models: Hessian-vector products by double backward, Gauss-Newton / Fisher
// products, per-sample gradients, and adapters that let descent::curvature's Lanczos, SLQ,
// Hutchinson and power iteration run on a torch model unchanged.
//
// B. A. Pearlmutter, "Fast exact multiplication by the Hessian", Neural Computation 6, 1994
// (Hv = ∇(∇L · v)); N. N. Schraudolph, "Fast curvature matrix-vector products for second-order
// gradient descent", Neural Computation 14, 2002 (Gauss-Newton products Jᵀ H_out J v).
//
// Vectors cross the boundary as double spans in the order of `params` (each tensor flattened
// row-major); products are computed in the parameters' dtype (float or double).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include <torch/torch.h>
#include <Eigen/Core>

#include "descent/curvature/operator.hpp"

namespace descent::curvature_torch {

/// Builds the scalar loss from the current parameter values (a closure over the model and data).
using LossFn = std::function<torch::Tensor()>;

/// Total number of elements of `params`.
Eigen::Index count(const std::vector<torch::Tensor>& params);
/// Concatenates the tensors (flattened) into a double vector.
Eigen::VectorXd flatten(const std::vector<torch::Tensor>& tensors);
/// Splits `v` into tensors shaped and typed like `like`.
std::vector<torch::Tensor> unflatten(std::span<const double> v,
                                     const std::vector<torch::Tensor>& like);

/// The Hessian of loss() at the current parameters. Construction evaluates the loss and its
/// gradient once (with create_graph); each product is one more backward pass through that graph.
/// Changing the parameters afterwards does not update the operator: build a new one.
class HessianOperator {
 public:
  HessianOperator(const LossFn& loss, std::vector<torch::Tensor> params);
  Eigen::Index dim() const;
  double loss() const;
  Eigen::VectorXd gradient() const;
  /// out = H v.
  void apply(std::span<const double> v, std::span<double> out) const;
  /// The operator for descent::curvature (shares this object's graph).
  curvature::SymmetricOperator op() const;
  /// Number of products so far.
  std::int64_t products() const;

 private:
  struct State;
  std::shared_ptr<State> s_;
};

/// The generalised Gauss-Newton matrix G = Jᵀ H_out J of loss(outputs()) with J = ∂outputs/∂θ
/// and H_out = ∂²loss/∂outputs². For softmax cross-entropy and squared loss G equals the Fisher
/// information of the model's predictive distribution (Martens 2020, "New insights and
/// perspectives on the natural gradient method"), so this is also the Fisher product.
class GaussNewtonOperator {
 public:
  GaussNewtonOperator(const std::function<torch::Tensor()>& outputs,
                      const std::function<torch::Tensor(const torch::Tensor&)>& loss_of_outputs,
                      std::vector<torch::Tensor> params);
  Eigen::Index dim() const;
  void apply(std::span<const double> v, std::span<double> out) const;
  curvature::SymmetricOperator op() const;

 private:
  struct State;
  std::shared_ptr<State> s_;
};

/// Row i = ∇_θ sample_loss(i), by a loop over samples (exact; fine for small models and n).
Eigen::MatrixXd per_sample_gradients(const std::function<torch::Tensor(std::int64_t)>& sample_loss,
                                     std::int64_t n, const std::vector<torch::Tensor>& params);

/// Exact Tr of the empirical Fisher F = (1/n) Σ g_i g_iᵀ: (1/n) Σ ||g_i||². With sample_loss the
/// model output f_i this is Tr G = (1/n) Σ ||∇f_i||² of Wu & Su.
double empirical_fisher_trace(const std::function<torch::Tensor(std::int64_t)>& sample_loss,
                              std::int64_t n, const std::vector<torch::Tensor>& params);

/// The dense Hessian by differentiating each gradient entry (P backward passes; tests only).
Eigen::MatrixXd dense_hessian(const LossFn& loss, const std::vector<torch::Tensor>& params);

}  // namespace descent::curvature_torch
