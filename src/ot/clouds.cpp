#include "descent/ot/clouds.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "kernels.hpp"
#include "weights.hpp"

namespace descent::ot {

namespace {

// Up to this many coordinates the tile kernels take their pointers from the stack.
constexpr std::size_t kStackDims = 16;

// Calls f(p, coords) with p = the d coordinates of point `index` of `A` and coords[k] = column k
// of `B` from row `offset` (each contiguous): the arguments of detail::cost_tile.
template <class F>
void with_tile_pointers(const Eigen::MatrixXd& A, Eigen::Index index, const Eigen::MatrixXd& B,
                        Eigen::Index offset, F&& f) {
  const std::size_t d = std::size_t(A.cols());
  std::array<double, kStackDims> p_small;
  std::array<const double*, kStackDims> c_small;
  std::vector<double> p_big;
  std::vector<const double*> c_big;
  double* p = p_small.data();
  const double** c = c_small.data();
  if (d > kStackDims) {
    p_big.resize(d);
    c_big.resize(d);
    p = p_big.data();
    c = c_big.data();
  }
  for (std::size_t k = 0; k < d; ++k) {
    p[k] = A(index, Eigen::Index(k));
    c[k] = B.col(Eigen::Index(k)).data() + offset;
  }
  f(p, c);
}

}  // namespace

CloudProblem::CloudProblem(Eigen::MatrixXd X, Eigen::MatrixXd Y, GroundCost cost,
                           Eigen::VectorXd wx, Eigen::VectorXd wy)
    : X_(std::move(X)), Y_(std::move(Y)), cost_(cost) {
  a_ = detail::uniform_or(wx, X_.rows(), "source");
  b_ = detail::uniform_or(wy, Y_.rows(), "target");
  validate();
}

CloudProblem::CloudProblem(Eigen::MatrixXd X, Eigen::MatrixXd Y, CostFunction cost,
                           Eigen::VectorXd wx, Eigen::VectorXd wy)
    : X_(std::move(X)), Y_(std::move(Y)), function_(std::move(cost)) {
  if (!function_) throw Error("OT problem: empty cost function");
  a_ = detail::uniform_or(wx, X_.rows(), "source");
  b_ = detail::uniform_or(wy, Y_.rows(), "target");
  validate();
  x_rows_ = X_;
  y_rows_ = Y_;
}

void CloudProblem::validate() {
  if (X_.rows() == 0 || Y_.rows() == 0) throw Error("OT problem: a point cloud is empty");
  if (X_.cols() != Y_.cols())
    throw Error("OT problem: the clouds have dimensions " + std::to_string(X_.cols()) + " and " +
                std::to_string(Y_.cols()));
  if (X_.cols() == 0) throw Error("OT problem: the points have no coordinates");
  if (!X_.allFinite() || !Y_.allFinite()) throw Error("OT problem: point coordinates not finite");
  detail::check_weights(a_, "a");
  detail::check_weights(b_, "b");
  mass_ = detail::normalise_masses(a_, b_);
}

bool CloudProblem::has_zero_weight() const noexcept {
  return (a_.array() == 0.0).any() || (b_.array() == 0.0).any();
}

CloudProblem CloudProblem::scaled_cost(double factor) const {
  check::positive("factor", factor);
  CloudProblem p = *this;
  p.scale_ *= factor;
  return p;
}

double CloudProblem::cost(Eigen::Index i, Eigen::Index j) const {
  double c = 0.0;
  row_tile(i, j, 1, &c);
  return c;
}

void CloudProblem::row_tile(Eigen::Index i, Eigen::Index j0, std::size_t count, double* out) const {
  if (function_) {
    const std::size_t d = std::size_t(X_.cols());
    const std::span<const double> x(x_rows_.row(i).data(), d);
    for (std::size_t t = 0; t < count; ++t) {
      const Eigen::Index j = j0 + Eigen::Index(t);
      const double c = function_(x, std::span<const double>(y_rows_.row(j).data(), d));
      if (!std::isfinite(c) || c < 0)
        throw Error("OT problem: cost c(x_" + std::to_string(i) + ", y_" + std::to_string(j) +
                    ") = " + check::show(c) + " (costs must be finite and >= 0)");
      out[t] = scale_ * c;
    }
    return;
  }
  with_tile_pointers(X_, i, Y_, j0, [&](const double* p, const double* const* coords) {
    detail::cost_tile(cost_, p, coords, std::size_t(X_.cols()), count, scale_, out);
  });
}

void CloudProblem::col_tile(Eigen::Index j, Eigen::Index i0, std::size_t count, double* out) const {
  if (function_) {
    const std::size_t d = std::size_t(X_.cols());
    const std::span<const double> y(y_rows_.row(j).data(), d);
    for (std::size_t t = 0; t < count; ++t) {
      const Eigen::Index i = i0 + Eigen::Index(t);
      const double c = function_(std::span<const double>(x_rows_.row(i).data(), d), y);
      if (!std::isfinite(c) || c < 0)
        throw Error("OT problem: cost c(x_" + std::to_string(i) + ", y_" + std::to_string(j) +
                    ") = " + check::show(c) + " (costs must be finite and >= 0)");
      out[t] = scale_ * c;
    }
    return;
  }
  // The built-in costs are symmetric in (x, y), so a column is a row of the swapped clouds.
  with_tile_pointers(Y_, j, X_, i0, [&](const double* p, const double* const* coords) {
    detail::cost_tile(cost_, p, coords, std::size_t(X_.cols()), count, scale_, out);
  });
}

double CloudProblem::max_cost(int threads) const {
  const int k = detail::resolve_threads(threads);
  const std::size_t n = std::size_t(rows()), m = std::size_t(cols());
  std::vector<double> best(std::size_t(k), 0.0);
  detail::parallel_blocks(n, k, [&](std::size_t begin, std::size_t end, int w) {
    std::vector<double> tile(std::min<std::size_t>(m, 1024));
    double mx = 0.0;
    for (std::size_t i = begin; i < end; ++i)
      for (std::size_t j0 = 0; j0 < m; j0 += tile.size()) {
        const std::size_t count = std::min(tile.size(), m - j0);
        row_tile(Eigen::Index(i), Eigen::Index(j0), count, tile.data());
        for (std::size_t t = 0; t < count; ++t) mx = std::max(mx, tile[t]);
      }
    best[std::size_t(w)] = mx;
  });
  return *std::max_element(best.begin(), best.end());
}

double CloudProblem::cost_bound() const {
  if (function_) return max_cost();
  // Every pair lies in the union's bounding box, so |x_k - y_k| <= the box's side k.
  const Eigen::RowVectorXd lo = X_.colwise().minCoeff().cwiseMin(Y_.colwise().minCoeff());
  const Eigen::RowVectorXd hi = X_.colwise().maxCoeff().cwiseMax(Y_.colwise().maxCoeff());
  const Eigen::ArrayXd side = (hi - lo).transpose().array();
  double c = 0.0;
  switch (cost_) {
    case GroundCost::sqeuclidean:
      c = side.square().sum();
      break;
    case GroundCost::euclidean:
      c = std::sqrt(side.square().sum());
      break;
    case GroundCost::l1:
      c = side.sum();
      break;
  }
  return scale_ * c;
}

Problem CloudProblem::dense() const {
  const Eigen::Index n = rows(), m = cols();
  Eigen::MatrixXd C(n, m);
  for (Eigen::Index j = 0; j < m; ++j) col_tile(j, 0, std::size_t(n), C.col(j).data());
  return Problem(a_, b_, std::move(C));
}

std::size_t dense_bytes(std::size_t n, std::size_t m) noexcept {
  return 3 * n * m * sizeof(double);
}

std::size_t matrix_free_bytes(std::size_t n, std::size_t m, std::size_t d, int threads) noexcept {
  // Clouds (and the callable's row-major copies at most doubling them), weights, log-weights,
  // potentials and the two log-sum vectors, and two 1024-entry tiles per thread.
  const std::size_t per_point = 2 * d + 6;
  return sizeof(double) * ((n + m) * per_point + std::size_t(std::max(threads, 1)) * 2 * 1024);
}

}  // namespace descent::ot
