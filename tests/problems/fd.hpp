// Central finite differences for the oracle tests.
#pragma once

#include <Eigen/Core>

#include "descent/problems/oracle.hpp"

namespace descent::problems::testing {

inline Eigen::VectorXd fd_gradient(const DifferentiableFunction& f, const Eigen::VectorXd& x,
                                   double h = 1e-5) {
  Eigen::VectorXd g(x.size()), xp = x, xm = x;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    xp[i] = x[i] + h;
    xm[i] = x[i] - h;
    g[i] = (f.value(xp) - f.value(xm)) / (2 * h);
    xp[i] = xm[i] = x[i];
  }
  return g;
}

inline Eigen::MatrixXd fd_hessian(const DifferentiableFunction& f, const Eigen::VectorXd& x,
                                  double h = 1e-5) {
  const Eigen::Index n = x.size();
  Eigen::MatrixXd hess(n, n);
  Eigen::VectorXd xp = x, xm = x, gp, gm;
  for (Eigen::Index j = 0; j < n; ++j) {
    xp[j] = x[j] + h;
    xm[j] = x[j] - h;
    f.gradient(xp, gp);
    f.gradient(xm, gm);
    hess.col(j) = (gp - gm) / (2 * h);
    xp[j] = xm[j] = x[j];
  }
  return hess;
}

/// ||a − b|| / max(||b||, floor).
inline double relative_error(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                             double floor = 1e-8) {
  return (a - b).norm() / std::max(b.norm(), floor);
}

}  // namespace descent::problems::testing
