// Small seeded data sets for the SSO tests.
#pragma once

#include <memory>

#include <Eigen/Core>

#include "descent/core/rng.hpp"

namespace descent::surrogate::testing {

/// n x (d + 1) Gaussian features with an intercept column.
inline std::shared_ptr<const Eigen::MatrixXd> features(Eigen::Index n, Eigen::Index d,
                                                       std::uint64_t seed) {
  Rng rng = make_rng(seed, {41});
  auto x = std::make_shared<Eigen::MatrixXd>(n, d + 1);
  x->leftCols(d) = normal_matrix(rng, n, d);
  x->col(d).setOnes();
  return x;
}

/// Noisy linearly generated binary labels.
inline Eigen::VectorXd binary_labels(const Eigen::MatrixXd& x, std::uint64_t seed) {
  Rng rng = make_rng(seed, {42});
  const Eigen::VectorXd w = normal_vector(rng, x.cols());
  const Eigen::VectorXd noise = normal_vector(rng, x.rows());
  Eigen::VectorXd y(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) y[i] = x.row(i).dot(w) + 0.5 * noise[i] > 0 ? 1 : 0;
  return y;
}

inline Eigen::VectorXd class_labels(const Eigen::MatrixXd& x, int classes, std::uint64_t seed) {
  Rng rng = make_rng(seed, {43});
  const Eigen::MatrixXd w = normal_matrix(rng, x.cols(), classes);
  Eigen::VectorXd y(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    Eigen::Index k;
    (x.row(i) * w).maxCoeff(&k);
    y[i] = double(k);
  }
  return y;
}

}  // namespace descent::surrogate::testing
