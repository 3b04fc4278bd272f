#include "descent/bilevel/problems.hpp"

#include <cmath>

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <Eigen/QR>

#include "descent/core/error.hpp"
#include "descent/core/numerics.hpp"
#include "descent/core/rng.hpp"

namespace descent::bilevel {

// ---------------------------------------------------------------- LLC toy
double LlcToy::upper(const Vec& x, const Vec& y) const {
  return 0.5 * (x - y.tail(n_)).squaredNorm() + 0.5 * (y.head(n_).array() - 1.0).square().sum();
}
void LlcToy::upper_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const {
  gx = x - y.tail(n_);
  gy.resize(2 * n_);
  gy.head(n_) = y.head(n_).array() - 1.0;
  gy.tail(n_) = y.tail(n_) - x;
}
double LlcToy::lower(const Vec& x, const Vec& y) const {
  return 0.5 * y.head(n_).squaredNorm() - x.dot(y.head(n_)) + y.tail(n_).sum();
}
void LlcToy::lower_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const {
  gx = -y.head(n_);
  gy.resize(2 * n_);
  gy.head(n_) = y.head(n_) - x;
  gy.tail(n_).setOnes();
}
Vec LlcToy::constraint(const Vec& x, const Vec& y) const {
  return Vec::Constant(1, x.sum() + y.sum());
}
void LlcToy::constraint_vjp(const Vec&, const Vec&, const Vec& lambda, Vec& gx, Vec& gy) const {
  gx = Vec::Constant(n_, lambda(0));
  gy = Vec::Constant(2 * n_, lambda(0));
}
void LlcToy::project_c(Vec& x, Vec& y) const {
  const double mean = (x.sum() + y.sum()) / double(3 * n_);
  x.array() -= mean;
  y.array() -= mean;
}

// ---------------------------------------------------------------- LLSC toy
LlscToy::LlscToy(Eigen::Index n, Eigen::Index q, Eigen::Index r, std::uint64_t seed)
    : n_(n), q_(q) {
  if (q >= n || r >= n || q < 1 || r < 0) throw Error("LlscToy: need 1 <= q < n and 0 <= r < n");
  Rng rng = make_rng(seed, {0x115C});
  const double s = 1.0 / std::sqrt(double(n));
  A_ = normal_matrix(rng, q, n) * s;
  H_ = normal_matrix(rng, q, n) * s;
  B_ = normal_matrix(rng, r, n) * s;
  c_ = normal_vector(rng, n) * s;
  d_ = normal_vector(rng, n) * s;
  x0_ = normal_vector(rng, n);
  y0_ = normal_vector(rng, n);
  Apinv_ = A_.transpose() * (A_ * A_.transpose()).inverse();
  Mat k = Mat::Zero(r + q, 2 * n);
  k.topLeftCorner(r, n) = B_;
  k.bottomLeftCorner(q, n) = H_;
  k.bottomRightCorner(q, n) = A_;
  proj_ = AffineProjector(k, Vec::Zero(r + q));
}
double LlscToy::upper(const Vec& x, const Vec& y) const {
  return std::sin(c_.dot(x) + d_.dot(y)) + std::log((x + y).squaredNorm() + 1.0);
}
void LlscToy::upper_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const {
  const double cs = std::cos(c_.dot(x) + d_.dot(y));
  const Vec s = x + y;
  const Vec lg = 2.0 * s / (s.squaredNorm() + 1.0);
  gx = cs * c_ + lg;
  gy = cs * d_ + lg;
}
double LlscToy::lower(const Vec& x, const Vec& y) const {
  return 0.5 * (x - y).squaredNorm();
}
void LlscToy::lower_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const {
  gx = x - y;
  gy = y - x;
}
Vec LlscToy::constraint(const Vec& x, const Vec& y) const {
  return A_ * y + H_ * x;
}
void LlscToy::constraint_vjp(const Vec&, const Vec&, const Vec& lambda, Vec& gx, Vec& gy) const {
  gx = H_.transpose() * lambda;
  gy = A_.transpose() * lambda;
}
void LlscToy::project_c(Vec& x, Vec& y) const {
  Vec u(2 * n_);
  u << x, y;
  proj_.apply(u);
  x = u.head(n_);
  y = u.tail(n_);
}
Vec LlscToy::lower_solution(const Vec& x) const {
  return x - Apinv_ * (A_ * x + H_ * x);
}

// ---------------------------------------------------------------- linear-SVM HO
SvmHoProblem::SvmHoProblem(Mat z_train, Vec y_train, Mat z_val, Vec y_val,
                           HildrethOptions projection)
    : zt_(std::move(z_train)),
      zv_(std::move(z_val)),
      yt_(std::move(y_train)),
      yv_(std::move(y_val)),
      n_(zt_.rows()),
      d_(zt_.cols()),
      proj_options_(projection) {
  if (yt_.size() != n_ || zv_.cols() != d_ || yv_.size() != zv_.rows())
    throw Error("SvmHoProblem: data sizes do not match");
  a_ = Mat::Zero(n_, d_ + 1 + n_);
  for (Eigen::Index i = 0; i < n_; ++i) {
    a_.row(i).head(d_) = -yt_(i) * zt_.row(i);
    a_(i, d_) = -yt_(i);
    a_(i, d_ + 1 + i) = -1.0;
  }
  b_ = Vec::Constant(n_, -1.0);
  mu_ = Vec::Zero(n_);
}

namespace {
constexpr double kLeak = 0.01;  // torch.nn.LeakyReLU's default negative slope
}  // namespace

double SvmHoProblem::upper(const Vec&, const Vec& y) const {
  const auto w = y.head(d_);
  const double nw = std::max(w.norm(), 1e-12);
  const Vec r = zv_ * w + Vec::Constant(zv_.rows(), y(d_));
  double total = 0;
  for (Eigen::Index j = 0; j < r.size(); ++j) {
    const double a = 2.0 * sigmoid(-5.0 * yv_(j) * r(j) / nw) - 1.0;
    total += a > 0 ? a : kLeak * a;
  }
  return total;
}
void SvmHoProblem::upper_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const {
  gx = Vec::Zero(x.size());
  gy = Vec::Zero(y.size());
  const Vec w = y.head(d_);
  const double nw = std::max(w.norm(), 1e-12);
  const Vec r = zv_ * w + Vec::Constant(zv_.rows(), y(d_));
  Vec cz(r.size());  // dL/dm_j · y_j
  for (Eigen::Index j = 0; j < r.size(); ++j) {
    const double s = sigmoid(-5.0 * yv_(j) * r(j) / nw);
    const double a = 2.0 * s - 1.0;
    cz(j) = (a > 0 ? 1.0 : kLeak) * 2.0 * s * (1.0 - s) * (-5.0) * yv_(j);
  }
  // m_j = y_j r_j/‖w‖: ∂m/∂w = y_j(z_j/‖w‖ − r_j w/‖w‖³), ∂m/∂b = y_j/‖w‖.
  gy.head(d_) = zv_.transpose() * cz / nw - w * (cz.dot(r) / (nw * nw * nw));
  gy(d_) = cz.sum() / nw;
}
double SvmHoProblem::lower(const Vec& x, const Vec& y) const {
  return 0.5 * y.head(d_).squaredNorm() +
         0.5 * (x.array().exp() * y.tail(n_).array().square()).sum();
}
void SvmHoProblem::lower_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const {
  const Eigen::ArrayXd e = x.array().exp();
  gx = 0.5 * (e * y.tail(n_).array().square()).matrix();
  gy.resize(y.size());
  gy.head(d_) = y.head(d_);
  gy(d_) = 0.0;
  gy.tail(n_) = (e * y.tail(n_).array()).matrix();
}
Vec SvmHoProblem::constraint(const Vec&, const Vec& y) const {
  return a_ * y - b_;
}
void SvmHoProblem::constraint_vjp(const Vec& x, const Vec&, const Vec& lambda, Vec& gx,
                                  Vec& gy) const {
  gx = Vec::Zero(x.size());
  gy = a_.transpose() * lambda;
}
void SvmHoProblem::project_c(Vec&, Vec& y) const {
  project_halfspaces(a_, b_, y, mu_, proj_options_);
}
double SvmHoProblem::accuracy(const Vec& y, const Mat& z, const Vec& labels) {
  const Eigen::Index d = z.cols();
  const Vec r = z * y.head(d) + Vec::Constant(z.rows(), y(d));
  Eigen::Index right = 0;
  for (Eigen::Index j = 0; j < r.size(); ++j) right += (r(j) >= 0 ? 1.0 : -1.0) == labels(j);
  return double(right) / double(r.size());
}

// ---------------------------------------------------------------- cosh toy
double CoshToy::upper(const Vec& x, const Vec& y) const {
  return x.array().cosh().sum() + 0.5 * (x - y).squaredNorm();
}
void CoshToy::upper_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const {
  gx = x.array().sinh().matrix() + (x - y);
  gy = y - x;
}
void CoshToy::lower_grad_y(const Vec& x, const Vec& y, Vec& gy) const {
  gy = y - c_ * x;
}
void CoshToy::lower_hvp_yy(const Vec&, const Vec&, const Vec& v, Vec& out) const {
  out = v;
}
void CoshToy::lower_jvp_xy(const Vec&, const Vec&, const Vec& v, Vec& out) const {
  out = -c_ * v;
}
bool CoshToy::true_hypergradient(const Vec& x, Vec& out) const {
  out = x.array().sinh().matrix() + (1.0 - c_) * (1.0 - c_) * x;
  return true;
}
bool CoshToy::lower_solution(const Vec& x, Vec& y) const {
  y = c_ * x;
  return true;
}

// ---------------------------------------------------------------- quadratic
namespace {
void quadratic_block(Rng& rng, Eigen::Index dx, Eigen::Index dy, Mat& a, Mat& b, Vec& t) {
  const Mat q = normal_matrix(rng, dy, dy);
  a = q * q.transpose() / double(dy) + Mat::Identity(dy, dy);
  b = normal_matrix(rng, dy, dx) * std::sqrt(0.1);
  t = normal_vector(rng, dy);
}
}  // namespace

QuadraticBilevel::QuadraticBilevel(Eigen::Index dx, Eigen::Index dy, double rho, std::uint64_t seed)
    : rho_(rho) {
  Rng rng = make_rng(seed, {0x9A0});
  quadratic_block(rng, dx, dy, A_, B_, t_);
  M_ = A_.llt().solve(B_);
}
double QuadraticBilevel::upper(const Vec& x, const Vec& y) const {
  return 0.5 * (y - t_).squaredNorm() + 0.5 * rho_ * x.squaredNorm();
}
void QuadraticBilevel::upper_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const {
  gx = rho_ * x;
  gy = y - t_;
}
void QuadraticBilevel::lower_grad_y(const Vec& x, const Vec& y, Vec& gy) const {
  gy = A_ * y - B_ * x;
}
void QuadraticBilevel::lower_hvp_yy(const Vec&, const Vec&, const Vec& v, Vec& out) const {
  out = A_ * v;
}
void QuadraticBilevel::lower_jvp_xy(const Vec&, const Vec&, const Vec& v, Vec& out) const {
  out = -B_.transpose() * v;
}
bool QuadraticBilevel::true_hypergradient(const Vec& x, Vec& out) const {
  out = M_.transpose() * (M_ * x - t_) + rho_ * x;
  return true;
}
bool QuadraticBilevel::lower_solution(const Vec& x, Vec& y) const {
  y = M_ * x;
  return true;
}
Vec QuadraticBilevel::solution() const {
  const Mat k = M_.transpose() * M_ + rho_ * Mat::Identity(M_.cols(), M_.cols());
  return k.llt().solve(M_.transpose() * t_);
}

// ---------------------------------------------------------------- multi-block quadratic
MultiBlockQuadratic::MultiBlockQuadratic(std::size_t blocks, Eigen::Index dx, Eigen::Index dy,
                                         double rho, double sigma, std::uint64_t seed)
    : rho_(rho), sigma_(sigma) {
  if (blocks == 0) throw Error("MultiBlockQuadratic: need at least one block");
  A_.resize(blocks);
  B_.resize(blocks);
  t_.resize(blocks);
  for (std::size_t i = 0; i < blocks; ++i) {
    Rng rng = make_rng(seed, {0x3B0C, i});
    quadratic_block(rng, dx, dy, A_[i], B_[i], t_[i]);
  }
  EA_.assign(blocks, Mat::Zero(dy, dy));
  EB_.assign(blocks, Mat::Zero(dy, dx));
  Ef_.assign(blocks, Vec::Zero(dy));
}
void MultiBlockQuadratic::sample(std::size_t i, std::size_t batch, Rng& rng) {
  if (sigma_ == 0) return;
  const double s = sigma_ / std::sqrt(double(batch));
  const Eigen::Index dy = dim_y();
  const Mat g = normal_matrix(rng, dy, dy);
  EA_[i] = s * 0.5 * (g + g.transpose());
  EB_[i] = s * normal_matrix(rng, dy, dim_x());
  Ef_[i] = s * normal_vector(rng, dy);
}
double MultiBlockQuadratic::upper(std::size_t i, const Vec& x, const Vec& yi) const {
  return 0.5 * (yi - t_[i]).squaredNorm() + 0.5 * rho_ * x.squaredNorm();
}
void MultiBlockQuadratic::upper_grad(std::size_t i, const Vec& x, const Vec& yi, Vec& gx,
                                     Vec& gy) const {
  gx = rho_ * x;
  gy = yi - t_[i] + Ef_[i];
}
void MultiBlockQuadratic::lower_grad_y(std::size_t i, const Vec& x, const Vec& yi, Vec& gy) const {
  gy = (A_[i] + EA_[i]) * yi - (B_[i] + EB_[i]) * x;
}
void MultiBlockQuadratic::lower_hessian_yy(std::size_t i, const Vec&, const Vec&, Mat& h) const {
  h = A_[i] + EA_[i];
}
void MultiBlockQuadratic::lower_hvp_yy(std::size_t i, const Vec&, const Vec&, const Vec& v,
                                       Vec& out) const {
  out = (A_[i] + EA_[i]) * v;
}
void MultiBlockQuadratic::lower_jvp_xy(std::size_t i, const Vec&, const Vec&, const Vec& v,
                                       Vec& out) const {
  out = -(B_[i] + EB_[i]).transpose() * v;
}
bool MultiBlockQuadratic::solution(Vec& x) const {
  const Eigen::Index dx = dim_x();
  Mat k = rho_ * Mat::Identity(dx, dx);
  Vec r = Vec::Zero(dx);
  const double m = double(num_blocks());
  for (std::size_t i = 0; i < num_blocks(); ++i) {
    const Mat M = A_[i].llt().solve(B_[i]);
    k += M.transpose() * M / m;
    r += M.transpose() * t_[i] / m;
  }
  x = k.llt().solve(r);
  return true;
}
Vec MultiBlockQuadratic::hypergradient(const Vec& x) const {
  Vec g = rho_ * x;
  for (std::size_t i = 0; i < num_blocks(); ++i) {
    const Mat M = A_[i].llt().solve(B_[i]);
    g += M.transpose() * (M * x - t_[i]) / double(num_blocks());
  }
  return g;
}

// ---------------------------------------------------------------- multi-task logistic HO
MultiTaskLogistic::MultiTaskLogistic(const Mat& z_train, Vec y_train, const Mat& z_val, Vec y_val,
                                     std::vector<double> temperatures, double lambda)
    : yt_(std::move(y_train)),
      yv_(std::move(y_val)),
      tau_(std::move(temperatures)),
      lambda_(lambda) {
  if (tau_.empty() || z_train.rows() != yt_.size() || z_val.rows() != yv_.size() ||
      z_train.cols() != z_val.cols())
    throw Error("MultiTaskLogistic: data sizes do not match");
  zt_.resize(z_train.rows(), z_train.cols() + 1);
  zt_ << Vec::Ones(z_train.rows()), z_train;
  zv_.resize(z_val.rows(), z_val.cols() + 1);
  zv_ << Vec::Ones(z_val.rows()), z_val;
  tb_.resize(tau_.size());
  vb_.resize(tau_.size());
  for (std::size_t i = 0; i < tau_.size(); ++i) {  // full batches until the first sample()
    for (Eigen::Index j = 0; j < zt_.rows(); ++j) tb_[i].push_back(j);
    for (Eigen::Index j = 0; j < zv_.rows(); ++j) vb_[i].push_back(j);
  }
}

void MultiTaskLogistic::sample(std::size_t i, std::size_t batch, Rng& rng) {
  std::uniform_int_distribution<Eigen::Index> ut(0, zt_.rows() - 1), uv(0, zv_.rows() - 1);
  tb_[i].resize(batch);
  vb_[i].resize(batch);
  for (auto& j : tb_[i]) j = ut(rng);
  for (auto& j : vb_[i]) j = uv(rng);
}

double MultiTaskLogistic::upper(std::size_t i, const Vec&, const Vec& w) const {
  const Vec m = -(zv_ * w).cwiseProduct(yv_) / tau_[i];
  return m.unaryExpr([](double t) { return softplus(t); }).mean();
}

void MultiTaskLogistic::upper_grad(std::size_t i, const Vec& x, const Vec& w, Vec& gx,
                                   Vec& gy) const {
  gx = Vec::Zero(x.size());
  gy = Vec::Zero(w.size());
  for (const Eigen::Index j : vb_[i]) {
    const double s = sigmoid(-yv_(j) * zv_.row(j).dot(w) / tau_[i]);
    gy -= (yv_(j) * s / tau_[i]) * zv_.row(j).transpose();
  }
  gy /= double(vb_[i].size());
}

void MultiTaskLogistic::lower_grad_y(std::size_t i, const Vec& x, const Vec& w, Vec& gy) const {
  gy = lambda_ * w;
  const double n = double(tb_[i].size());
  for (const Eigen::Index j : tb_[i]) {
    const double s = sigmoid(-yt_(j) * zt_.row(j).dot(w) / tau_[i]);
    gy -= (sigmoid(x(j)) * yt_(j) * s / (tau_[i] * n)) * zt_.row(j).transpose();
  }
}

void MultiTaskLogistic::lower_hessian_yy(std::size_t i, const Vec& x, const Vec& w, Mat& h) const {
  h = lambda_ * Mat::Identity(w.size(), w.size());
  const double n = double(tb_[i].size());
  for (const Eigen::Index j : tb_[i]) {
    const double s = sigmoid(-yt_(j) * zt_.row(j).dot(w) / tau_[i]);
    h.noalias() += (sigmoid(x(j)) * s * (1 - s) / (tau_[i] * tau_[i] * n)) *
                   zt_.row(j).transpose() * zt_.row(j);
  }
}

void MultiTaskLogistic::lower_hvp_yy(std::size_t i, const Vec& x, const Vec& w, const Vec& v,
                                     Vec& out) const {
  out = lambda_ * v;
  const double n = double(tb_[i].size());
  for (const Eigen::Index j : tb_[i]) {
    const double s = sigmoid(-yt_(j) * zt_.row(j).dot(w) / tau_[i]);
    out += (sigmoid(x(j)) * s * (1 - s) / (tau_[i] * tau_[i] * n) * zt_.row(j).dot(v)) *
           zt_.row(j).transpose();
  }
}

void MultiTaskLogistic::lower_jvp_xy(std::size_t i, const Vec& x, const Vec& w, const Vec& v,
                                     Vec& out) const {
  // (∇²_pw g_i v)_j = σ'(p_j)/n ∇_w ℓ_i(w; z_j, y_j)ᵀ v, for the sampled rows only.
  out = Vec::Zero(x.size());
  const double n = double(tb_[i].size());
  for (const Eigen::Index j : tb_[i]) {
    const double s = sigmoid(-yt_(j) * zt_.row(j).dot(w) / tau_[i]);
    const double sp = sigmoid(x(j)) * (1 - sigmoid(x(j)));
    out(j) += sp / n * (-yt_(j) * s / tau_[i]) * zt_.row(j).dot(v);
  }
}

double MultiTaskLogistic::value_at_solution(const Vec& x) const {
  double total = 0;
  const Eigen::Index n = zt_.rows(), d = zt_.cols();
  for (std::size_t i = 0; i < tau_.size(); ++i) {
    Vec w = Vec::Zero(d);
    for (int it = 0; it < 50; ++it) {  // Newton on the full, strongly convex g_i
      Vec g = lambda_ * w;
      Mat h = lambda_ * Mat::Identity(d, d);
      for (Eigen::Index j = 0; j < n; ++j) {
        const double s = sigmoid(-yt_(j) * zt_.row(j).dot(w) / tau_[i]);
        const double a = sigmoid(x(j)) / double(n);
        g -= (a * yt_(j) * s / tau_[i]) * zt_.row(j).transpose();
        h.noalias() +=
            (a * s * (1 - s) / (tau_[i] * tau_[i])) * zt_.row(j).transpose() * zt_.row(j);
      }
      const Vec step = h.ldlt().solve(g);
      w -= step;
      if (step.norm() < 1e-12 * (1 + w.norm())) break;
    }
    total += upper(i, x, w);
  }
  return total / double(tau_.size());
}

}  // namespace descent::bilevel
