// Online learners over a finite set of arms: "choose an arm -> observe its cost -> update".
//
// descent::bandit is usable on its own (it depends only on descent::core). An arm is an index
// 0..arms()-1; the caller maps it to whatever it tunes (an SOR relaxation weight, an AMG relax
// weight, an IC drop tolerance, ...) and reports the cost the choice incurred (e.g. solver
// iterations). Contextual learners also receive a real-valued context with each choice.
//
//   descent::bandit::TsallisInf learner(20);
//   descent::Rng rng = descent::make_rng(seed);
//   for (...) {
//     const std::size_t arm = learner.choose(rng);
//     learner.update(cost_of(grid[arm]));
//   }
//
// Every learner keeps its sampling distribution on the probability simplex (entries >= 0,
// summing to 1 within 1e-12); a distribution that cannot be computed (NaN, Inf) falls back to
// uniform and is counted in fallbacks().
#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "descent/core/rng.hpp"

namespace descent::bandit {

/// The context to pass to a non-contextual learner (contextual learners reject it).
inline constexpr double kNoContext = std::numeric_limits<double>::quiet_NaN();

/// The interface every learner implements.
class Learner {
 public:
  virtual ~Learner() = default;
  virtual std::string_view name() const noexcept = 0;
  virtual std::size_t arms() const noexcept = 0;
  /// True if choose() needs a finite context.
  virtual bool contextual() const noexcept = 0;
  /// Draws an arm for the next round from the learner's current distribution. Contextual
  /// learners throw descent::Error for a non-finite context.
  virtual std::size_t choose(Rng& rng, double context = kNoContext) = 0;
  /// Reports the cost of the arm returned by the last choose(). Throws descent::Error if no
  /// choose() is pending or the cost is not finite.
  virtual void update(double cost) = 0;
  /// The distribution the last choose() sampled from (uniform before the first round).
  virtual std::span<const double> probabilities() const noexcept = 0;
  /// Completed rounds (updates).
  virtual std::size_t rounds() const noexcept = 0;
  /// How many rounds fell back to the uniform distribution because of NaN/Inf.
  virtual std::size_t fallbacks() const noexcept = 0;
};

/// Makes p a probability vector in place: tiny negative round-off is clipped to 0 and the entries
/// are divided by their sum. If any entry is NaN/Inf or clearly negative, or the sum is not
/// positive, p becomes uniform and the function returns false.
bool normalize_or_uniform(std::span<double> p);

/// A uniform double in [0, 1) from the top 53 bits of one draw (portable across standard
/// libraries, unlike std::uniform_real_distribution).
double uniform01(Rng& rng);

/// Samples an index from the probability vector p with one draw (inverse CDF).
std::size_t sample_index(std::span<const double> p, Rng& rng);

/// n evenly spaced values from lo to hi inclusive (MATLAB's linspace); n = 1 gives {lo}.
std::vector<double> linspace(double lo, double hi, std::size_t n);

}  // namespace descent::bandit
