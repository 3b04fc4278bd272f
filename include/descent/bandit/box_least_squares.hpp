// Small dense least-squares solves used as regression oracles by the contextual bandits.
//
// MATLAB's lsqminnorm and lsqlin stand-ins: the minimum-norm least-squares solution (complete
// orthogonal decomposition) and a bounded-variable least-squares solver (P. B. Stark and
// R. L. Parker, "Bounded-Variable Least-Squares: an Algorithm and Applications", Computational
// Statistics 10, 1995), an active-set method that is exact in finitely many steps.
#pragma once

#include <Eigen/Dense>

namespace descent::bandit {

/// argmin ||C theta - d||_2 of least norm; C may be rank deficient or have fewer rows than
/// columns. Throws descent::Error if d.size() != C.rows().
Eigen::VectorXd min_norm_least_squares(const Eigen::MatrixXd& C, const Eigen::VectorXd& d);

struct BoxLeastSquaresResult {
  Eigen::VectorXd theta;
  double residual_norm_sq = 0.0;  ///< ||C theta - d||^2 (lsqlin's resnorm)
  int iterations = 0;             ///< active-set changes
  bool converged = true;          ///< false if the iteration cap was hit (theta is still feasible)
};

/// argmin ||C theta - d||^2 subject to lo <= theta <= hi (componentwise; lo <= hi, infinite
/// bounds allowed). Among minimisers on a rank-deficient free set, the free part has least norm.
/// Throws descent::Error for mismatched sizes or lo > hi.
BoxLeastSquaresResult box_least_squares(const Eigen::MatrixXd& C, const Eigen::VectorXd& d,
                                        const Eigen::VectorXd& lo, const Eigen::VectorXd& hi,
                                        int max_iterations = 200);

}  // namespace descent::bandit
