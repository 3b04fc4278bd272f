// k-fold splits and grid search.
#include "descent/data/cross_validation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <tuple>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"

namespace descent::data {

namespace {

std::vector<Fold> deal(const std::vector<Eigen::Index>& order, Eigen::Index n, int k) {
  std::vector<int> fold_of(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < order.size(); ++i)
    fold_of[static_cast<std::size_t>(order[i])] = static_cast<int>(i % std::size_t(k));
  std::vector<Fold> folds(static_cast<std::size_t>(k));
  for (Eigen::Index r = 0; r < n; ++r)
    for (int f = 0; f < k; ++f)
      (fold_of[std::size_t(r)] == f ? folds[std::size_t(f)].test : folds[std::size_t(f)].train)
          .push_back(r);
  return folds;
}

void check_folds(Eigen::Index n, int k) {
  if (k < 2) throw InvalidOption("folds", "must be >= 2, got " + std::to_string(k));
  if (k > n)
    throw InvalidOption(
        "folds", std::to_string(k) + " folds need at least as many rows, got " + std::to_string(n));
}

}  // namespace

std::vector<Fold> kfold(Eigen::Index n, int k, std::uint64_t seed) {
  check_folds(n, k);
  Rng rng = make_rng(seed, {0xf01d});
  return deal(permutation(rng, n), n, k);
}

std::vector<Fold> stratified_kfold(const Eigen::VectorXd& labels, int k, std::uint64_t seed) {
  const Eigen::Index n = labels.size();
  check_folds(n, k);
  std::map<double, std::vector<Eigen::Index>> by_class;
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!std::isfinite(labels[i])) throw Error("stratified_kfold: a label is not finite");
    by_class[labels[i]].push_back(i);
  }
  Rng rng = make_rng(seed, {0x5f01d});
  std::vector<Eigen::Index> order;
  order.reserve(static_cast<std::size_t>(n));
  for (auto& [label, rows] : by_class) {
    const std::vector<Eigen::Index> perm = permutation(rng, Eigen::Index(rows.size()));
    for (Eigen::Index p : perm) order.push_back(rows[std::size_t(p)]);
  }
  return deal(order, n, k);
}

std::string to_string(const GridPoint& point) {
  std::string s;
  for (const auto& [name, value] : point) {
    if (!s.empty()) s += ' ';
    char buf[48];
    std::snprintf(buf, sizeof buf, "%g", value);
    s += name + "=" + buf;
  }
  return s;
}

std::vector<GridPoint> expand_grid(const std::map<std::string, std::vector<double>>& axes) {
  std::vector<GridPoint> points{GridPoint{}};
  for (const auto& [name, values] : axes) {
    if (values.empty()) throw InvalidOption(name, "a grid axis needs at least one value");
    std::vector<GridPoint> next;
    next.reserve(points.size() * values.size());
    for (const GridPoint& p : points)
      for (double v : values) {
        GridPoint q = p;
        q[name] = v;
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  return points;
}

std::pair<double, double> mean_and_std(const std::vector<double>& values) {
  if (values.empty())
    return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  double mean = 0.0;
  for (double v : values) mean += v;
  mean /= double(values.size());
  double var = 0.0;
  for (double v : values) var += (v - mean) * (v - mean);
  return {mean, std::sqrt(var / double(values.size()))};
}

GridSearchResult grid_search(const std::vector<GridPoint>& points, const std::vector<Fold>& folds,
                             const std::function<double(const GridPoint&, const Fold&)>& score) {
  if (points.empty()) throw Error("grid_search: no grid points");
  if (folds.empty()) throw Error("grid_search: no folds");
  GridSearchResult result;
  for (const GridPoint& p : points) {
    GridScore s;
    s.point = p;
    for (const Fold& f : folds) s.fold_scores.push_back(score(p, f));
    std::tie(s.mean, s.std) = mean_and_std(s.fold_scores);
    result.scores.push_back(std::move(s));
  }
  // NaN means (a failed fit) never win over a finite one.
  for (std::size_t i = 1; i < result.scores.size(); ++i) {
    const double m = result.scores[i].mean, b = result.scores[result.best].mean;
    if (std::isfinite(m) && (!std::isfinite(b) || m > b)) result.best = i;
  }
  return result;
}

}  // namespace descent::data
