// Variation operators on bounded real or integer vectors, with pymoo 0.6's probability
// semantics (the DyNAS-T search's operators; spec search_nas_co.md §2.1–2.2).
//
//  - SBX: K. Deb, R. B. Agrawal, "Simulated Binary Crossover for Continuous Search Space",
//    Complex Systems 9, 1995, bounded form of Deb & Goyal 1996 (as in NSGA-II's code).
//  - Polynomial mutation: K. Deb, M. Goyal, "A combined genetic adaptive search (GeneAS) for
//    engineering design", Computer Science and Informatics 26, 1996 (bounded form).
//  - Integer variables: operate on reals, then round to the nearest integer (pymoo's
//    RoundingRepair) and clamp to the bounds.
//
// Two levels of probability (pymoo 0.6, spec pitfall 1): `probability` is per pair (SBX) or per
// individual (mutation); `variable_probability` is per variable once the operator applies.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "descent/core/rng.hpp"

namespace descent::evo {

/// Box bounds and which variables are integers (rounded after every operator).
struct Bounds {
  Eigen::VectorXd lower, upper;
  std::vector<bool> integer;  ///< empty = all real; else one flag per variable

  Eigen::Index size() const noexcept { return lower.size(); }
  bool is_integer(Eigen::Index i) const noexcept {
    return !integer.empty() && integer[static_cast<std::size_t>(i)];
  }
  /// Throws descent::Error unless lower <= upper elementwise, both finite, sizes agree.
  void validate() const;
  /// n integer variables with values 0 .. choices[i] - 1 (a categorical search space).
  static Bounds categorical(const std::vector<int>& choices);
  /// n real variables in [lo, hi].
  static Bounds box(Eigen::Index n, double lo, double hi);
};

struct SbxOptions {
  double probability = 0.9;           ///< a pair is crossed with this probability (pymoo 0.9)
  double eta = 15.0;                  ///< distribution index (pymoo 15)
  double variable_probability = 0.5;  ///< each variable takes part with this probability
  double swap_probability = 0.5;      ///< each crossed variable's children swap (pymoo prob_bin)
  void validate() const;
};

struct MutationOptions {
  double probability = 0.9;  ///< an individual is mutated with this probability (pymoo 0.9)
  double eta = 20.0;         ///< distribution index (pymoo 20)
  /// Each variable of a mutated individual changes with this probability; < 0 (the default)
  /// means min(0.5, 1 / n), pymoo's default.
  double variable_probability = -1.0;
  void validate() const;
};

/// Rounds integer variables to the nearest integer and clamps everything to the bounds.
void repair(Eigen::Ref<Eigen::VectorXd> x, const Bounds& bounds);

/// SBX of parents p1, p2 into children c1, c2 (repaired). Consumes rng deterministically.
void sbx(const Eigen::VectorXd& p1, const Eigen::VectorXd& p2, Eigen::VectorXd& c1,
         Eigen::VectorXd& c2, const Bounds& bounds, const SbxOptions& options, Rng& rng);

/// Polynomial mutation of x in place (repaired).
void polynomial_mutation(Eigen::VectorXd& x, const Bounds& bounds, const MutationOptions& options,
                         Rng& rng);

/// n individuals drawn uniformly in the box (integers uniformly among their values), one per
/// row.
Eigen::MatrixXd random_population(const Bounds& bounds, Eigen::Index n, Rng& rng);

}  // namespace descent::evo
