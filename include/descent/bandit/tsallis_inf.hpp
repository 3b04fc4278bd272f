// Tsallis-INF: the 1/2-Tsallis-entropy online mirror descent bandit, anytime variant.
//
// J. Zimmert and Y. Seldin, "Tsallis-INF: An Optimal Algorithm for Stochastic and Adversarial
// Bandits", JMLR 22(28), 2021; used to pick solver parameters in M. Khodak, E. Chow,
// M.-F. Balcan and A. Talwalkar, "Learning to Relax: Setting Solver Parameters Across a Sequence
// of Linear System Instances", ICLR 2024 (Algorithm 2 with the practical settings of its
// Appendix G and official code).
//
// Round t (1-based), with importance-weighted cumulative loss estimates k (k = 0 at the start):
//   eta_t = eta_constant / sqrt(t),
//   p_i   = 4 / (eta_t * (k_i / scale - x))^2 with the normaliser x chosen so that sum p = 1,
//   i_t ~ p, observe cost c_t, loss l_t = c_t - cost_offset,
//   k[i_t] += l_t / p[i_t],  scale = mean(l_1..l_t).
// The running scale replaces the loss bound K of the theory (the code's choice), so the learner
// needs no prior knowledge of the cost range.
//
// Departures from the official code (same fixed point, safer numerics):
//  - x is found by Newton's method run to convergence (at most newton_iterations steps) from
//    x0 = min(k/scale) - 2 / eta, which is provably right of the root and left of the pole, so
//    the iteration is monotone; the code runs 20 steps from x = -1, which can overshoot. The result
//    is then normalised to sum to 1 exactly, and the importance weight uses that (the true
//    sampling) probability; the code samples with MATLAB's implicitly normalised weights but
//    divides by the raw value.
//  - scale <= 0 (every loss so far 0, e.g. every solve took one iteration) is replaced by 1;
//    NaN/Inf probabilities fall back to uniform (as the code does).
//  - a cost below cost_offset gives loss 0 (losses must be non-negative).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "descent/bandit/learner.hpp"

namespace descent::bandit {

struct TsallisInfOptions {
  /// The least possible cost; loss = cost - cost_offset. 1 for iteration counts (default).
  double cost_offset = 1.0;
  /// eta_t = eta_constant / sqrt(t); 2 in the paper's anytime variant (default).
  double eta_constant = 2.0;
  /// Cap on Newton steps for the normaliser (default 100; it stops at convergence).
  std::size_t newton_iterations = 100;

  /// Throws descent::InvalidOption naming the first bad field.
  void validate() const;
};

class TsallisInf final : public Learner {
 public:
  /// Throws descent::InvalidOption for arms == 0 or bad options.
  explicit TsallisInf(std::size_t arms, TsallisInfOptions options = {});

  std::string_view name() const noexcept override { return "tsallis-inf"; }
  std::size_t arms() const noexcept override { return k_.size(); }
  bool contextual() const noexcept override { return false; }
  /// The context is ignored.
  std::size_t choose(Rng& rng, double context = kNoContext) override;
  void update(double cost) override;
  std::span<const double> probabilities() const noexcept override { return p_; }
  std::size_t rounds() const noexcept override { return rounds_; }
  std::size_t fallbacks() const noexcept override { return fallbacks_; }

  /// Computes (and stores as probabilities()) the distribution for the next round without
  /// sampling. Returns false if it fell back to uniform.
  bool compute_probabilities();
  /// The normaliser x of the last computed distribution.
  double normaliser() const noexcept { return x_; }
  /// eta for the next round.
  double eta() const noexcept;
  /// Importance-weighted cumulative loss estimates k.
  std::span<const double> loss_estimates() const noexcept { return k_; }
  /// The running loss scale (mean loss so far; 1 before the first round or if it is 0).
  double scale() const noexcept;

 private:
  TsallisInfOptions options_;
  std::vector<double> k_;
  std::vector<double> p_;
  double x_ = 0.0;
  double loss_sum_ = 0.0;
  std::size_t rounds_ = 0;
  std::size_t fallbacks_ = 0;
  std::size_t pending_ = 0;
  bool has_pending_ = false;
};

}  // namespace descent::bandit
