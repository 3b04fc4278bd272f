// GBNN on a data::Dataset: fit with optional standardisation, score, staged scores, and the
// paper's nested cross-validation (outer k-fold for the score, inner grid search per fold).
#pragma once

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "descent/boost/model_file.hpp"
#include "descent/data/cross_validation.hpp"
#include "descent/data/datasets.hpp"

namespace descent::boost {

/// regression for a set without classes, binary for two classes, multiclass otherwise.
Task default_task(const data::Dataset& d);

/// Fits GBNN on `train` (standardised with its own statistics when `standardize`).
BoostModel fit_model(const data::Dataset& train, Task task, const GbnnOptions& options,
                     bool standardize, const RoundCallback& on_round = {});

struct Evaluation {
  double accuracy = std::numeric_limits<double>::quiet_NaN();  ///< classification
  double rmse = std::numeric_limits<double>::quiet_NaN();      ///< regression
  double loss = std::numeric_limits<double>::quiet_NaN();      ///< the task's mean loss
  /// Higher is better: accuracy, or −RMSE.
  double score() const { return std::isnan(accuracy) ? -rmse : accuracy; }
};

/// Scores raw predictions F of a model with task `task` against targets y.
Evaluation evaluate_scores(const Gbnn& model, const Eigen::MatrixXd& f, const Eigen::VectorXd& y);
/// Scores the model (its first `rounds` rounds; all by default) on a set.
Evaluation evaluate(const BoostModel& model, const data::Dataset& test, int rounds = -1);
/// Scores after 0, 1, ..., rounds() rounds.
std::vector<Evaluation> staged_evaluate(const BoostModel& model, const data::Dataset& test);

/// `base` with a grid point's values: keys eta, subsample, units (units per round; total units
/// kept), total_units, alpha. Throws InvalidOption for any other key.
GbnnOptions with_point(GbnnOptions base, const data::GridPoint& point);

/// The GBNN paper's grid: units {1, 2, 3, 4} × subsample {0.25, 0.5, 0.75, 1} × eta {0.025,
/// 0.05, 0.1, 0.5, 1} (80 points); "small": eta {0.1, 0.5} × subsample {0.5, 1} (4 points);
/// "none": no inner search. Otherwise parsed as "eta=0.1,0.5;subsample=0.5,1;units=1,2".
std::vector<data::GridPoint> parse_grid(const std::string& spec);

struct CvFold {
  data::GridPoint best;  ///< the inner search's choice (empty without a grid)
  Evaluation test;
  double seconds = 0.0;
};

struct CvResult {
  std::vector<CvFold> folds;
  double mean = 0.0;  ///< of the outer folds' score(): accuracy or −RMSE
  double std = 0.0;
};

struct CvOptions {
  int folds = 5;        ///< outer folds (stratified for classification), >= 2
  int inner_folds = 3;  ///< folds of the inner grid search, >= 2
  bool standardize = true;
  std::uint64_t seed = 0;
};

/// Nested cross-validation. An empty `grid` skips the inner search (plain k-fold with `base`).
/// `progress(fold, folds)` is called before each outer fold.
CvResult nested_cv(const data::Dataset& d, Task task, const GbnnOptions& base,
                   const std::vector<data::GridPoint>& grid, const CvOptions& options,
                   const std::function<void(int, int)>& progress = {});

}  // namespace descent::boost
