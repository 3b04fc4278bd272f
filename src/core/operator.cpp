#include "descent/core/operator.hpp"

#include <memory>
#include <string>
#include <utility>

#include "descent/core/error.hpp"

namespace descent {

namespace {

std::span<const double> in(const Eigen::VectorXd& v) {
  return {v.data(), static_cast<std::size_t>(v.size())};
}
std::span<double> out(Eigen::VectorXd& v) {
  return {v.data(), static_cast<std::size_t>(v.size())};
}

void check_size(Eigen::Index dim, const Eigen::VectorXd& v) {
  if (v.size() != dim)
    throw Error("LinearOperator: a product with a vector of size " + std::to_string(v.size()) +
                " on an operator of size " + std::to_string(dim));
}

}  // namespace

Eigen::VectorXd LinearOperator::operator()(const Eigen::VectorXd& v) const {
  if (!apply) throw Error("LinearOperator: apply is not set");
  check_size(dim, v);
  Eigen::VectorXd r(dim);
  apply(in(v), out(r));
  return r;
}

Eigen::VectorXd LinearOperator::transpose_times(const Eigen::VectorXd& v) const {
  if (!apply_transpose) throw Error("LinearOperator: apply_transpose is not set");
  check_size(dim, v);
  Eigen::VectorXd r(dim);
  apply_transpose(in(v), out(r));
  return r;
}

LinearOperator LinearOperator::transposed() const {
  if (!apply || !apply_transpose)
    throw Error("LinearOperator::transposed: both products must be set");
  return {dim, apply_transpose, apply};
}

LinearOperator symmetric_operator(Eigen::Index dim, Apply apply) {
  Apply transpose = apply;
  return {dim, std::move(apply), std::move(transpose)};
}

LinearOperator make_operator(
    Eigen::Index dim, std::function<Eigen::VectorXd(const Eigen::VectorXd&)> apply,
    std::function<Eigen::VectorXd(const Eigen::VectorXd&)> apply_transpose) {
  auto wrap = [dim](std::function<Eigen::VectorXd(const Eigen::VectorXd&)> f) -> Apply {
    if (!f) return {};
    return [dim, f = std::move(f)](std::span<const double> v, std::span<double> o) {
      const Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(v.data(), dim);
      Eigen::Map<Eigen::VectorXd>(o.data(), dim) = f(x);
    };
  };
  return {dim, wrap(std::move(apply)), wrap(std::move(apply_transpose))};
}

LinearOperator dense_operator(Eigen::MatrixXd a) {
  if (a.rows() != a.cols())
    throw Error("dense_operator: the matrix must be square, got " + std::to_string(a.rows()) +
                " x " + std::to_string(a.cols()));
  auto m = std::make_shared<const Eigen::MatrixXd>(std::move(a));
  const Eigen::Index n = m->rows();
  return {n,
          [m, n](std::span<const double> v, std::span<double> o) {
            Eigen::Map<Eigen::VectorXd>(o.data(), n).noalias() =
                *m * Eigen::Map<const Eigen::VectorXd>(v.data(), n);
          },
          [m, n](std::span<const double> v, std::span<double> o) {
            Eigen::Map<Eigen::VectorXd>(o.data(), n).noalias() =
                m->transpose() * Eigen::Map<const Eigen::VectorXd>(v.data(), n);
          }};
}

Eigen::MatrixXd to_dense(const LinearOperator& a) {
  if (!a.apply) throw Error("to_dense: apply is not set");
  Eigen::MatrixXd m(a.dim, a.dim);
  Eigen::VectorXd e = Eigen::VectorXd::Zero(a.dim);
  for (Eigen::Index j = 0; j < a.dim; ++j) {
    e(j) = 1;
    a.apply(in(e), {m.col(j).data(), static_cast<std::size_t>(a.dim)});
    e(j) = 0;
  }
  return m;
}

}  // namespace descent
