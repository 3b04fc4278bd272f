#include "descent/ot/dual.hpp"

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"

namespace descent::ot {

namespace {

void check_point(const Problem& p, double eta, const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  check::positive("eta", eta);
  if (x.size() != p.rows() || y.size() != p.cols())
    throw Error("OT dual: potentials have sizes " + std::to_string(x.size()) + " and " +
                std::to_string(y.size()) + " for a " + std::to_string(p.rows()) + " x " +
                std::to_string(p.cols()) + " problem");
}

}  // namespace

Eigen::MatrixXd entropic_plan(const Problem& p, double eta, const Eigen::VectorXd& x,
                              const Eigen::VectorXd& y) {
  check_point(p, eta, x, y);
  Eigen::MatrixXd P(p.rows(), p.cols());
  for (Eigen::Index j = 0; j < p.cols(); ++j)
    for (Eigen::Index i = 0; i < p.rows(); ++i)
      P(i, j) = std::exp(eta * (-p.cost()(i, j) + x[i] + y[j]) - 1.0);
  return P;
}

double dual_value(const Problem& p, double eta, const Eigen::VectorXd& x,
                  const Eigen::VectorXd& y) {
  return -entropic_plan(p, eta, x, y).sum() / eta + p.a().dot(x) + p.b().dot(y);
}

Eigen::VectorXd dual_gradient(const Problem& p, double eta, const Eigen::VectorXd& x,
                              const Eigen::VectorXd& y) {
  const Eigen::MatrixXd P = entropic_plan(p, eta, x, y);
  Eigen::VectorXd g(p.rows() + p.cols());
  g.head(p.rows()) = p.a() - P.rowwise().sum();
  g.tail(p.cols()) = p.b() - P.colwise().sum().transpose();
  return g;
}

Eigen::MatrixXd dual_hessian(const Problem& p, double eta, const Eigen::VectorXd& x,
                             const Eigen::VectorXd& y) {
  const Eigen::MatrixXd P = entropic_plan(p, eta, x, y);
  const Eigen::Index n = p.rows(), m = p.cols();
  Eigen::MatrixXd H = Eigen::MatrixXd::Zero(n + m, n + m);
  H.topLeftCorner(n, n).diagonal() = P.rowwise().sum();
  H.bottomRightCorner(m, m).diagonal() = P.colwise().sum().transpose();
  H.topRightCorner(n, m) = P;
  H.bottomLeftCorner(m, n) = P.transpose();
  return -eta * H;
}

double marginal_error(const Problem& p, const Eigen::MatrixXd& plan) {
  if (plan.rows() != p.rows() || plan.cols() != p.cols())
    throw Error("marginal_error: plan is " + std::to_string(plan.rows()) + " x " +
                std::to_string(plan.cols()) + " for a " + std::to_string(p.rows()) + " x " +
                std::to_string(p.cols()) + " problem");
  return (plan.rowwise().sum() - p.a()).lpNorm<1>() +
         (plan.colwise().sum().transpose() - p.b()).lpNorm<1>();
}

double transport_cost(const Problem& p, const Eigen::MatrixXd& plan) {
  if (plan.rows() != p.rows() || plan.cols() != p.cols())
    throw Error("transport_cost: plan shape does not match the problem");
  return p.cost().cwiseProduct(plan).sum();
}

}  // namespace descent::ot
