// k-fold and stratified k-fold splits and grid search: the evaluation protocol of GBNN's paper
// (nested CV: an outer split for the score, an inner grid search per outer fold), for any family.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace descent::data {

struct Fold {
  std::vector<Eigen::Index> train;  ///< ascending
  std::vector<Eigen::Index> test;   ///< ascending
};

/// k folds of the rows 0..n−1 after a seeded shuffle; test sizes differ by at most one. Every
/// row is in exactly one test set. Throws descent::InvalidOption("folds") unless 2 <= k <= n.
std::vector<Fold> kfold(Eigen::Index n, int k, std::uint64_t seed);

/// k folds that keep each class's share: the rows of each class are shuffled, all classes are
/// laid end to end and dealt to the folds in turn, so every fold gets ⌊n_c/k⌋ or ⌈n_c/k⌉ rows
/// of class c and the test sizes differ by at most one. labels: class index per row.
std::vector<Fold> stratified_kfold(const Eigen::VectorXd& labels, int k, std::uint64_t seed);

/// One point of a parameter grid: name -> value.
using GridPoint = std::map<std::string, double>;
/// "eta=0.1 subsample=0.5".
std::string to_string(const GridPoint& point);

/// The Cartesian product of the axes (names in order; the last name varies fastest). An axis
/// with no values is an InvalidOption.
std::vector<GridPoint> expand_grid(const std::map<std::string, std::vector<double>>& axes);

struct GridScore {
  GridPoint point;
  std::vector<double> fold_scores;
  double mean = 0.0;
  double std = 0.0;  ///< population standard deviation over the folds (as sklearn reports)
};

struct GridSearchResult {
  std::vector<GridScore> scores;  ///< one per point, in the order given
  std::size_t best = 0;           ///< index of the highest mean (the first one on ties)
  const GridScore& best_score() const { return scores.at(best); }
};

/// Scores every point on every fold (score: higher is better, e.g. accuracy or −RMSE).
GridSearchResult grid_search(const std::vector<GridPoint>& points, const std::vector<Fold>& folds,
                             const std::function<double(const GridPoint&, const Fold&)>& score);

/// Mean and population standard deviation of a list (NaN for an empty list).
std::pair<double, double> mean_and_std(const std::vector<double>& values);

}  // namespace descent::data
