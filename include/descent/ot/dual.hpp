// The concave dual of entropic OT (the "Lyapunov potential" of Tang et al., ICLR 2024), with its
// gradient and Hessian, evaluated densely in the log domain.
//
//   f(x, y) = -(1/eta) sum_ij exp(eta (-C_ij + x_i + y_j) - 1) + a.x + b.y
//   P(x, y) = exp(eta (-C + x 1^T + 1 y^T) - 1)
//   grad f  = (a - P 1, b - P^T 1)
//   hess f  = -eta [[diag(P 1), P], [P^T, diag(P^T 1)]]   (negative semidefinite; (1, -1) is in
//                                                           its null space)
//
// These O(n m) reference evaluations serve tests, diagnostics and small problems; the solvers
// use the fused kernels in src/ot and are checked against them.
#pragma once

#include <Eigen/Core>

#include "descent/ot/problem.hpp"

namespace descent::ot {

/// P(x, y), computed entry by entry as exp(log P) (no under/overflow beyond that of P itself).
Eigen::MatrixXd entropic_plan(const Problem& p, double eta, const Eigen::VectorXd& x,
                              const Eigen::VectorXd& y);
/// f(x, y).
double dual_value(const Problem& p, double eta, const Eigen::VectorXd& x, const Eigen::VectorXd& y);
/// grad f stacked as (x-part, y-part), length n + m.
Eigen::VectorXd dual_gradient(const Problem& p, double eta, const Eigen::VectorXd& x,
                              const Eigen::VectorXd& y);
/// hess f, dense (n + m) x (n + m).
Eigen::MatrixXd dual_hessian(const Problem& p, double eta, const Eigen::VectorXd& x,
                             const Eigen::VectorXd& y);

/// |P 1 - a|_1 + |P^T 1 - b|_1 for any plan of the right shape (descent::Error otherwise).
double marginal_error(const Problem& p, const Eigen::MatrixXd& plan);
/// <C, P>.
double transport_cost(const Problem& p, const Eigen::MatrixXd& plan);

}  // namespace descent::ot
