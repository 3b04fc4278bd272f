#include "descent/curvature/operator.hpp"

#include "descent/core/error.hpp"

namespace descent::curvature {

SymmetricOperator gram_operator(const Eigen::MatrixXd& jacobian) {
  const Eigen::MatrixXd* j = &jacobian;
  return symmetric_operator(jacobian.cols(), [j](std::span<const double> v, std::span<double> out) {
    const Eigen::Map<const Eigen::VectorXd> x(v.data(), j->cols());
    const Eigen::VectorXd jv = *j * x;
    Eigen::Map<Eigen::VectorXd>(out.data(), j->cols()).noalias() =
        j->transpose() * jv / static_cast<double>(j->rows());
  });
}

SymmetricOperator deflated(SymmetricOperator a, Eigen::VectorXd values, Eigen::MatrixXd vectors) {
  const Eigen::Index n = a.dim;
  return symmetric_operator(n, [a = std::move(a), l = std::move(values), u = std::move(vectors)](
                                   std::span<const double> v, std::span<double> out) {
    a.apply(v, out);
    if (l.size() == 0) return;
    const Eigen::Map<const Eigen::VectorXd> x(v.data(), u.rows());
    const Eigen::VectorXd c = l.cwiseProduct(u.transpose() * x);
    Eigen::Map<Eigen::VectorXd>(out.data(), u.rows()) -= u * c;
  });
}

Eigen::MatrixXd materialize(const SymmetricOperator& a) {
  const Eigen::MatrixXd m = to_dense(a);
  return 0.5 * (m + m.transpose());
}

}  // namespace descent::curvature
