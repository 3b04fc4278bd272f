// NoProp-DT's fixed noise schedule and the closed forms of its noising process (no LibTorch).
//
// Li, Teh & Pascanu, "NoProp: Training Neural Networks without Full Back-propagation or Full
// Forward-propagation" (arXiv 2503.24322), §2.1 of ../shared/papers/nn_training_methods.md.
// Time runs from noise (t = 0) to label (t = T):
//   q(z_t | y) = N(√ᾱ_t u_y, (1 − ᾱ_t) I),  ᾱ_t = ∏_{s=t..T} α_s increasing in t,
//   SNR(t) = ᾱ_t / (1 − ᾱ_t),
//   q(z_t | z_{t−1}, y) = N(a_t u_y + b_t z_{t−1}, c_t I) with
//   a_t = √ᾱ_t (1 − α_{t−1}) / (1 − ᾱ_{t−1}),  b_t = √α_{t−1} (1 − ᾱ_t) / (1 − ᾱ_{t−1}),
//   c_t = (1 − ᾱ_t)(1 − α_{t−1}) / (1 − ᾱ_{t−1}),  and a_t²/c_t = SNR(t) − SNR(t−1).
// The paper does not give its cosine parameterisation; the spec's default is used and
// documented: ᾱ_t = f(1 − t/T)/f(0), f(τ) = cos²(((τ + s)/(1 + s))·π/2), s = 0.008, clipped to
// [1e-4, 0.9999].
#pragma once

#include <span>
#include <vector>

namespace descent::noprop {

class NoiseSchedule {
 public:
  /// The cosine schedule for T >= 1 blocks. Throws descent::InvalidOption for T < 1, s < 0 or
  /// a clip range outside (0, 1).
  static NoiseSchedule cosine(int T, double s = 0.008, double lowest = 1e-4,
                              double highest = 0.9999);
  /// From ᾱ_0..ᾱ_T directly (strictly increasing, in (0, 1)).
  static NoiseSchedule from_alpha_bar(std::vector<double> alpha_bar);

  int blocks() const noexcept { return static_cast<int>(alpha_bar_.size()) - 1; }
  double alpha_bar(int t) const { return alpha_bar_.at(static_cast<std::size_t>(t)); }
  /// α_t = ᾱ_t / ᾱ_{t+1} (t < T), α_T = ᾱ_T.
  double alpha(int t) const;
  double snr(int t) const;
  /// The posterior's coefficients, for t = 1..T.
  double a(int t) const;
  double b(int t) const;
  double c(int t) const;

 private:
  std::vector<double> alpha_bar_;
};

/// D_KL(q(z_0 | y) ‖ N(0, I)) = ½ Σ_d [(1 − ᾱ_0) + ᾱ_0 u_d² − 1 − log(1 − ᾱ_0)] for the class
/// embedding u = u_y (the DT loss's prior term; constant unless the embedding is learned).
double kl_to_standard_normal(double alpha_bar0, std::span<const double> u);

}  // namespace descent::noprop
