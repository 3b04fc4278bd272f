// IGNITE: a constraint on the surrogate's sharpness, the norm of the gradient of its mean
// prediction with respect to its parameters, trained by a Lagrangian with dual ascent.
//
// Dao, Nguyen, Truong, Hoang, "Incorporating Surrogate Gradient Norm to Improve Offline
// Optimization Techniques", arXiv:2503.04242. Spec: search_nas_co.md §4.
//
// For a batch B with G_B(ω) = mean_x μ_ω(x), each training step does
//   n = ‖∇_ω G_B(ω)‖ (global norm over all trainable tensors), u = ∇G/n,
//   g ← g_L + λ (ρ/r) (∇G(ω + r u) − ∇G(ω))      (a forward-difference H_G u = ∇_ω ‖∇G‖)
//   λ ← λ + η_λ (ρ n − ε)                          (dual ascent; IGNITE2 keeps λ fixed)
// where g_L is the gradient of whatever loss the baseline trainer minimises: the regulariser
// only needs the parameters, the mean-prediction closure and that gradient, so it wraps any
// trainer (maximum likelihood, COMs, ensembles) unchanged.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace descent::offline_torch {

enum class RegularizerKind { none, ignite, ignite2 };
RegularizerKind regularizer_from_string(const std::string& s);
std::string_view to_string(RegularizerKind k) noexcept;

/// The official code updates λ with no projection, so λ turns negative whenever ρn < ε and the
/// penalty then rewards sharpness (§4.2, pitfall 1). `clamped` projects onto λ ≥ 0 (standard
/// dual ascent) and is descent's default; `code_faithful` reproduces the code.
enum class DualMode { clamped, code_faithful };
DualMode dual_mode_from_string(const std::string& s);
std::string_view to_string(DualMode m) noexcept;

struct SharpnessOptions {
  RegularizerKind kind = RegularizerKind::none;
  double epsilon = 0.1;   ///< ε, the sharpness budget. Default 0.1 (the scripts', §4.2 pitfall 2)
  double lambda0 = 1e-3;  ///< λ's initial value (IGNITE) or fixed value (IGNITE2)
  double eta_lambda = 1e-3;  ///< η_λ, the dual step. Default 1e-3
  double rho = 0.05;         ///< ρ, the sharpness radius. Default 0.05
  double r = 0.05;           ///< r, the finite-difference step. Default 0.05
  DualMode dual = DualMode::clamped;
  /// The paper's settings: IGNITE ε 0.1, λ₀ 1e-3, η_λ 1e-3, ρ 0.05, r 0.05; IGNITE2 fixed
  /// λ 0.01, ρ 0.2, r 0.2 (`scripts/IGNITE*/`); none: no penalty.
  static SharpnessOptions defaults(RegularizerKind kind);
  void validate() const;
};

/// What one step did.
struct SharpnessStep {
  double grad_norm = 0.0;      ///< n = ‖∇_ω G_B‖
  double sharpness = 0.0;      ///< ρ n
  double lambda_before = 0.0;  ///< λ used in this step's penalty
  double lambda_after = 0.0;   ///< λ after the dual update
};

class SharpnessRegularizer {
 public:
  explicit SharpnessRegularizer(SharpnessOptions options);
  /// Adds the penalty's gradient to `grads` (the baseline loss's gradient with respect to
  /// `params`, same order) and updates λ. `mean_prediction` builds G_B at the current
  /// parameters (noise-free inputs). With kind none, nothing is done (NaN fields).
  SharpnessStep apply(const std::function<torch::Tensor()>& mean_prediction,
                      const std::vector<torch::Tensor>& params, std::vector<torch::Tensor>& grads);
  /// The dual update alone (exposed for tests): λ + η_λ(ρn − ε), projected when clamped.
  double next_lambda(double lambda, double grad_norm) const;
  double lambda() const noexcept { return lambda_; }
  const SharpnessOptions& options() const noexcept { return o_; }
  bool active() const noexcept { return o_.kind != RegularizerKind::none; }

 private:
  SharpnessOptions o_;
  double lambda_;
};

/// ρ‖∇_ω G_B(ω)‖ for G_B = mean_prediction() (no update; held-out sharpness).
double surrogate_sharpness(const std::function<torch::Tensor()>& mean_prediction,
                           const std::vector<torch::Tensor>& params, double rho);

}  // namespace descent::offline_torch
