#include "descent/linalg/generators.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"

namespace descent::linalg {

namespace {

using Triplet = Eigen::Triplet<double, int>;

SparseMatrix from_triplets(Eigen::Index n, const std::vector<Triplet>& t) {
  SparseMatrix a(n, n);
  a.setFromTriplets(t.begin(), t.end());
  a.makeCompressed();
  return a;
}

}  // namespace

SparseMatrix laplacian_2d(int m) {
  if (m < 1) throw Error("laplacian_2d: m must be >= 1, got " + std::to_string(m));
  const int n = m * m;
  std::vector<Triplet> t;
  t.reserve(static_cast<std::size_t>(5 * n));
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j) {
      const int k = i * m + j;
      t.emplace_back(k, k, 4.0);
      if (j > 0) t.emplace_back(k, k - 1, -1.0);
      if (j + 1 < m) t.emplace_back(k, k + 1, -1.0);
      if (i > 0) t.emplace_back(k, k - m, -1.0);
      if (i + 1 < m) t.emplace_back(k, k + m, -1.0);
    }
  return from_triplets(n, t);
}

SparseMatrix laplacian_3d(int m) {
  if (m < 1) throw Error("laplacian_3d: m must be >= 1, got " + std::to_string(m));
  const long long n = 1LL * m * m * m;
  if (n > 200'000'000) throw Error("laplacian_3d: m = " + std::to_string(m) + " is too large");
  std::vector<Triplet> t;
  t.reserve(static_cast<std::size_t>(7 * n));
  const int mm = m * m;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j)
      for (int l = 0; l < m; ++l) {
        const int k = i * mm + j * m + l;
        t.emplace_back(k, k, 6.0);
        if (l > 0) t.emplace_back(k, k - 1, -1.0);
        if (l + 1 < m) t.emplace_back(k, k + 1, -1.0);
        if (j > 0) t.emplace_back(k, k - m, -1.0);
        if (j + 1 < m) t.emplace_back(k, k + m, -1.0);
        if (i > 0) t.emplace_back(k, k - mm, -1.0);
        if (i + 1 < m) t.emplace_back(k, k + mm, -1.0);
      }
  return from_triplets(static_cast<Eigen::Index>(n), t);
}

SparseMatrix shift_diagonal(const SparseMatrix& a, double c) {
  require_square(a, "matrix");
  SparseMatrix out = a;
  const int n = static_cast<int>(a.rows());
  for (int i = 0; i < n; ++i) {
    const int* begin = out.innerIndexPtr() + out.outerIndexPtr()[i];
    const int* end = out.innerIndexPtr() + out.outerIndexPtr()[i + 1];
    const int* it = std::lower_bound(begin, end, i);
    if (it == end || *it != i)
      throw Error("shift_diagonal: row " + std::to_string(i + 1) + " stores no diagonal entry");
    out.valuePtr()[it - out.innerIndexPtr()] += c;
  }
  return out;
}

double sample_beta(Rng& rng, double alpha, double beta) {
  std::gamma_distribution<double> ga(alpha, 1.0), gb(beta, 1.0);
  const double x = ga(rng), y = gb(rng);
  return x / (x + y);
}

ShiftDistribution ShiftDistribution::named(std::string_view name) {
  if (name == "low") return low_variance();
  if (name == "high") return high_variance();
  throw Error("unknown shift distribution '" + std::string(name) + "' (expected low or high)");
}

Vector truncated_normal(Rng& rng, Eigen::Index n, double radius) {
  if (radius <= 0.0) radius = std::sqrt(static_cast<double>(n));
  for (;;) {
    Vector b = normal_vector(rng, n);
    if (b.norm() <= radius) return b;
  }
}

double bump(double px, double py, double cx, double cy, double r) {
  const double q = ((px - cx) * (px - cx) + (py - cy) * (py - cy)) / (r * r);
  if (q >= 1.0) return 0.0;
  return std::exp(1.0 - 1.0 / (1.0 - q));
}

void Heat2DOptions::validate() const {
  check::at_least("nx", nx, 2);
  check::positive("dt", dt);
}

Heat2D::Heat2D(Heat2DOptions options) : options_(options) {
  options_.validate();
  const int m = options_.nx - 1;
  const double dx = 1.0 / options_.nx;
  // The code's L: rows ordered with x = i dx as the slow index and y = j dx as the fast one.
  l_ = laplacian_2d(m);
  l_ *= -1.0 / (dx * dx);
  diagonal_.resize(static_cast<std::size_t>(l_.rows()));
  for (int i = 0; i < l_.rows(); ++i) {
    const int* begin = l_.innerIndexPtr() + l_.outerIndexPtr()[i];
    const int* end = l_.innerIndexPtr() + l_.outerIndexPtr()[i + 1];
    diagonal_[static_cast<std::size_t>(i)] =
        static_cast<int>(std::lower_bound(begin, end, i) - l_.innerIndexPtr());
  }
  u_.resize(l_.rows());
  for (int i = 1; i <= m; ++i)
    for (int j = 1; j <= m; ++j) u_[(i - 1) * m + (j - 1)] = bump(i * dx, j * dx, 0.5, 0.5, 0.25);
  lu_.resize(u_.size());
}

double Heat2D::diffusion(double t) {
  const double s = std::sin(2.0 * std::numbers::pi * t);
  return std::max(0.1 * s, -10.0 * s);
}

double Heat2D::forcing(double t, double x, double y) {
  const double a = 16.0 * std::numbers::pi * t;
  return 32.0 * bump(x, y, 0.5 + std::cos(a) / 4.0, 0.5 + std::sin(a) / 4.0, 0.125);
}

std::pair<double, double> Heat2D::diffusion_range(std::size_t steps, double dt) {
  const double stop = static_cast<double>(steps) * dt;
  double lo = diffusion(0.0), hi = lo;
  for (std::size_t i = 0; i < steps; ++i) {
    const double t =
        steps > 1 ? stop * static_cast<double>(i) / static_cast<double>(steps - 1) : 0.0;
    lo = std::min(lo, diffusion(t));
    hi = std::max(hi, diffusion(t));
  }
  return {lo, hi};
}

void Heat2D::system(SparseMatrix& a, Vector& b) const {
  const double half = t_ + 0.5 * options_.dt;
  const double s = 0.5 * diffusion(half) * options_.dt;
  if (a.rows() != l_.rows() || a.nonZeros() != l_.nonZeros() || !a.isCompressed()) a = l_;
  const int nnz = static_cast<int>(l_.nonZeros());
  const double* lv = l_.valuePtr();
  double* av = a.valuePtr();
  for (int k = 0; k < nnz; ++k) av[k] = -s * lv[k];
  for (int d : diagonal_) av[d] += 1.0;

  CsrView view;
  view.n = static_cast<int>(l_.rows());
  view.outer = l_.outerIndexPtr();
  view.inner = l_.innerIndexPtr();
  view.values = l_.valuePtr();
  multiply(view, u_.data(), lu_.data());
  b = u_ + s * lu_;
  // dt f(t + dt/2): the bump has radius 1/8, so only grid points near its centre contribute.
  const int m = options_.nx - 1;
  const double dx = 1.0 / options_.nx;
  const double ang = 16.0 * std::numbers::pi * half;
  const double cx = 0.5 + std::cos(ang) / 4.0, cy = 0.5 + std::sin(ang) / 4.0, r = 0.125;
  const int i_lo = std::max(1, static_cast<int>(std::floor((cx - r) / dx)));
  const int i_hi = std::min(m, static_cast<int>(std::ceil((cx + r) / dx)));
  const int j_lo = std::max(1, static_cast<int>(std::floor((cy - r) / dx)));
  const int j_hi = std::min(m, static_cast<int>(std::ceil((cy + r) / dx)));
  for (int i = i_lo; i <= i_hi; ++i)
    for (int j = j_lo; j <= j_hi; ++j)
      b[(i - 1) * m + (j - 1)] += options_.dt * forcing(half, i * dx, j * dx);
}

void Heat2D::advance(const Vector& u_next) {
  if (u_next.size() != u_.size())
    throw Error("Heat2D::advance: the new state has " + std::to_string(u_next.size()) +
                " entries, expected " + std::to_string(u_.size()));
  u_ = u_next;
  t_ += options_.dt;
  ++steps_;
}

}  // namespace descent::linalg
