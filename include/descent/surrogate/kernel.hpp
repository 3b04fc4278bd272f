// The update math of SSO, written once on contiguous spans so that the Eigen front end
// (sso.hpp) and the LibTorch front end (sso_torch.hpp) share it.
//
//   J. W. Lavington, S. Vaswani, R. Babanezhad, M. Schmidt, N. Le Roux, "Target-based Surrogates
//   for Stochastic Optimization", ICML 2023 (arXiv:2302.02607).
//
// Paper convention throughout: η is the *step* in target space. With z_t = f_S(θ_t) and
// G = ∇_z ℓ_S(z_t) the surrogate is
//     g_t(θ) = ℓ_S(z_t) + ⟨G, f_S(θ) − z_t⟩ + ‖f_S(θ) − z_t‖² / (2η),
// whose gradient is J_f(θ)ᵀ W with W = G + (f_S(θ) − z_t)/η. If ℓ_S is (1/η)-smooth in z then
// g_t ≥ ℓ_S ∘ f_S with equality at θ_t (majorisation).
// The reference code's `eta` is an *inverse* step over a differently reduced surrogate; see
// eta_from_reference_code().
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string_view>

namespace descent::surrogate {

/// surrogate(): returns ⟨G, z − z_t⟩ + ‖z − z_t‖²/(2η) (add ℓ_S(z_t) for g_t) and writes
/// w = G + (z − z_t)/η. All spans have the same length; w may alias nothing else.
double surrogate_terms(std::span<const double> z, std::span<const double> z_t,
                       std::span<const double> g, double eta, std::span<double> w);

/// How η_t evolves with the outer step t = 1, 2, ... (paper convention, a step):
enum class EtaSchedule {
  constant,     ///< η_t = η
  stochastic,   ///< η_t = η / sqrt(t)   (reference: inverse step η_code·sqrt(t))
  exponential,  ///< η_t = η · T^(−t/T)  (reference: η_code·(1/T)^(−t/T)), T = total steps
};
std::string_view to_string(EtaSchedule s) noexcept;
/// "constant", "stochastic" or "exponential"; throws descent::Error otherwise.
EtaSchedule eta_schedule_from_string(std::string_view name);
double scheduled_eta(EtaSchedule schedule, double eta, std::size_t t, std::size_t total_steps);

/// Armijo search for η in target space (reference SLS_FMDOpt): starting from `start`, shrink
/// s ← beta·s until ℓ(z − s G) <= ℓ(z) − c·s·‖G‖², at most max_backtracks times, then clamp to
/// [eta_min, eta_max].
struct TargetLineSearch {
  bool enabled = false;
  double c = 0.5;         ///< sufficient-decrease constant (reference configs' outer_c 0.5)
  double beta = 0.9;      ///< shrink factor (reference beta_update 0.9)
  double expand = 1.8;    ///< next search starts at expand·η_previous (reference 1.8)
  double eta_min = 1e-4;  ///< clamp (reference: [1e-4, 1e4] on the inverse step)
  double eta_max = 1e6;
  std::size_t max_backtracks = 100;
  void validate() const;
};
/// `loss` evaluates ℓ_S at a trial target (same length as z); `evaluations` is incremented per
/// call. Returns the accepted (clamped) η.
double target_armijo(const std::function<double(std::span<const double>)>& loss,
                     std::span<const double> z, std::span<const double> g, double loss_at_z,
                     double start, const TargetLineSearch& options, std::size_t& evaluations);

/// The paper's η for our mean-reduced loss from the reference code's inverse step `eta_code`:
/// the code minimises mean(d ⊙ f/η_code + (f − f_t)²) with d the gradient of the *sum* loss,
/// which equals our surrogate with η = batch_size / (2 η_code).
double eta_from_reference_code(double eta_code, std::size_t batch_size);

}  // namespace descent::surrogate
