#include "descent/evo/pareto.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

namespace descent::evo {

bool dominates(const Eigen::Ref<const Eigen::RowVectorXd>& a,
               const Eigen::Ref<const Eigen::RowVectorXd>& b) noexcept {
  bool better = false;
  for (Eigen::Index k = 0; k < a.size(); ++k) {
    if (a(k) > b(k)) return false;
    if (a(k) < b(k)) better = true;
  }
  return better;
}

bool dominates(const Eigen::MatrixXd& f, Eigen::Index i, Eigen::Index j) noexcept {
  bool better = false;
  for (Eigen::Index k = 0; k < f.cols(); ++k) {
    if (f(i, k) > f(j, k)) return false;
    if (f(i, k) < f(j, k)) better = true;
  }
  return better;
}

std::vector<std::vector<Eigen::Index>> non_dominated_sort(const Eigen::MatrixXd& f) {
  const Eigen::Index n = f.rows();
  std::vector<std::vector<Eigen::Index>> dominated(static_cast<std::size_t>(n));
  std::vector<int> count(static_cast<std::size_t>(n), 0);
  std::vector<std::vector<Eigen::Index>> fronts;
  std::vector<Eigen::Index> current;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i + 1; j < n; ++j) {
      if (dominates(f, i, j)) {
        dominated[static_cast<std::size_t>(i)].push_back(j);
        ++count[static_cast<std::size_t>(j)];
      } else if (dominates(f, j, i)) {
        dominated[static_cast<std::size_t>(j)].push_back(i);
        ++count[static_cast<std::size_t>(i)];
      }
    }
  }
  for (Eigen::Index i = 0; i < n; ++i)
    if (count[static_cast<std::size_t>(i)] == 0) current.push_back(i);
  while (!current.empty()) {
    std::vector<Eigen::Index> next;
    for (Eigen::Index i : current)
      for (Eigen::Index j : dominated[static_cast<std::size_t>(i)])
        if (--count[static_cast<std::size_t>(j)] == 0) next.push_back(j);
    std::sort(next.begin(), next.end());
    fronts.push_back(std::move(current));
    current = std::move(next);
  }
  return fronts;
}

std::vector<Eigen::Index> pareto_front(const Eigen::MatrixXd& f) {
  std::vector<Eigen::Index> out;
  for (Eigen::Index i = 0; i < f.rows(); ++i) {
    bool dominated = false;
    for (Eigen::Index j = 0; j < f.rows() && !dominated; ++j) dominated = dominates(f, j, i);
    if (!dominated) out.push_back(i);
  }
  return out;
}

std::vector<double> crowding_distance(const Eigen::MatrixXd& f,
                                      const std::vector<Eigen::Index>& front) {
  const std::size_t n = front.size();
  constexpr double inf = std::numeric_limits<double>::infinity();
  std::vector<double> d(n, 0.0);
  if (n <= 2) return std::vector<double>(n, inf);
  std::vector<std::size_t> order(n);
  for (Eigen::Index k = 0; k < f.cols(); ++k) {
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return f(front[a], k) < f(front[b], k); });
    const double lo = f(front[order.front()], k), hi = f(front[order.back()], k);
    if (!(hi > lo)) continue;  // constant on the front: no contribution, extremes included
    d[order.front()] = d[order.back()] = inf;
    for (std::size_t r = 1; r + 1 < n; ++r)
      d[order[r]] += (f(front[order[r + 1]], k) - f(front[order[r - 1]], k)) / (hi - lo);
  }
  return d;
}

}  // namespace descent::evo
