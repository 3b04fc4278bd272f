#include "descent/core/rng.hpp"

#include <algorithm>
#include <numeric>

namespace descent {

Eigen::VectorXd normal_vector(Rng& rng, Eigen::Index n) {
  std::normal_distribution<double> dist;
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = dist(rng);
  return v;
}

Eigen::MatrixXd normal_matrix(Rng& rng, Eigen::Index rows, Eigen::Index cols) {
  std::normal_distribution<double> dist;
  Eigen::MatrixXd m(rows, cols);
  // Fill row by row so the matrix does not depend on Eigen's storage order.
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = dist(rng);
  return m;
}

Eigen::VectorXd uniform_vector(Rng& rng, Eigen::Index n, double lo, double hi) {
  std::uniform_real_distribution<double> dist(lo, hi);
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = dist(rng);
  return v;
}

Eigen::MatrixXd uniform_matrix(Rng& rng, Eigen::Index rows, Eigen::Index cols, double lo,
                               double hi) {
  std::uniform_real_distribution<double> dist(lo, hi);
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = dist(rng);
  return m;
}

Eigen::VectorXd rademacher_vector(Rng& rng, Eigen::Index n) {
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = (rng() >> 63) ? 1.0 : -1.0;
  return v;
}

std::vector<Eigen::Index> permutation(Rng& rng, Eigen::Index n) {
  std::vector<Eigen::Index> p(static_cast<std::size_t>(n));
  std::iota(p.begin(), p.end(), Eigen::Index{0});
  // Fisher-Yates with our own index draw: std::shuffle's use of the engine is unspecified.
  for (Eigen::Index i = n - 1; i > 0; --i) {
    std::uniform_int_distribution<Eigen::Index> pick(0, i);
    std::swap(p[static_cast<std::size_t>(i)], p[static_cast<std::size_t>(pick(rng))]);
  }
  return p;
}

}  // namespace descent
