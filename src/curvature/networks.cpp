#include "descent/curvature/networks.hpp"

#include <memory>

namespace descent::curvature {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// ---- diagonal linear network ----------------------------------------------------------------

VectorXd DiagonalLinearNet::predict(const VectorXd& theta, const MatrixXd& x) const {
  return x * theta.head(d_).cwiseProduct(theta.tail(d_));
}

double DiagonalLinearNet::loss(const VectorXd& theta, const MatrixXd& x, const VectorXd& y) const {
  return 0.5 * (predict(theta, x) - y).squaredNorm() / static_cast<double>(x.rows());
}

double DiagonalLinearNet::gradient(const VectorXd& theta, const MatrixXd& x, const VectorXd& y,
                                   VectorXd& g) const {
  const VectorXd r = predict(theta, x) - y;
  const VectorXd s = x.transpose() * r / static_cast<double>(x.rows());
  g.resize(2 * d_);
  g.head(d_) = s.cwiseProduct(theta.tail(d_));
  g.tail(d_) = s.cwiseProduct(theta.head(d_));
  return 0.5 * r.squaredNorm() / static_cast<double>(x.rows());
}

double DiagonalLinearNet::sgd_step(VectorXd& theta, const Eigen::Ref<const Eigen::RowVectorXd>& xi,
                                   double yi, double eta) const {
  auto u = theta.head(d_);
  auto v = theta.tail(d_);
  const double r = xi.dot(u.cwiseProduct(v)) - yi;
  const double c = eta * r;
  for (Index j = 0; j < d_; ++j) {
    const double uj = u(j), vj = v(j);
    u(j) = uj - c * xi(j) * vj;
    v(j) = vj - c * xi(j) * uj;
  }
  return r;
}

MatrixXd DiagonalLinearNet::jacobian(const VectorXd& theta, const MatrixXd& x) const {
  MatrixXd j(x.rows(), 2 * d_);
  j.leftCols(d_) = x * theta.tail(d_).asDiagonal();
  j.rightCols(d_) = x * theta.head(d_).asDiagonal();
  return j;
}

double DiagonalLinearNet::trace_gauss_newton(const VectorXd& theta, const MatrixXd& x) const {
  const VectorXd c = x.colwise().squaredNorm().transpose() / static_cast<double>(x.rows());
  return c.dot(theta.head(d_).cwiseAbs2() + theta.tail(d_).cwiseAbs2());
}

SymmetricOperator DiagonalLinearNet::hessian(const VectorXd& theta, const MatrixXd& x,
                                             const VectorXd& y) const {
  // H w = Jᵀ J w / n + [s ⊙ w_v; s ⊙ w_u] with s = Xᵀ r / n (the residual term of ∇²f_i).
  auto j = std::make_shared<MatrixXd>(jacobian(theta, x));
  const VectorXd r = predict(theta, x) - y;
  const VectorXd s = x.transpose() * r / static_cast<double>(x.rows());
  const Index d = d_;
  return symmetric_operator(2 * d, [j, s, d](std::span<const double> w, std::span<double> out) {
    const Eigen::Map<const VectorXd> wv(w.data(), 2 * d);
    Eigen::Map<VectorXd> o(out.data(), 2 * d);
    const VectorXd jw = *j * wv;
    o.noalias() = j->transpose() * jw / static_cast<double>(j->rows());
    o.head(d) += s.cwiseProduct(wv.tail(d));
    o.tail(d) += s.cwiseProduct(wv.head(d));
  });
}

MatrixXd DiagonalLinearNet::dense_hessian(const VectorXd& theta, const MatrixXd& x,
                                          const VectorXd& y) const {
  const MatrixXd j = jacobian(theta, x);
  MatrixXd h = j.transpose() * j / static_cast<double>(x.rows());
  const VectorXd s = x.transpose() * (predict(theta, x) - y) / static_cast<double>(x.rows());
  for (Index k = 0; k < d_; ++k) {
    h(k, d_ + k) += s(k);
    h(d_ + k, k) += s(k);
  }
  return h;
}

double DiagonalLinearNet::l1_norm(const VectorXd& theta) const {
  return theta.head(d_).cwiseProduct(theta.tail(d_)).lpNorm<1>();
}

// ---- two-layer ReLU network -----------------------------------------------------------------

namespace {
using RowMap =
    Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
}

VectorXd TwoLayerReluNet::predict(const VectorXd& theta, const MatrixXd& x) const {
  const RowMap w(theta.data() + m_, m_, d_);
  return (x * w.transpose()).cwiseMax(0.0) * theta.head(m_);
}

double TwoLayerReluNet::loss(const VectorXd& theta, const MatrixXd& x, const VectorXd& y) const {
  return 0.5 * (predict(theta, x) - y).squaredNorm() / static_cast<double>(x.rows());
}

double TwoLayerReluNet::gradient(const VectorXd& theta, const MatrixXd& x, const VectorXd& y,
                                 VectorXd& g) const {
  const RowMap w(theta.data() + m_, m_, d_);
  const MatrixXd z = x * w.transpose();  // n x m
  const MatrixXd act = z.cwiseMax(0.0);
  const VectorXd r = act * theta.head(m_) - y;
  const double n = static_cast<double>(x.rows());
  g.resize(parameters());
  g.head(m_) = act.transpose() * r / n;
  // dL/dW = (diag(r) · 1[Z > 0] · diag(a))ᵀ X / n
  const MatrixXd d = (z.array() > 0).cast<double>().matrix() * theta.head(m_).asDiagonal();
  const MatrixXd dr = r.asDiagonal() * d;
  Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> gw(
      g.data() + m_, m_, d_);
  gw.noalias() = dr.transpose() * x / n;
  return 0.5 * r.squaredNorm() / n;
}

double TwoLayerReluNet::sgd_step(VectorXd& theta, const Eigen::Ref<const Eigen::RowVectorXd>& xi,
                                 double yi, double eta) const {
  Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> w(
      theta.data() + m_, m_, d_);
  auto a = theta.head(m_);
  const VectorXd z = w * xi.transpose();
  const VectorXd act = z.cwiseMax(0.0);
  const double r = act.dot(a) - yi;
  const double c = eta * r;
  for (Index k = 0; k < m_; ++k) {
    if (z(k) > 0) w.row(k) -= (c * a(k)) * xi;
    a(k) -= c * act(k);
  }
  return r;
}

MatrixXd TwoLayerReluNet::jacobian(const VectorXd& theta, const MatrixXd& x) const {
  const RowMap w(theta.data() + m_, m_, d_);
  const MatrixXd z = x * w.transpose();
  MatrixXd j(x.rows(), parameters());
  j.leftCols(m_) = z.cwiseMax(0.0);
  for (Index i = 0; i < x.rows(); ++i)
    for (Index k = 0; k < m_; ++k)
      j.row(i).segment(m_ + k * d_, d_) = (z(i, k) > 0 ? theta(k) : 0.0) * x.row(i);
  return j;
}

double TwoLayerReluNet::trace_gauss_newton(const VectorXd& theta, const MatrixXd& x) const {
  const RowMap w(theta.data() + m_, m_, d_);
  const MatrixXd z = x * w.transpose();
  const MatrixXd on = (z.array() > 0).cast<double>().matrix();
  const VectorXd a2 = theta.head(m_).cwiseAbs2();
  // ||∇f_i||² = Σ_k σ(z_ik)² + ||x_i||² Σ_k a_k² 1[z_ik > 0]
  const double t =
      z.cwiseMax(0.0).squaredNorm() + (x.rowwise().squaredNorm().array() * (on * a2).array()).sum();
  return t / static_cast<double>(x.rows());
}

double TwoLayerReluNet::path_norm(const VectorXd& theta) const {
  const RowMap w(theta.data() + m_, m_, d_);
  return theta.head(m_).cwiseAbs().dot(w.rowwise().norm());
}

}  // namespace descent::curvature
