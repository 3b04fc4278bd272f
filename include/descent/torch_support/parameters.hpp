// Operations on lists of parameter tensors shared by methods that perturb a model and look at
// its gradients there: the global norm over all tensors (IGNITE's n, gradient clipping), a
// bit-exact snapshot and restore, and the finite-difference Hessian-vector product along a unit
// direction (IGNITE's ∇_ω‖∇G‖ = H_G u; DARTS v2's second-order term uses the same idea).
#pragma once

#include <functional>
#include <vector>

#include <torch/torch.h>

namespace descent::torch_support {

/// sqrt(Σ_t ||t||²) over the defined tensors of `tensors` (undefined ones are skipped), in
/// double precision.
double global_norm(const std::vector<torch::Tensor>& tensors);

/// Copies of the parameters' values; restore() writes them back bit for bit (never by
/// subtracting a perturbation, which rounds: search_nas_co.md §4.2, pitfall 4).
class ParameterSnapshot {
 public:
  explicit ParameterSnapshot(const std::vector<torch::Tensor>& params);
  void restore() const;

 private:
  std::vector<torch::Tensor> params_, saved_;
};

/// ∇ of scalar() with respect to `params` at their current values (no graph kept). A parameter
/// the scalar does not depend on gets a zero tensor.
std::vector<torch::Tensor> gradient(const std::function<torch::Tensor()>& scalar,
                                    const std::vector<torch::Tensor>& params);

/// The forward-difference Hessian-vector product of scalar() along the unit direction u:
///   (∇s(ω + r·u) − ∇s(ω)) / r,
/// given grad_at_omega = ∇s(ω). The parameters are moved to ω + r·u for one gradient and
/// restored bit-exactly from a snapshot.
std::vector<torch::Tensor> finite_difference_hvp(const std::function<torch::Tensor()>& scalar,
                                                 const std::vector<torch::Tensor>& params,
                                                 const std::vector<torch::Tensor>& u, double r,
                                                 const std::vector<torch::Tensor>& grad_at_omega);

/// The exact Hessian-vector product H v of scalar() by double backward (tests, small models).
std::vector<torch::Tensor> exact_hvp(const std::function<torch::Tensor()>& scalar,
                                     const std::vector<torch::Tensor>& params,
                                     const std::vector<torch::Tensor>& v);

}  // namespace descent::torch_support
