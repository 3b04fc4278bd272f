#include "descent/newton/regularized_solver.hpp"

#include <Eigen/Cholesky>

#include "descent/core/error.hpp"

namespace descent::newton {

std::string_view to_string(LinearSolver s) noexcept {
  return s == LinearSolver::cholesky ? "cholesky" : "sherman-morrison";
}

LinearSolver linear_solver_from_string(std::string_view name) {
  if (name == "cholesky") return LinearSolver::cholesky;
  if (name == "sherman-morrison" || name == "sherman_morrison" || name == "wsm")
    return LinearSolver::sherman_morrison;
  throw Error("unknown linear solver '" + std::string(name) +
              "' (expected cholesky or sherman-morrison)");
}

RegularizedSolver::RegularizedSolver(const Norm& metric, LinearSolver kind)
    : metric_(metric), kind_(kind) {}

bool RegularizedSolver::cholesky(const Eigen::MatrixXd& h, double lambda, const Eigen::VectorXd& g,
                                 Eigen::VectorXd& delta, double* sensitivity) {
  ++solves_;
  work_ = h;
  metric_.add_scaled_to(work_, lambda);
  Eigen::LLT<Eigen::Ref<Eigen::MatrixXd>> llt(work_);  // in place: no second n x n buffer
  if (llt.info() != Eigen::Success) {
    ++failures_;
    return false;
  }
  delta = -llt.solve(g);
  if (!delta.allFinite()) {
    ++failures_;
    return false;
  }
  if (sensitivity) {
    const Eigen::VectorXd bd =
        metric_.is_identity() ? delta : Eigen::VectorXd(metric_.matrix() * delta);
    *sensitivity = llt.matrixL().solve(bd).squaredNorm();
  }
  return true;
}

bool RegularizedSolver::solve(const Curvature& h, double lambda, const Eigen::VectorXd& g,
                              Eigen::VectorXd& delta) {
  if (kind_ == LinearSolver::cholesky) {
    if (!h.is_rank_one) return cholesky(h.dense, lambda, g, delta, nullptr);
    Eigen::MatrixXd dense;
    h.to_dense(dense);
    return cholesky(dense, lambda, g, delta, nullptr);
  }
  if (!h.is_rank_one)
    throw Error(
        "linear_solver = sherman-morrison needs a rank-one Hessian approximation "
        "(e.g. fisher); this source returned a dense matrix");
  ++solves_;
  // P = λB: P⁻¹y = B⁻¹y / λ.
  const Eigen::VectorXd pg = metric_.solve(g) / lambda;
  const Eigen::VectorXd pv = metric_.solve(h.factor.v) / lambda;
  const double alpha = h.factor.alpha;
  const double denom = 1.0 + alpha * h.factor.v.dot(pv);
  delta = -pg + (alpha * h.factor.v.dot(pg) / denom) * pv;
  if (!(denom > 0) || !delta.allFinite()) {
    ++failures_;
    return false;
  }
  return true;
}

bool RegularizedSolver::solve_with_sensitivity(const Eigen::MatrixXd& h, double lambda,
                                               const Eigen::VectorXd& g, Eigen::VectorXd& delta,
                                               double& sensitivity) {
  return cholesky(h, lambda, g, delta, &sensitivity);
}

}  // namespace descent::newton
