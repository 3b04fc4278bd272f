// Linear measurement operators A: S^d -> R^m, X -> (<A_i, X>)_i, for low-rank matrix recovery.
//
// The factorised methods only ever apply A to symmetric matrices X = U U^T and need the adjoint
// in the symmetric form S(w) = sum_i w_i (A_i + A_i^T). Only the symmetric part of each A_i
// matters there, so DenseMeasurements stores the packed upper triangle of A_i + A_i^T: an
// m x d(d+1)/2 matrix, half the memory and flops of the stacked m x d^2 form, and each
// iteration is two GEMVs (one transposed) on it, with no per-measurement work or allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <Eigen/Core>

#include "descent/core/rng.hpp"

namespace descent::recovery {

/// The interface SubGM and the l2 baseline use. Implement it for structured operators.
class MeasurementOperator {
 public:
  virtual ~MeasurementOperator() = default;
  virtual Eigen::Index dimension() const = 0;     ///< d
  virtual Eigen::Index measurements() const = 0;  ///< m
  /// out[i] = <A_i, X> for a symmetric d x d X. `threads` is a hint (>= 1).
  virtual void apply(const Eigen::Ref<const Eigen::MatrixXd>& X, Eigen::Ref<Eigen::VectorXd> out,
                     int threads = 1) const = 0;
  /// S = sum_i w[i] (A_i + A_i^T), a symmetric d x d matrix.
  virtual void adjoint(const Eigen::Ref<const Eigen::VectorXd>& w, Eigen::Ref<Eigen::MatrixXd> S,
                       int threads = 1) const = 0;
};

/// Measurement ensembles for generated operators.
enum class Ensemble {
  gaussian,   ///< A_i with i.i.d. N(0, 1) entries, not symmetric (the paper's Gaussian model)
  symmetric,  ///< A_i = (G_i + G_i^T)/sqrt(2): symmetric, N(0, 1) off the diagonal, N(0, 2) on it
};
std::string_view to_string(Ensemble e) noexcept;
Ensemble ensemble_from_string(std::string_view s);

/// A dense operator in packed symmetric form (see the file comment).
/// Not safe to call apply/adjoint concurrently on one object (they share a workspace).
class DenseMeasurements final : public MeasurementOperator {
 public:
  /// Bytes the packed form of m measurements in dimension d needs.
  static std::size_t bytes_needed(Eigen::Index d, Eigen::Index m) noexcept;
  /// Default memory cap for one operator (4 GiB).
  static constexpr std::size_t kDefaultMaxBytes = std::size_t{4} << 30;

  /// From stacked measurements: row i of `stacked` (m x d^2) is vec(A_i), in either row- or
  /// column-major order (the same for all rows; the symmetric part does not depend on it).
  /// Throws descent::Error if the column count is not a square or the memory cap is exceeded.
  explicit DenseMeasurements(const Eigen::Ref<const Eigen::MatrixXd>& stacked,
                             std::size_t max_bytes = kDefaultMaxBytes);
  /// From m matrices A_i (each d x d) given as a 3-D C-order array of shape (m, d, d).
  static DenseMeasurements from_array(const double* data, Eigen::Index m, Eigen::Index d,
                                      std::size_t max_bytes = kDefaultMaxBytes);
  /// m random measurements: A_i's entries are drawn row by row (A_i(0,0), A_i(0,1), ...), i by i,
  /// from `rng`, so the first m' < m measurements do not depend on m.
  static DenseMeasurements random(Eigen::Index d, Eigen::Index m, Rng& rng,
                                  Ensemble ensemble = Ensemble::gaussian,
                                  std::size_t max_bytes = kDefaultMaxBytes);

  Eigen::Index dimension() const override { return d_; }
  Eigen::Index measurements() const override { return packed_.rows(); }
  void apply(const Eigen::Ref<const Eigen::MatrixXd>& X, Eigen::Ref<Eigen::VectorXd> out,
             int threads = 1) const override;
  void adjoint(const Eigen::Ref<const Eigen::VectorXd>& w, Eigen::Ref<Eigen::MatrixXd> S,
               int threads = 1) const override;

  /// The packed matrix: column (j, k), j <= k, in column-major upper-triangle order, holds
  /// A_i(j,k) + A_i(k,j) for j < k and A_i(j,j) on the diagonal.
  const Eigen::MatrixXd& packed() const noexcept { return packed_; }

 private:
  DenseMeasurements(Eigen::Index d, Eigen::Index m, std::size_t max_bytes);
  Eigen::Index d_ = 0;
  Eigen::MatrixXd packed_;
  mutable Eigen::VectorXd x_packed_, s_packed_;  // workspaces (no allocation per iteration)
};

}  // namespace descent::recovery
