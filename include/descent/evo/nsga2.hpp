// NSGA-II (Deb, Pratap, Agarwal, Meyarivan, IEEE TEC 6(2), 2002) with pymoo 0.6's defaults and
// operator semantics, the search inside DyNAS-T / LINAS (Cummings et al., arXiv 2202.12954):
//
//   P <- initial population (random, or given), evaluated
//   each generation: binary tournaments (dominance, then larger crowding distance, then a coin)
//   pick parents; SBX + polynomial mutation (+ rounding for integer variables) make
//   `population` offspring, duplicates removed (of each other and of P) and redrawn; the
//   offspring are evaluated in one batch; survival keeps the best `population` of P ∪ Q by
//   non-dominated rank, the last front by crowding distance (ties broken at random).
//
// Objectives are minimised. Evaluations go through one batch call per generation, so a caller
// can spread them (over MPI ranks, threads) or count them against a budget.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/run.hpp"
#include "descent/core/settings.hpp"
#include "descent/core/status.hpp"
#include "descent/evo/operators.hpp"

namespace descent::evo {

/// A multi-objective problem over a box.
struct Problem {
  Bounds bounds;
  Eigen::Index objectives = 2;
  /// Writes the objectives of every row of X into the rows of F (X.rows() x objectives). A
  /// non-finite objective is an error (descent::Error names the row).
  std::function<void(const Eigen::MatrixXd& X, Eigen::MatrixXd& F)> evaluate;
  void validate() const;
};

struct Nsga2Options {
  std::size_t population = 100;   ///< N (pymoo 100; DyNAS-T 50)
  std::size_t generations = 250;  ///< generations after the initial population
  /// Stop before a generation that would exceed this many evaluations (0 = no cap).
  std::size_t max_evaluations = 0;
  SbxOptions crossover;      ///< pymoo: probability 0.9, eta 15, variable probability 0.5
  MutationOptions mutation;  ///< pymoo: probability 0.9, eta 20, variable probability min(.5, 1/n)
  bool eliminate_duplicates = true;  ///< offspring equal to a member or to each other redrawn
  std::uint64_t seed = 0;
  HistoryOptions history;  ///< one row per generation (extras: front_size, evaluations)

  void validate() const;
  /// The fields by name (descent/core/settings.hpp).
  template <class Fields>
  void fields(Fields& f) {
    f("population", population, "population size N");
    f("generations", generations, "generations after the initial population");
    f("max_evaluations", max_evaluations, "stop before exceeding this many evaluations; 0 = off");
    f("sbx_probability", crossover.probability, "probability that a pair is crossed");
    f("sbx_eta", crossover.eta, "SBX distribution index");
    f("sbx_variable_probability", crossover.variable_probability,
      "probability that a variable takes part in a crossing");
    f("mutation_probability", mutation.probability, "probability that an offspring mutates");
    f("mutation_eta", mutation.eta, "polynomial-mutation distribution index");
    f("mutation_variable_probability", mutation.variable_probability,
      "per-variable rate of a mutating offspring; < 0 = min(0.5, 1/n)");
    f("eliminate_duplicates", eliminate_duplicates, "redraw offspring that repeat a member");
    f("seed", seed, "random stream");
    f("record_history", history.record_history, "keep a history row per generation");
  }
};

struct Nsga2Result {
  /// status max_iterations (all generations ran), stopped (a callback) or failed;
  /// iterations = generations run; function_evaluations = points evaluated.
  Summary summary;
  Eigen::MatrixXd X, F;             ///< the final population, best rank first
  std::vector<Eigen::Index> front;  ///< rows of the final population on its first front
  Eigen::MatrixXd all_X, all_F;     ///< every evaluated point, in evaluation order
};

Nsga2Result nsga2(const Problem& problem, const Nsga2Options& options = {},
                  Callbacks callbacks = {}, const Eigen::MatrixXd& initial = {});

/// Random search with the same evaluation interface: `evaluations` uniform points (duplicates
/// redrawn when eliminate_duplicates), evaluated in batches of `batch`.
Nsga2Result random_search(const Problem& problem, std::size_t evaluations, std::uint64_t seed,
                          std::size_t batch = 50, Callbacks callbacks = {});

}  // namespace descent::evo
