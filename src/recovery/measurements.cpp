#include "descent/recovery/measurements.hpp"

#include <cmath>
#include <random>

#include "descent/core/error.hpp"
#include "parallel.hpp"

namespace descent::recovery {
namespace {

Eigen::Index packed_size(Eigen::Index d) {
  return d * (d + 1) / 2;
}

std::string gib(std::size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / double(1 << 30));
  return buf;
}

}  // namespace

std::string_view to_string(Ensemble e) noexcept {
  return e == Ensemble::gaussian ? "gaussian" : "symmetric";
}

Ensemble ensemble_from_string(std::string_view s) {
  if (s == "gaussian") return Ensemble::gaussian;
  if (s == "symmetric") return Ensemble::symmetric;
  throw Error("unknown measurement ensemble '" + std::string(s) + "' (gaussian or symmetric)");
}

std::size_t DenseMeasurements::bytes_needed(Eigen::Index d, Eigen::Index m) noexcept {
  return static_cast<std::size_t>(m) * static_cast<std::size_t>(packed_size(d)) * sizeof(double);
}

DenseMeasurements::DenseMeasurements(Eigen::Index d, Eigen::Index m, std::size_t max_bytes)
    : d_(d) {
  if (d < 1 || m < 1)
    throw Error("measurement operator: need d >= 1 and m >= 1, got d = " + std::to_string(d) +
                ", m = " + std::to_string(m));
  // Fail before allocating: the operator is the one big object of a recovery run.
  const std::size_t need = bytes_needed(d, m);
  if (need > max_bytes)
    throw Error("measurement operator: m = " + std::to_string(m) + " dense measurements in d = " +
                std::to_string(d) + " need " + gib(need) + " (m x d(d+1)/2 doubles), above the " +
                gib(max_bytes) + " limit; use fewer measurements or a structured operator");
  packed_.resize(m, packed_size(d));
  x_packed_.resize(packed_size(d));
  s_packed_.resize(packed_size(d));
}

DenseMeasurements::DenseMeasurements(const Eigen::Ref<const Eigen::MatrixXd>& stacked,
                                     std::size_t max_bytes)
    : DenseMeasurements(static_cast<Eigen::Index>(std::llround(std::sqrt(double(stacked.cols())))),
                        stacked.rows(), max_bytes) {
  if (d_ * d_ != stacked.cols())
    throw Error("measurement operator: each row must hold a vectorised d x d matrix, but " +
                std::to_string(stacked.cols()) + " columns is not a square number");
  // vec in column-major order: A_i(j, k) at column j + k d (row-major gives the transpose, whose
  // symmetric part is the same).
  Eigen::Index c = 0;
  for (Eigen::Index k = 0; k < d_; ++k)
    for (Eigen::Index j = 0; j <= k; ++j, ++c) {
      if (j == k)
        packed_.col(c) = stacked.col(j + k * d_);
      else
        packed_.col(c) = stacked.col(j + k * d_) + stacked.col(k + j * d_);
    }
}

DenseMeasurements DenseMeasurements::from_array(const double* data, Eigen::Index m, Eigen::Index d,
                                                std::size_t max_bytes) {
  DenseMeasurements op(d, m, max_bytes);
  for (Eigen::Index i = 0; i < m; ++i) {
    const double* A = data + i * d * d;  // C order: A(j, k) at j d + k
    Eigen::Index c = 0;
    for (Eigen::Index k = 0; k < d; ++k)
      for (Eigen::Index j = 0; j <= k; ++j, ++c)
        op.packed_(i, c) = j == k ? A[j * d + j] : A[j * d + k] + A[k * d + j];
  }
  return op;
}

DenseMeasurements DenseMeasurements::random(Eigen::Index d, Eigen::Index m, Rng& rng,
                                            Ensemble ensemble, std::size_t max_bytes) {
  DenseMeasurements op(d, m, max_bytes);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd A(d, d);
  // (G + G^T)/sqrt(2) has the symmetric part sqrt(2) times that of G.
  const double scale = ensemble == Ensemble::symmetric ? std::sqrt(2.0) : 1.0;
  for (Eigen::Index i = 0; i < m; ++i) {
    for (Eigen::Index j = 0; j < d; ++j)
      for (Eigen::Index k = 0; k < d; ++k) A(j, k) = normal(rng);
    Eigen::Index c = 0;
    for (Eigen::Index k = 0; k < d; ++k)
      for (Eigen::Index j = 0; j <= k; ++j, ++c)
        op.packed_(i, c) = scale * (j == k ? A(j, j) : A(j, k) + A(k, j));
  }
  return op;
}

void DenseMeasurements::apply(const Eigen::Ref<const Eigen::MatrixXd>& X,
                              Eigen::Ref<Eigen::VectorXd> out, int threads) const {
  if (X.rows() != d_ || X.cols() != d_ || out.size() != measurements())
    throw Error("DenseMeasurements::apply: shape mismatch");
  Eigen::Index c = 0;
  for (Eigen::Index k = 0; k < d_; ++k)
    for (Eigen::Index j = 0; j <= k; ++j, ++c) x_packed_[c] = X(j, k);
  // Split the rows: each thread owns a block of measurements (no reduction across threads).
  detail::parallel_blocks(measurements(), threads, [&](Eigen::Index b, Eigen::Index e) {
    out.segment(b, e - b).noalias() = packed_.middleRows(b, e - b) * x_packed_;
  });
}

void DenseMeasurements::adjoint(const Eigen::Ref<const Eigen::VectorXd>& w,
                                Eigen::Ref<Eigen::MatrixXd> S, int threads) const {
  if (w.size() != measurements() || S.rows() != d_ || S.cols() != d_)
    throw Error("DenseMeasurements::adjoint: shape mismatch");
  // Split the columns: each thread owns a block of packed entries of S.
  detail::parallel_blocks(packed_.cols(), threads, [&](Eigen::Index b, Eigen::Index e) {
    s_packed_.segment(b, e - b).noalias() = packed_.middleCols(b, e - b).transpose() * w;
  });
  Eigen::Index c = 0;
  for (Eigen::Index k = 0; k < d_; ++k) {
    for (Eigen::Index j = 0; j < k; ++j, ++c) S(j, k) = S(k, j) = s_packed_[c];
    S(k, k) = 2.0 * s_packed_[c++];
  }
}

}  // namespace descent::recovery
