#include "descent/torch_support/parameters.hpp"

#include <cmath>

namespace descent::torch_support {

double global_norm(const std::vector<torch::Tensor>& tensors) {
  double total = 0.0;
  for (const auto& t : tensors)
    if (t.defined()) total += t.to(torch::kDouble).square().sum().item<double>();
  return std::sqrt(total);
}

ParameterSnapshot::ParameterSnapshot(const std::vector<torch::Tensor>& params) : params_(params) {
  saved_.reserve(params.size());
  torch::NoGradGuard no_grad;
  for (const auto& p : params) saved_.push_back(p.detach().clone());
}

void ParameterSnapshot::restore() const {
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < params_.size(); ++i) params_[i].copy_(saved_[i]);
}

std::vector<torch::Tensor> gradient(const std::function<torch::Tensor()>& scalar,
                                    const std::vector<torch::Tensor>& params) {
  const torch::Tensor s = scalar();
  auto g = torch::autograd::grad({s}, params, {}, /*retain_graph=*/false, /*create_graph=*/false,
                                 /*allow_unused=*/true);
  for (std::size_t i = 0; i < g.size(); ++i)
    if (!g[i].defined()) g[i] = torch::zeros_like(params[i]);
  return g;
}

std::vector<torch::Tensor> finite_difference_hvp(const std::function<torch::Tensor()>& scalar,
                                                 const std::vector<torch::Tensor>& params,
                                                 const std::vector<torch::Tensor>& u, double r,
                                                 const std::vector<torch::Tensor>& grad_at_omega) {
  if (u.size() != params.size() || grad_at_omega.size() != params.size())
    throw std::invalid_argument(
        "finite_difference_hvp: u and grad_at_omega need one tensor per parameter");
  const ParameterSnapshot snapshot(params);
  {
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < params.size(); ++i) params[i].add_(u[i], r);
  }
  std::vector<torch::Tensor> out;
  try {
    out = gradient(scalar, params);
  } catch (...) {
    snapshot.restore();
    throw;
  }
  snapshot.restore();
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = (out[i] - grad_at_omega[i]) / r;
  return out;
}

std::vector<torch::Tensor> exact_hvp(const std::function<torch::Tensor()>& scalar,
                                     const std::vector<torch::Tensor>& params,
                                     const std::vector<torch::Tensor>& v) {
  if (params.empty() || v.size() != params.size())
    throw std::invalid_argument(
        "exact_hvp: need parameters and one direction tensor per parameter");
  const torch::Tensor s = scalar();
  auto g = torch::autograd::grad({s}, params, {}, /*retain_graph=*/true, /*create_graph=*/true,
                                 /*allow_unused=*/true);
  torch::Tensor dot = torch::zeros({}, params.front().options());
  for (std::size_t i = 0; i < g.size(); ++i)
    if (g[i].defined()) dot = dot + (g[i] * v[i]).sum();
  auto h = torch::autograd::grad({dot}, params, {}, false, false, /*allow_unused=*/true);
  for (std::size_t i = 0; i < h.size(); ++i)
    if (!h[i].defined()) h[i] = torch::zeros_like(params[i]);
  return h;
}

}  // namespace descent::torch_support
