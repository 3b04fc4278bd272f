// Ridge, softmax regression (in W and in the data), and the multiclass SVM dual.
#include "descent/implicit/objectives.hpp"

#include <cmath>

#include "descent/core/error.hpp"

namespace descent::implicit {
namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// dλ/dθ₀
double reg_slope(Reg reg, double theta0) {
  return reg == Reg::direct ? 1.0 : std::exp(theta0);
}

// Row-wise softmax of Z.
Mat softmax_rows(const Mat& z) {
  Mat p = (z.colwise() - z.rowwise().maxCoeff()).array().exp().matrix();
  p.array().colwise() /= p.rowwise().sum().array();
  return p;
}

// P∘(D − rowsum(P∘D)): the product of the softmax Jacobian with D, row by row.
Mat softmax_jvp(const Mat& p, const Mat& d) {
  const Eigen::VectorXd s = (p.array() * d.array()).rowwise().sum();
  return (p.array() * (d.colwise() - s).array()).matrix();
}

Mat one_hot(const Eigen::VectorXi& labels, int k) {
  Mat y = Mat::Zero(labels.size(), k);
  for (Eigen::Index i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= k)
      throw Error("label " + std::to_string(labels[i]) + " out of range 0.." +
                  std::to_string(k - 1));
    y(i, labels[i]) = 1.0;
  }
  return y;
}

Eigen::Map<const Mat> as_mat(const Vec& v, Eigen::Index r, Eigen::Index c) {
  return Eigen::Map<const Mat>(v.data(), r, c);
}
Vec flat(const Mat& m) {
  return Eigen::Map<const Vec>(m.data(), m.size());
}

}  // namespace

double reg_value(Reg reg, double theta0) {
  return reg == Reg::direct ? theta0 : std::exp(theta0);
}

SmoothObjective ridge(Mat x, Vec y, Reg reg) {
  if (x.rows() != y.size()) throw Error("ridge: X and y have different numbers of rows");
  const auto n = static_cast<double>(x.rows());
  SmoothObjective f;
  f.dim_x = x.cols();
  f.dim_theta = 1;
  f.value = [=](const Vec& w, const Vec& th) {
    return (x * w - y).squaredNorm() / (2 * n) + 0.5 * reg_value(reg, th[0]) * w.squaredNorm();
  };
  f.grad = [=](const Vec& w, const Vec& th) -> Vec {
    return x.transpose() * (x * w - y) / n + reg_value(reg, th[0]) * w;
  };
  f.hvp = [=](const Vec&, const Vec& th, const Vec& v) -> Vec {
    return x.transpose() * (x * v) / n + reg_value(reg, th[0]) * v;
  };
  f.cross_vjp = [=](const Vec& w, const Vec& th, const Vec& u) -> Vec {
    return Vec::Constant(1, reg_slope(reg, th[0]) * w.dot(u));
  };
  f.cross_jvp = [=](const Vec& w, const Vec& th, const Vec& t) -> Vec {
    return reg_slope(reg, th[0]) * t[0] * w;
  };
  return f;
}

SmoothObjective least_squares(Mat x, Vec y, Eigen::Index dim_theta) {
  if (x.rows() != y.size()) throw Error("least_squares: X and y have different numbers of rows");
  const auto n = static_cast<double>(x.rows());
  SmoothObjective f;
  f.dim_x = x.cols();
  f.dim_theta = dim_theta;
  f.value = [=](const Vec& w, const Vec&) { return (x * w - y).squaredNorm() / (2 * n); };
  f.grad = [=](const Vec& w, const Vec&) -> Vec { return x.transpose() * (x * w - y) / n; };
  f.hvp = [=](const Vec&, const Vec&, const Vec& v) -> Vec { return x.transpose() * (x * v) / n; };
  f.cross_vjp = [dim_theta](const Vec&, const Vec&, const Vec&) -> Vec {
    return Vec::Zero(dim_theta);
  };
  f.cross_jvp = [](const Vec& w, const Vec&, const Vec&) -> Vec { return Vec::Zero(w.size()); };
  return f;
}

double softmax_loss(const Mat& x, const Eigen::VectorXi& labels, const Vec& w, int k, Vec* grad) {
  const Mat z = x * as_mat(w, x.cols(), k);
  const Mat y = one_hot(labels, k);
  const Eigen::VectorXd mx = z.rowwise().maxCoeff();
  const Eigen::ArrayXd lse = mx.array() + (z.colwise() - mx).array().exp().rowwise().sum().log();
  const double loss = (lse - (z.array() * y.array()).rowwise().sum()).mean();
  if (grad) *grad = flat(x.transpose() * (softmax_rows(z) - y) / static_cast<double>(x.rows()));
  return loss;
}

double softmax_accuracy(const Mat& x, const Eigen::VectorXi& labels, const Vec& w, int k) {
  const Mat z = x * as_mat(w, x.cols(), k);
  Eigen::Index hits = 0;
  for (Eigen::Index i = 0; i < z.rows(); ++i) {
    Eigen::Index arg;
    z.row(i).maxCoeff(&arg);
    hits += arg == labels[i];
  }
  return static_cast<double>(hits) / static_cast<double>(z.rows());
}

SmoothObjective softmax_regression(Mat x, Eigen::VectorXi labels, int k, Reg reg) {
  if (x.rows() != labels.size()) throw Error("softmax_regression: X and labels differ in rows");
  if (k < 2) throw InvalidOption("classes", "must be >= 2");
  const Mat y = one_hot(labels, k);
  const auto n = static_cast<double>(x.rows());
  const Eigen::Index p = x.cols();
  SmoothObjective f;
  f.dim_x = p * k;
  f.dim_theta = 1;
  f.value = [=](const Vec& w, const Vec& th) {
    return softmax_loss(x, labels, w, k) + 0.5 * reg_value(reg, th[0]) * w.squaredNorm();
  };
  f.grad = [=](const Vec& w, const Vec& th) -> Vec {
    const Mat pr = softmax_rows(x * as_mat(w, p, k));
    return flat(x.transpose() * (pr - y) / n) + reg_value(reg, th[0]) * w;
  };
  f.hvp = [=](const Vec& w, const Vec& th, const Vec& v) -> Vec {
    const Mat pr = softmax_rows(x * as_mat(w, p, k));
    const Mat dp = softmax_jvp(pr, x * as_mat(v, p, k));
    return flat(x.transpose() * dp / n) + reg_value(reg, th[0]) * v;
  };
  f.cross_vjp = [=](const Vec& w, const Vec& th, const Vec& u) -> Vec {
    return Vec::Constant(1, reg_slope(reg, th[0]) * w.dot(u));
  };
  f.cross_jvp = [=](const Vec& w, const Vec& th, const Vec& t) -> Vec {
    return reg_slope(reg, th[0]) * t[0] * w;
  };
  return f;
}

SmoothObjective softmax_regression_on_data(Eigen::VectorXi labels, int k, Eigen::Index p,
                                           double lambda) {
  if (k < 2) throw InvalidOption("classes", "must be >= 2");
  const Mat y = one_hot(labels, k);
  const Eigen::Index m = labels.size();
  const auto md = static_cast<double>(m);
  SmoothObjective f;
  f.dim_x = p * k;
  f.dim_theta = m * p;
  f.value = [=](const Vec& w, const Vec& th) {
    return softmax_loss(as_mat(th, m, p), labels, w, k) + 0.5 * lambda * w.squaredNorm();
  };
  f.grad = [=](const Vec& w, const Vec& th) -> Vec {
    const auto x = as_mat(th, m, p);
    return flat(x.transpose() * (softmax_rows(x * as_mat(w, p, k)) - y) / md) + lambda * w;
  };
  f.hvp = [=](const Vec& w, const Vec& th, const Vec& v) -> Vec {
    const auto x = as_mat(th, m, p);
    const Mat pr = softmax_rows(x * as_mat(w, p, k));
    return flat(x.transpose() * softmax_jvp(pr, x * as_mat(v, p, k)) / md) + lambda * v;
  };
  // ∇_W f = Xᵀ(P − Y)/m + λW. For U (p×k): ⟨U, Xᵀ(P − Y)⟩ = ⟨XU, P − Y⟩, whose derivative in X
  // is (P − Y)Uᵀ + (∂P*[XU])Wᵀ.
  f.cross_vjp = [=](const Vec& w, const Vec& th, const Vec& u) -> Vec {
    const auto x = as_mat(th, m, p);
    const auto wm = as_mat(w, p, k), um = as_mat(u, p, k);
    const Mat pr = softmax_rows(x * wm);
    return flat(((pr - y) * um.transpose() + softmax_jvp(pr, x * um) * wm.transpose()) / md);
  };
  f.cross_jvp = [=](const Vec& w, const Vec& th, const Vec& t) -> Vec {
    const auto x = as_mat(th, m, p), dx = as_mat(t, m, p);
    const auto wm = as_mat(w, p, k);
    const Mat pr = softmax_rows(x * wm);
    return flat((dx.transpose() * (pr - y) + x.transpose() * softmax_jvp(pr, dx * wm)) / md);
  };
  return f;
}

SmoothObjective svm_dual(Mat x, Eigen::VectorXi labels, int k, Reg reg) {
  if (x.rows() != labels.size()) throw Error("svm_dual: X and labels differ in rows");
  const Mat y = one_hot(labels, k);
  const Eigen::Index n = x.rows();
  const auto rows = [n, k](const Vec& v) { return Eigen::Map<const RowMat>(v.data(), n, k); };
  const auto flat_rows = [](const Mat& m) -> Vec {
    const RowMat r = m;
    return Eigen::Map<const Vec>(r.data(), r.size());
  };
  // X Xᵀ M through two thin products (X is n×p).
  const auto kmul = [x](const Mat& m) -> Mat { return x * (x.transpose() * m); };
  SmoothObjective f;
  f.dim_x = n * k;
  f.dim_theta = 1;
  f.value = [=](const Vec& b, const Vec& th) {
    const Mat r = y - rows(b);
    return (x.transpose() * r).squaredNorm() / (2 * reg_value(reg, th[0])) +
           (rows(b).array() * (y.array() - 1.0)).sum();
  };
  f.grad = [=](const Vec& b, const Vec& th) -> Vec {
    return flat_rows(-kmul(y - rows(b)) / reg_value(reg, th[0]) + (y.array() - 1.0).matrix());
  };
  f.hvp = [=](const Vec&, const Vec& th, const Vec& v) -> Vec {
    return flat_rows(kmul(rows(v)) / reg_value(reg, th[0]));
  };
  f.cross_vjp = [=](const Vec& b, const Vec& th, const Vec& u) -> Vec {
    const double lam = reg_value(reg, th[0]);
    const double d = (rows(u).array() * kmul(y - rows(b)).array()).sum() / (lam * lam);
    return Vec::Constant(1, reg_slope(reg, th[0]) * d);
  };
  f.cross_jvp = [=](const Vec& b, const Vec& th, const Vec& t) -> Vec {
    const double lam = reg_value(reg, th[0]);
    return flat_rows(kmul(y - rows(b)) * (reg_slope(reg, th[0]) * t[0] / (lam * lam)));
  };
  return f;
}

Mat svm_primal(const Mat& x, const Eigen::VectorXi& labels, int k, const Vec& beta, double lambda) {
  const Mat y = one_hot(labels, k);
  const Eigen::Map<const RowMat> b(beta.data(), x.rows(), k);
  return x.transpose() * (y - b) / lambda;
}

}  // namespace descent::implicit
