// LINAS, the Lightweight Iterative NAS of DyNAS-T (Cummings et al., "A Hardware-Aware System for
// Accelerating Deep Neural Network Optimization", arXiv 2202.12954; spec search_nas_co.md §2.1):
// predictor-in-the-loop multi-objective search, for objectives that are costly to measure
// (validation accuracy of a sub-network, measured latency).
//
//   P <- `population` random configurations
//   loop:
//     validate P (the costly evaluation; these count against `evaluations`)
//     fit one predictor per objective on every configuration validated so far
//       (evo::Predictor: Ridge and RBF-SVR by scikit-learn's grid-search protocol, the better
//       one kept) on features(configuration)
//     run NSGA-II on the predictors for `inner_evaluations` cheap evaluations
//     P <- the `population` best configurations of that run not validated yet
//   return every validated configuration; its Pareto front is the answer
//
// Two choices differ from DyNAS-T's code (search/tactic/linas.py), both so that no validation
// is spent twice:
//  - DyNAS-T takes the inner run's final population as the next P, repeats included, and
//    validates it again. Here the next P is the final population without the configurations
//    already validated, topped up from the rest of the inner run's evaluations by predicted
//    non-dominated rank (and crowding distance within a rank).
//  - DyNAS-T seeds every inner run with the same seed; here loop k uses a stream derived from
//    (seed, k), so that loops do not retrace one another.
// The inner NSGA-II has pymoo's defaults (nsga2.hpp) and DyNAS-T's population 50.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/evo/nsga2.hpp"

namespace descent::evo {

struct LinasOptions {
  std::size_t population = 50;            ///< configurations validated per loop (DyNAS-T 50)
  std::size_t evaluations = 250;          ///< the validation budget
  std::size_t inner_evaluations = 20000;  ///< predictor evaluations per loop (DyNAS-T, MBv3)
  std::string predictor = "best";         ///< "best" (Ridge or SVR by CV score), "ridge", "svr"
  int folds = 5;                          ///< K of the predictors' K-fold grid search
  std::uint64_t seed = 0;
  SbxOptions crossover;      ///< the inner NSGA-II's crossover (pymoo defaults)
  MutationOptions mutation;  ///< the inner NSGA-II's mutation (pymoo defaults)
  HistoryOptions history;    ///< one row per loop (extras: validations, front_size)

  void validate() const;
  template <class Fields>
  void fields(Fields& f) {
    f("population", population, "configurations validated per loop");
    f("evaluations", evaluations, "validation budget");
    f("inner_evaluations", inner_evaluations, "predictor evaluations per loop");
    f("predictor", predictor, "best, ridge or svr");
    f("folds", folds, "folds of the predictors' grid search");
    f("seed", seed, "random stream");
    f("record_history", history.record_history, "keep a history row per loop");
  }
};

/// Maps configurations (one per row) to predictor features. The default: one-hot of each
/// integer variable (DyNAS-T's onehot_generic), the raw values for real variables.
using Features = std::function<Eigen::MatrixXd(const Eigen::MatrixXd&)>;

/// The default features of `bounds` (see Features).
Features default_features(const Bounds& bounds);

/// Runs LINAS. The result's X and F hold every validated configuration (validation order),
/// `front` the rows on their Pareto front, all_X / all_F the same points; summary.iterations
/// counts loops and summary.function_evaluations validations; counters
/// "predictor_evaluations" and "predictor_fit_seconds". Status max_iterations when the budget
/// is spent, stopped (a callback) or stalled (no unvalidated configuration left).
Nsga2Result linas(const Problem& problem, const LinasOptions& options = {},
                  Callbacks callbacks = {}, Features features = {});

}  // namespace descent::evo
