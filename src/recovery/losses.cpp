#include "descent/recovery/losses.hpp"

#include "descent/core/error.hpp"

namespace descent::recovery {
namespace {

// X = U U^T and residual = A(X) - y, into the workspace.
void residuals(const MeasurementOperator& op, const Eigen::VectorXd& y, const Eigen::MatrixXd& U,
               LossWorkspace& ws, int threads) {
  const Eigen::Index d = op.dimension(), m = op.measurements();
  if (U.rows() != d)
    throw Error("recovery loss: U has " + std::to_string(U.rows()) +
                " rows, the operator d = " + std::to_string(d));
  if (y.size() != m)
    throw Error("recovery loss: " + std::to_string(y.size()) + " observations for " +
                std::to_string(m) + " measurements");
  ws.X.resize(d, d);
  ws.X.noalias() = U * U.transpose();
  ws.residual.resize(m);
  op.apply(ws.X, ws.residual, threads);
  ws.residual -= y;
}

// D = S(weights) U * scale.
void back(const MeasurementOperator& op, const Eigen::MatrixXd& U, double scale, Eigen::MatrixXd& D,
          LossWorkspace& ws, int threads) {
  const Eigen::Index d = op.dimension();
  ws.S.resize(d, d);
  op.adjoint(ws.weights, ws.S, threads);
  D.resize(U.rows(), U.cols());
  D.noalias() = ws.S * U;
  D *= scale;
}

}  // namespace

double l1_loss(const MeasurementOperator& op, const Eigen::VectorXd& y, const Eigen::MatrixXd& U,
               LossWorkspace& ws, int threads) {
  residuals(op, y, U, ws, threads);
  return ws.residual.lpNorm<1>() / static_cast<double>(op.measurements());
}

double l1_loss_subgradient(const MeasurementOperator& op, const Eigen::VectorXd& y,
                           const Eigen::MatrixXd& U, Eigen::MatrixXd& D, LossWorkspace& ws,
                           int threads) {
  const double f = l1_loss(op, y, U, ws, threads);
  // sign with sign(0) = 0 (a valid element of the sub-differential of |.| at 0).
  ws.weights = ws.residual.unaryExpr([](double r) { return double((r > 0) - (r < 0)); });
  back(op, U, 1.0 / static_cast<double>(op.measurements()), D, ws, threads);
  return f;
}

double l2_loss(const MeasurementOperator& op, const Eigen::VectorXd& y, const Eigen::MatrixXd& U,
               LossWorkspace& ws, int threads) {
  residuals(op, y, U, ws, threads);
  return ws.residual.squaredNorm() / (4.0 * static_cast<double>(op.measurements()));
}

double l2_loss_gradient(const MeasurementOperator& op, const Eigen::VectorXd& y,
                        const Eigen::MatrixXd& U, Eigen::MatrixXd& G, LossWorkspace& ws,
                        int threads) {
  const double f = l2_loss(op, y, U, ws, threads);
  ws.weights = ws.residual;
  back(op, U, 1.0 / (2.0 * static_cast<double>(op.measurements())), G, ws, threads);
  return f;
}

}  // namespace descent::recovery
