// The factorised losses of robust matrix recovery and their (sub)gradients.
//
//   f_l1(U) = (1/m) sum_i |<A_i, U U^T> - y_i|,
//   D(U)    = (1/m) sum_i sign(<A_i, U U^T> - y_i) (A_i + A_i^T) U,   sign(0) = 0;
//   f_l2(U) = (1/(4m)) sum_i (<A_i, U U^T> - y_i)^2,
//   grad    = (1/(2m)) sum_i (<A_i, U U^T> - y_i) (A_i + A_i^T) U,
// (for Gaussian A_i the expected l2 gradient is (U U^T - X*) U: GD on |U U^T - X*|_F^2 / 4).
// Each evaluation is X = U U^T, r = A(X) - y, S = A*(sign(r) or r), D = S U / m: two GEMVs and
// two small GEMMs, all into a reusable workspace.
#pragma once

#include <Eigen/Core>

#include "descent/recovery/measurements.hpp"

namespace descent::recovery {

/// Buffers reused across evaluations (sized on first use).
struct LossWorkspace {
  Eigen::MatrixXd X;         ///< U U^T of the last evaluation
  Eigen::VectorXd residual;  ///< A(U U^T) - y of the last evaluation
  Eigen::VectorXd weights;
  Eigen::MatrixXd S;
};

/// f_l1(U); fills D with the sub-gradient. sign(0) = 0.
double l1_loss_subgradient(const MeasurementOperator& op, const Eigen::VectorXd& y,
                           const Eigen::MatrixXd& U, Eigen::MatrixXd& D, LossWorkspace& ws,
                           int threads = 1);
/// f_l1(U) only.
double l1_loss(const MeasurementOperator& op, const Eigen::VectorXd& y, const Eigen::MatrixXd& U,
               LossWorkspace& ws, int threads = 1);
/// f_l2(U); fills G with the gradient.
double l2_loss_gradient(const MeasurementOperator& op, const Eigen::VectorXd& y,
                        const Eigen::MatrixXd& U, Eigen::MatrixXd& G, LossWorkspace& ws,
                        int threads = 1);
double l2_loss(const MeasurementOperator& op, const Eigen::VectorXd& y, const Eigen::MatrixXd& U,
               LossWorkspace& ws, int threads = 1);

}  // namespace descent::recovery
