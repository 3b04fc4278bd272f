#include "descent/offline_torch/sharpness.hpp"

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/torch_support/parameters.hpp"

namespace descent::offline_torch {

RegularizerKind regularizer_from_string(const std::string& s) {
  if (s == "none" || s == "vanilla") return RegularizerKind::none;
  if (s == "ignite") return RegularizerKind::ignite;
  if (s == "ignite2") return RegularizerKind::ignite2;
  throw InvalidOption("regularizer", "must be none, ignite or ignite2, got '" + s + "'");
}

std::string_view to_string(RegularizerKind k) noexcept {
  switch (k) {
    case RegularizerKind::none:
      return "none";
    case RegularizerKind::ignite:
      return "ignite";
    case RegularizerKind::ignite2:
      return "ignite2";
  }
  return "?";
}

DualMode dual_mode_from_string(const std::string& s) {
  if (s == "clamped") return DualMode::clamped;
  if (s == "code_faithful" || s == "code-faithful") return DualMode::code_faithful;
  throw InvalidOption("dual_mode", "must be clamped or code_faithful, got '" + s + "'");
}

std::string_view to_string(DualMode m) noexcept {
  return m == DualMode::clamped ? "clamped" : "code_faithful";
}

SharpnessOptions SharpnessOptions::defaults(RegularizerKind kind) {
  SharpnessOptions o;
  o.kind = kind;
  if (kind == RegularizerKind::ignite2) {
    o.lambda0 = 0.01;
    o.rho = 0.2;
    o.r = 0.2;
  }
  return o;
}

void SharpnessOptions::validate() const {
  auto finite = [](double v) { return std::isfinite(v); };
  if (!(epsilon >= 0.0) || !finite(epsilon))
    throw InvalidOption("epsilon", "must be finite and >= 0");
  if (!finite(lambda0)) throw InvalidOption("lambda0", "must be finite");
  if (!(eta_lambda >= 0.0) || !finite(eta_lambda))
    throw InvalidOption("eta_lambda", "must be finite and >= 0");
  if (!(rho > 0.0) || !finite(rho)) throw InvalidOption("rho", "must be finite and > 0");
  if (!(r > 0.0) || !finite(r)) throw InvalidOption("r", "must be finite and > 0");
  if (dual == DualMode::clamped && lambda0 < 0.0)
    throw InvalidOption("lambda0", "must be >= 0 with the clamped dual mode");
}

SharpnessRegularizer::SharpnessRegularizer(SharpnessOptions o) : o_(o), lambda_(o.lambda0) {
  o_.validate();
}

double SharpnessRegularizer::next_lambda(double lambda, double n) const {
  if (o_.kind != RegularizerKind::ignite) return lambda;  // IGNITE2: fixed λ
  const double next = lambda + o_.eta_lambda * (o_.rho * n - o_.epsilon);
  return o_.dual == DualMode::clamped ? std::max(0.0, next) : next;
}

SharpnessStep SharpnessRegularizer::apply(const std::function<torch::Tensor()>& mean_prediction,
                                          const std::vector<torch::Tensor>& params,
                                          std::vector<torch::Tensor>& grads) {
  SharpnessStep s;
  if (!active()) {
    s.grad_norm = s.sharpness = s.lambda_before = s.lambda_after = NAN;
    return s;
  }
  if (grads.size() != params.size())
    throw Error("SharpnessRegularizer: one gradient per parameter");
  const std::vector<torch::Tensor> g = torch_support::gradient(mean_prediction, params);
  const double n = torch_support::global_norm(g);
  s.grad_norm = n;
  s.sharpness = o_.rho * n;
  s.lambda_before = lambda_;
  if (n > 0.0 && std::isfinite(n)) {
    std::vector<torch::Tensor> u;
    u.reserve(g.size());
    for (const auto& t : g) u.push_back(t / n);
    // (∇G(ω + r u) − ∇G(ω)) / r, then scaled by λρ: the official code's λ(ρ/r)(ĝ − g).
    const auto hvp = torch_support::finite_difference_hvp(mean_prediction, params, u, o_.r, g);
    const double scale = lambda_ * o_.rho;
    for (std::size_t i = 0; i < grads.size(); ++i) {
      if (!grads[i].defined()) grads[i] = torch::zeros_like(params[i]);
      grads[i] = grads[i] + scale * hvp[i];
    }
  }
  // A non-finite norm leaves λ as it is; the trainer reports the run as diverged.
  if (std::isfinite(n)) lambda_ = next_lambda(lambda_, n);
  s.lambda_after = lambda_;
  return s;
}

double surrogate_sharpness(const std::function<torch::Tensor()>& mean_prediction,
                           const std::vector<torch::Tensor>& params, double rho) {
  return rho * torch_support::global_norm(torch_support::gradient(mean_prediction, params));
}

}  // namespace descent::offline_torch
