// Tsallis-INF-CB: a contextual bandit that bins a scalar context and runs an independent
// Tsallis-INF in each bin.
//
// M. Khodak, E. Chow, M.-F. Balcan and A. Talwalkar, "Learning to Relax: Setting Solver
// Parameters Across a Sequence of Linear System Instances", ICLR 2024, Section 2.4 (Theorem 2.2:
// O~(T^{3/4}) regret against the instance-optimal policy for Lipschitz costs).
//
// The context range [lo, hi] is split into `bins` bins with centres
// lo + (hi - lo) * linspace(0.5/bins, 1 - 0.5/bins, bins); a context goes to the nearest centre
// (the first on ties), so contexts outside the range use the end bins. The paper uses 5 bins
// for the SOR suite and 6 for the heat equation.
#pragma once

#include <cstddef>
#include <vector>

#include "descent/bandit/tsallis_inf.hpp"

namespace descent::bandit {

struct TsallisInfCbOptions {
  double context_lo = 0.0;    ///< lower end of the context range (required, finite)
  double context_hi = 1.0;    ///< upper end (> context_lo)
  std::size_t bins = 5;       ///< number of bins (default 5, the paper's SOR setting)
  TsallisInfOptions tsallis;  ///< settings of each bin's Tsallis-INF

  void validate() const;
};

class TsallisInfCb final : public Learner {
 public:
  TsallisInfCb(std::size_t arms, TsallisInfCbOptions options);

  std::string_view name() const noexcept override { return "tsallis-inf-cb"; }
  std::size_t arms() const noexcept override { return arms_; }
  bool contextual() const noexcept override { return true; }
  std::size_t choose(Rng& rng, double context) override;
  void update(double cost) override;
  std::span<const double> probabilities() const noexcept override;
  std::size_t rounds() const noexcept override { return rounds_; }
  std::size_t fallbacks() const noexcept override;

  /// The bin a context falls into.
  std::size_t bin_of(double context) const;
  const std::vector<double>& centres() const noexcept { return centres_; }
  const TsallisInf& bin(std::size_t i) const { return bins_.at(i); }

 private:
  std::size_t arms_;
  std::vector<double> centres_;
  std::vector<TsallisInf> bins_;
  std::size_t last_bin_ = 0;
  std::size_t rounds_ = 0;
};

}  // namespace descent::bandit
