#include "descent/surrogate/sso_torch.hpp"

#include <cmath>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/surrogate/kernel.hpp"

namespace descent::surrogate {
namespace {

std::span<const double> view(const torch::Tensor& t) {
  return {t.data_ptr<double>(), static_cast<std::size_t>(t.numel())};
}

}  // namespace

TorchSso::TorchSso(torch::optim::Optimizer& inner, SsoOptions options, bool reset_inner_state)
    : inner_(inner), o_(options), reset_(reset_inner_state) {
  o_.validate();
}

double TorchSso::gradient_norm() const {
  double s = 0;
  for (const auto& group : inner_.param_groups())
    for (const auto& p : group.params())
      if (p.grad().defined()) s += p.grad().to(torch::kDouble).pow(2).sum().item<double>();
  return std::sqrt(s);
}

OuterStep TorchSso::step(const TargetsFn& targets, const LossFn& loss) {
  ++t_;
  torch::Tensor z_t;
  {
    torch::NoGradGuard no_grad;
    z_t = targets().detach().to(torch::kDouble).contiguous();
  }
  ++costs_.model_forward;
  // G = ∇_z ℓ_S(z_t): the one expensive evaluation of this outer step.
  torch::Tensor zg = z_t.clone().requires_grad_(true);
  const torch::Tensor l = loss(zg);
  const torch::Tensor g = torch::autograd::grad({l}, {zg})[0].detach().contiguous();
  const double loss_t = l.item<double>();
  ++costs_.expensive;

  double eta = o_.eta;
  if (o_.line_search.enabled) {
    const double start = t_ == 1 ? o_.eta : o_.line_search.expand * eta_search_;
    const auto at = [&](std::span<const double> trial) {
      torch::NoGradGuard no_grad;
      const torch::Tensor zt =
          torch::from_blob(const_cast<double*>(trial.data()), z_t.sizes(), torch::kDouble);
      return loss(zt).item<double>();
    };
    eta_search_ =
        target_armijo(at, view(z_t), view(g), loss_t, start, o_.line_search, costs_.loss_values);
    eta = eta_search_;
  }
  eta = scheduled_eta(o_.schedule, eta, t_, o_.total_steps);

  double first_norm = 0;
  bool first_call = true;
  torch::Tensor w = torch::empty_like(z_t);
  const auto closure = [&]() -> torch::Tensor {
    inner_.zero_grad();
    const torch::Tensor z = targets();
    ++costs_.model_forward;
    const torch::Tensor zd = z.detach().to(torch::kDouble).contiguous();
    const double value =
        loss_t + surrogate_terms(view(zd), view(z_t), view(g), eta,
                                 {w.data_ptr<double>(), static_cast<std::size_t>(w.numel())});
    z.backward(w.to(z.scalar_type()));
    ++costs_.model_backward;
    if (first_call) {
      first_norm = gradient_norm();
      first_call = false;
    }
    return torch::tensor(value, torch::kDouble);
  };

  if (reset_) inner_.state().clear();
  OuterStep out{loss_t, eta, 0};
  for (std::size_t j = 0; j < o_.inner_steps; ++j) {
    first_call = true;
    inner_.step(closure);
    ++out.inner_steps;
    ++costs_.inner_steps;
    if (first_norm <= o_.inner_gradient_tolerance) break;
  }
  return out;
}

}  // namespace descent::surrogate
