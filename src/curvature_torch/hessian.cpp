#include "descent/curvature_torch/hessian.hpp"

#include "descent/core/error.hpp"

namespace descent::curvature_torch {

namespace {

torch::Tensor flat(const std::vector<torch::Tensor>& ts) {
  std::vector<torch::Tensor> parts;
  parts.reserve(ts.size());
  for (const auto& t : ts) parts.push_back(t.reshape({-1}));
  return torch::cat(parts);
}

void copy_out(const std::vector<torch::Tensor>& ts, std::span<double> out) {
  const torch::Tensor f = flat(ts).detach().to(torch::kDouble).contiguous();
  if (static_cast<std::size_t>(f.numel()) != out.size())
    throw Error("curvature_torch: product size does not match the output span");
  std::copy_n(f.data_ptr<double>(), out.size(), out.data());
}

}  // namespace

Eigen::Index count(const std::vector<torch::Tensor>& params) {
  Eigen::Index n = 0;
  for (const auto& p : params) n += p.numel();
  return n;
}

Eigen::VectorXd flatten(const std::vector<torch::Tensor>& tensors) {
  Eigen::VectorXd v(count(tensors));
  copy_out(tensors, {v.data(), static_cast<std::size_t>(v.size())});
  return v;
}

std::vector<torch::Tensor> unflatten(std::span<const double> v,
                                     const std::vector<torch::Tensor>& like) {
  if (static_cast<Eigen::Index>(v.size()) != count(like))
    throw Error("curvature_torch: vector size does not match the parameters");
  const torch::Tensor all = torch::from_blob(const_cast<double*>(v.data()),
                                             {static_cast<std::int64_t>(v.size())}, torch::kDouble);
  std::vector<torch::Tensor> out;
  std::int64_t at = 0;
  for (const auto& p : like) {
    out.push_back(all.slice(0, at, at + p.numel()).view(p.sizes()).to(p.dtype()).clone());
    at += p.numel();
  }
  return out;
}

// ---- Hessian -----------------------------------------------------------------------------------

struct HessianOperator::State {
  std::vector<torch::Tensor> params, grads;
  double loss = 0;
  Eigen::Index dim = 0;
  std::int64_t products = 0;
};

HessianOperator::HessianOperator(const LossFn& loss, std::vector<torch::Tensor> params)
    : s_(std::make_shared<State>()) {
  s_->params = std::move(params);
  s_->dim = count(s_->params);
  const torch::Tensor l = loss();
  s_->loss = l.item<double>();
  s_->grads = torch::autograd::grad({l}, s_->params, {}, /*retain_graph=*/true,
                                    /*create_graph=*/true);
}

Eigen::Index HessianOperator::dim() const {
  return s_->dim;
}
double HessianOperator::loss() const {
  return s_->loss;
}
Eigen::VectorXd HessianOperator::gradient() const {
  return flatten(s_->grads);
}
std::int64_t HessianOperator::products() const {
  return s_->products;
}

void HessianOperator::apply(std::span<const double> v, std::span<double> out) const {
  const auto vs = unflatten(v, s_->params);
  torch::Tensor gv = torch::zeros({}, s_->grads[0].options());
  for (std::size_t i = 0; i < vs.size(); ++i) gv = gv + (s_->grads[i] * vs[i]).sum();
  // allow_unused: a parameter the loss does not depend on has a zero Hessian block.
  auto hv = torch::autograd::grad({gv}, s_->params, {}, /*retain_graph=*/true,
                                  /*create_graph=*/false, /*allow_unused=*/true);
  for (std::size_t i = 0; i < hv.size(); ++i)
    if (!hv[i].defined()) hv[i] = torch::zeros_like(s_->params[i]);
  copy_out(hv, out);
  ++s_->products;
}

curvature::SymmetricOperator HessianOperator::op() const {
  auto self = *this;
  return symmetric_operator(
      s_->dim, [self](std::span<const double> v, std::span<double> out) { self.apply(v, out); });
}

// ---- Gauss-Newton ------------------------------------------------------------------------------

struct GaussNewtonOperator::State {
  std::vector<torch::Tensor> params;
  torch::Tensor outputs;   // f(θ), with its graph
  torch::Tensor dummy;     // u, the same shape as the outputs
  torch::Tensor jt_dummy;  // Jᵀu (flat), built with a graph so that it can be differentiated in u
  torch::Tensor z;         // detached outputs: H_out is taken at fixed outputs
  torch::Tensor gz;        // ∂loss/∂z, with a graph
  Eigen::Index dim = 0;
};

GaussNewtonOperator::GaussNewtonOperator(
    const std::function<torch::Tensor()>& outputs,
    const std::function<torch::Tensor(const torch::Tensor&)>& loss_of_outputs,
    std::vector<torch::Tensor> params)
    : s_(std::make_shared<State>()) {
  s_->params = std::move(params);
  s_->dim = count(s_->params);
  s_->outputs = outputs();
  // J v by the double-backward trick: u ↦ Jᵀu is linear in u, so ∂/∂u (Jᵀu · v) = J v.
  s_->dummy = torch::zeros_like(s_->outputs).requires_grad_(true);
  auto jt = torch::autograd::grad({s_->outputs}, s_->params, {s_->dummy}, /*retain_graph=*/true,
                                  /*create_graph=*/true, /*allow_unused=*/true);
  for (std::size_t i = 0; i < jt.size(); ++i)
    if (!jt[i].defined()) jt[i] = torch::zeros_like(s_->params[i]);
  s_->jt_dummy = flat(jt);
  s_->z = s_->outputs.detach().requires_grad_(true);
  s_->gz = torch::autograd::grad({loss_of_outputs(s_->z)}, {s_->z}, {}, /*retain_graph=*/true,
                                 /*create_graph=*/true)[0];
}

Eigen::Index GaussNewtonOperator::dim() const {
  return s_->dim;
}

void GaussNewtonOperator::apply(std::span<const double> v, std::span<double> out) const {
  const torch::Tensor vt = flat(unflatten(v, s_->params));
  const torch::Tensor jv = torch::autograd::grad({(s_->jt_dummy * vt).sum()}, {s_->dummy}, {},
                                                 /*retain_graph=*/true)[0];
  auto hjv = torch::autograd::grad({(s_->gz * jv).sum()}, {s_->z}, {}, /*retain_graph=*/true,
                                   /*create_graph=*/false, /*allow_unused=*/true)[0];
  if (!hjv.defined()) hjv = torch::zeros_like(s_->z);  // loss linear in the outputs
  auto g = torch::autograd::grad({s_->outputs}, s_->params, {hjv}, /*retain_graph=*/true,
                                 /*create_graph=*/false, /*allow_unused=*/true);
  for (std::size_t i = 0; i < g.size(); ++i)
    if (!g[i].defined()) g[i] = torch::zeros_like(s_->params[i]);
  copy_out(g, out);
}

curvature::SymmetricOperator GaussNewtonOperator::op() const {
  auto self = *this;
  return symmetric_operator(
      s_->dim, [self](std::span<const double> v, std::span<double> out) { self.apply(v, out); });
}

// ---- per-sample gradients
// ------------------------------------------------------------------------

Eigen::MatrixXd per_sample_gradients(const std::function<torch::Tensor(std::int64_t)>& sample_loss,
                                     std::int64_t n, const std::vector<torch::Tensor>& params) {
  Eigen::MatrixXd g(n, count(params));
  Eigen::VectorXd row(g.cols());
  for (std::int64_t i = 0; i < n; ++i) {
    auto gi = torch::autograd::grad({sample_loss(i)}, params, {}, /*retain_graph=*/false,
                                    /*create_graph=*/false, /*allow_unused=*/true);
    for (std::size_t k = 0; k < gi.size(); ++k)
      if (!gi[k].defined()) gi[k] = torch::zeros_like(params[k]);
    copy_out(gi, {row.data(), static_cast<std::size_t>(row.size())});
    g.row(i) = row.transpose();
  }
  return g;
}

double empirical_fisher_trace(const std::function<torch::Tensor(std::int64_t)>& sample_loss,
                              std::int64_t n, const std::vector<torch::Tensor>& params) {
  double s = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    auto gi = torch::autograd::grad({sample_loss(i)}, params, {}, false, false, true);
    for (auto& t : gi)
      if (t.defined()) s += t.to(torch::kDouble).pow(2).sum().item<double>();
  }
  return s / static_cast<double>(n);
}

Eigen::MatrixXd dense_hessian(const LossFn& loss, const std::vector<torch::Tensor>& params) {
  // Row by row: H_i = ∇(∂L/∂θ_i), independent of the product code it is used to check.
  const torch::Tensor l = loss();
  const torch::Tensor g = flat(torch::autograd::grad({l}, params, {}, true, true));
  const Eigen::Index n = g.numel();
  Eigen::MatrixXd h(n, n);
  Eigen::VectorXd row(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    auto hi = torch::autograd::grad({g[i]}, params, {}, /*retain_graph=*/true,
                                    /*create_graph=*/false, /*allow_unused=*/true);
    for (std::size_t k = 0; k < hi.size(); ++k)
      if (!hi[k].defined()) hi[k] = torch::zeros_like(params[k]);
    copy_out(hi, {row.data(), static_cast<std::size_t>(n)});
    h.row(i) = row.transpose();
  }
  return h;
}

}  // namespace descent::curvature_torch
