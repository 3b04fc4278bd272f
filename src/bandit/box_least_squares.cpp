#include "descent/bandit/box_least_squares.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "descent/core/error.hpp"

namespace descent::bandit {

Eigen::VectorXd min_norm_least_squares(const Eigen::MatrixXd& C, const Eigen::VectorXd& d) {
  if (d.size() != C.rows())
    throw Error("min_norm_least_squares: d has " + std::to_string(d.size()) +
                " entries but C has " + std::to_string(C.rows()) + " rows");
  if (C.rows() == 0 || C.cols() == 0) return Eigen::VectorXd::Zero(C.cols());
  return Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd>(C).solve(d);
}

namespace {

// Minimises ||C theta - d|| over the free coordinates with the others held fixed (least norm).
Eigen::VectorXd solve_free(const Eigen::MatrixXd& C, const Eigen::VectorXd& d,
                           const Eigen::VectorXd& theta, const std::vector<char>& free) {
  std::vector<Eigen::Index> f;
  Eigen::VectorXd rhs = d;
  for (Eigen::Index j = 0; j < C.cols(); ++j) {
    if (free[static_cast<std::size_t>(j)])
      f.push_back(j);
    else
      rhs -= C.col(j) * theta[j];
  }
  Eigen::MatrixXd Cf(C.rows(), static_cast<Eigen::Index>(f.size()));
  for (std::size_t k = 0; k < f.size(); ++k) Cf.col(static_cast<Eigen::Index>(k)) = C.col(f[k]);
  const Eigen::VectorXd zf = min_norm_least_squares(Cf, rhs);
  Eigen::VectorXd z = theta;
  for (std::size_t k = 0; k < f.size(); ++k) z[f[k]] = zf[static_cast<Eigen::Index>(k)];
  return z;
}

}  // namespace

BoxLeastSquaresResult box_least_squares(const Eigen::MatrixXd& C, const Eigen::VectorXd& d,
                                        const Eigen::VectorXd& lo, const Eigen::VectorXd& hi,
                                        int max_iterations) {
  const Eigen::Index n = C.cols();
  if (d.size() != C.rows() || lo.size() != n || hi.size() != n)
    throw Error("box_least_squares: inconsistent sizes");
  for (Eigen::Index j = 0; j < n; ++j)
    if (!(lo[j] <= hi[j])) throw Error("box_least_squares: lower bound above upper bound");

  BoxLeastSquaresResult out;
  // Start from the projection of the unconstrained least-norm solution; coordinates that had to
  // be clipped start on their bound, the rest free.
  Eigen::VectorXd theta = min_norm_least_squares(C, d);
  std::vector<char> free(static_cast<std::size_t>(n), 1);
  for (Eigen::Index j = 0; j < n; ++j) {
    if (theta[j] <= lo[j])
      theta[j] = lo[j], free[static_cast<std::size_t>(j)] = 0;
    else if (theta[j] >= hi[j])
      theta[j] = hi[j], free[static_cast<std::size_t>(j)] = 0;
  }
  const double tol = 1e-12;
  out.converged = false;
  for (int it = 0; it < max_iterations; ++it) {
    out.iterations = it;
    // Inner loop: move towards the free-set optimum, pinning the first bound hit.
    for (;;) {
      const Eigen::VectorXd z = solve_free(C, d, theta, free);
      double step = 1.0;
      Eigen::Index blocking = -1;
      for (Eigen::Index j = 0; j < n; ++j) {
        if (!free[static_cast<std::size_t>(j)]) continue;
        const double delta = z[j] - theta[j];
        double s = 1.0;
        if (z[j] > hi[j])
          s = (hi[j] - theta[j]) / delta;
        else if (z[j] < lo[j])
          s = (lo[j] - theta[j]) / delta;
        else
          continue;
        if (s < step) step = s, blocking = j;
      }
      if (blocking < 0) {
        theta = z;
        break;
      }
      theta += std::max(0.0, step) * (z - theta);
      for (Eigen::Index j = 0; j < n; ++j) {  // pin every coordinate now on a bound
        if (!free[static_cast<std::size_t>(j)]) continue;
        if (j == blocking || theta[j] <= lo[j] || theta[j] >= hi[j]) {
          theta[j] = std::clamp(theta[j], lo[j], hi[j]);
          if (j == blocking) theta[j] = (z[j] > hi[j]) ? hi[j] : lo[j];
          free[static_cast<std::size_t>(j)] = 0;
        }
      }
    }
    // KKT for the pinned coordinates: the gradient must point out of the box.
    const Eigen::VectorXd g = C.transpose() * (C * theta - d);
    const double gscale = std::max(1.0, g.cwiseAbs().maxCoeff());
    Eigen::Index release = -1;
    double worst = tol * gscale;
    for (Eigen::Index j = 0; j < n; ++j) {
      if (free[static_cast<std::size_t>(j)]) continue;
      const bool at_lo = theta[j] <= lo[j], at_hi = theta[j] >= hi[j];
      double violation = 0.0;
      if (at_lo && !at_hi && g[j] < 0)
        violation = -g[j];
      else if (at_hi && !at_lo && g[j] > 0)
        violation = g[j];
      if (violation > worst) worst = violation, release = j;
    }
    if (release < 0) {
      out.converged = true;
      break;
    }
    free[static_cast<std::size_t>(release)] = 1;
  }
  out.theta = theta;
  out.residual_norm_sq = (C * theta - d).squaredNorm();
  return out;
}

}  // namespace descent::bandit
