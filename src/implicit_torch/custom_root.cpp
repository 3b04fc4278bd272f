// torch::autograd::Function whose backward pass solves the adjoint system matrix-free.
#include "descent/implicit_torch/custom_root.hpp"

#include <mutex>

#include "descent/core/error.hpp"

namespace descent::implicit_torch {

using implicit::LinearOperator;
using implicit::Vec;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct TorchCustomRoot::State {
  SolverFn solver;
  OptimalityFn f;
  implicit::LinearSolveOptions options;
  mutable std::mutex mutex;
  implicit::LinearSolveResult last;
};

namespace {

// Carries the State through AutogradContext::saved_data (IValue capsules hold a
// CustomClassHolder).
struct Holder : torch::CustomClassHolder {
  std::shared_ptr<TorchCustomRoot::State> state;
};

Vec to_vec(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kFloat64).contiguous().reshape({-1});
  return Eigen::Map<const Vec>(c.data_ptr<double>(), c.numel());
}

torch::Tensor to_tensor(const Vec& v, const torch::Tensor& like) {
  return torch::from_blob(const_cast<double*>(v.data()), {v.size()}, torch::kFloat64)
      .clone()
      .reshape(like.sizes())
      .to(like.dtype());
}

struct RootFunction : torch::autograd::Function<RootFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& theta,
                               std::shared_ptr<TorchCustomRoot::State> state) {
    torch::Tensor x;
    {
      torch::NoGradGuard guard;
      x = state->solver(theta.detach());
    }
    ctx->save_for_backward({x.detach(), theta.detach()});
    auto h = c10::make_intrusive<Holder>();
    h->state = std::move(state);
    ctx->saved_data["state"] = c10::IValue::make_capsule(h);
    return x;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto holder =
        c10::static_intrusive_pointer_cast<Holder>(ctx->saved_data["state"].toCapsule());
    TorchCustomRoot::State& st = *holder->state;
    torch::AutoGradMode enable(true);
    const torch::Tensor x = saved[0].detach().to(torch::kFloat64).requires_grad_(true);
    const torch::Tensor th = saved[1].detach().to(torch::kFloat64).requires_grad_(true);
    const torch::Tensor fx = st.f(x, th);
    if (fx.numel() != x.numel())
      throw Error("TorchCustomRoot: F(x, theta) must have as many entries as x");
    // (∂₁F)ᵀ u by one VJP; ∂₁F v by the double-VJP trick on a dummy cotangent.
    const torch::Tensor dummy = torch::zeros_like(fx).requires_grad_(true);
    torch::Tensor g_dummy;
    const auto vjp_x = [&](const Vec& u) -> Vec {
      auto r = torch::autograd::grad({fx}, {x}, {to_tensor(u, fx)}, /*retain_graph=*/true,
                                     /*create_graph=*/false, /*allow_unused=*/true)[0];
      return r.defined() ? to_vec(r) : Vec::Zero(u.size());
    };
    const auto jvp_x = [&](const Vec& v) -> Vec {
      if (!g_dummy.defined())
        g_dummy = torch::autograd::grad({fx}, {x}, {dummy}, true, true, true)[0];
      if (!g_dummy.defined() || !g_dummy.requires_grad()) return Vec::Zero(v.size());
      auto r = torch::autograd::grad({g_dummy}, {dummy}, {to_tensor(v, x)}, true, false, true)[0];
      return r.defined() ? to_vec(r) : Vec::Zero(v.size());
    };
    // The adjoint system (∂₁F)ᵀ u = −w: the operator is (∂₁F)ᵀ, its transpose ∂₁F.
    const LinearOperator a = implicit::make_operator(x.numel(), vjp_x, jvp_x);
    const implicit::LinearSolveResult res = implicit::solve(a, -to_vec(grads[0]), st.options);
    {
      std::lock_guard<std::mutex> lock(st.mutex);
      st.last = res;
    }
    auto gt = torch::autograd::grad({fx}, {th}, {to_tensor(res.x, fx)}, false, false, true)[0];
    if (!gt.defined()) gt = torch::zeros_like(th);
    return {gt.to(saved[1].dtype()), torch::Tensor()};
  }
};

}  // namespace

TorchCustomRoot::TorchCustomRoot(SolverFn solver, OptimalityFn f,
                                 implicit::LinearSolveOptions options)
    : state_(std::make_shared<State>()) {
  if (!solver) throw Error("TorchCustomRoot: the solver is not set");
  if (!f) throw Error("TorchCustomRoot: the optimality function is not set");
  options.validate();
  state_->solver = std::move(solver);
  state_->f = std::move(f);
  state_->options = options;
}

torch::Tensor TorchCustomRoot::operator()(const torch::Tensor& theta) const {
  return RootFunction::apply(theta, state_);
}

implicit::LinearSolveResult TorchCustomRoot::last_solve() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->last;
}

}  // namespace descent::implicit_torch
