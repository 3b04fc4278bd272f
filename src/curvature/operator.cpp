#include "descent/curvature/operator.hpp"

#include "descent/core/error.hpp"

namespace descent::curvature {

Eigen::VectorXd SymmetricOperator::operator()(const Eigen::VectorXd& v) const {
  Eigen::VectorXd out(v.size());
  apply({v.data(), static_cast<std::size_t>(v.size())},
        {out.data(), static_cast<std::size_t>(out.size())});
  return out;
}

SymmetricOperator dense_operator(const Eigen::MatrixXd& a) {
  if (a.rows() != a.cols()) throw Error("dense_operator: matrix must be square");
  const Eigen::MatrixXd* m = &a;
  return {a.rows(), [m](std::span<const double> v, std::span<double> out) {
            const Eigen::Map<const Eigen::VectorXd> x(v.data(), m->cols());
            Eigen::Map<Eigen::VectorXd>(out.data(), m->rows()).noalias() = *m * x;
          }};
}

SymmetricOperator gram_operator(const Eigen::MatrixXd& jacobian) {
  const Eigen::MatrixXd* j = &jacobian;
  return {jacobian.cols(), [j](std::span<const double> v, std::span<double> out) {
            const Eigen::Map<const Eigen::VectorXd> x(v.data(), j->cols());
            const Eigen::VectorXd jv = *j * x;
            Eigen::Map<Eigen::VectorXd>(out.data(), j->cols()).noalias() =
                j->transpose() * jv / static_cast<double>(j->rows());
          }};
}

SymmetricOperator deflated(SymmetricOperator a, Eigen::VectorXd values, Eigen::MatrixXd vectors) {
  const Eigen::Index n = a.dim;
  return {n, [a = std::move(a), l = std::move(values), u = std::move(vectors)](
                 std::span<const double> v, std::span<double> out) {
            a.apply(v, out);
            if (l.size() == 0) return;
            const Eigen::Map<const Eigen::VectorXd> x(v.data(), u.rows());
            const Eigen::VectorXd c = l.cwiseProduct(u.transpose() * x);
            Eigen::Map<Eigen::VectorXd>(out.data(), u.rows()) -= u * c;
          }};
}

Eigen::MatrixXd materialize(const SymmetricOperator& a) {
  Eigen::MatrixXd m(a.dim, a.dim);
  Eigen::VectorXd e = Eigen::VectorXd::Zero(a.dim);
  for (Eigen::Index j = 0; j < a.dim; ++j) {
    e(j) = 1;
    a.apply({e.data(), static_cast<std::size_t>(a.dim)},
            {m.col(j).data(), static_cast<std::size_t>(a.dim)});
    e(j) = 0;
  }
  return 0.5 * (m + m.transpose());
}

}  // namespace descent::curvature
