// Optimal transport between two point clouds without storing the cost matrix ("matrix-free" or
// "online" cost, as in GeomLoss/KeOps on GPUs): the log-domain Sinkhorn iterations compute
// C_ij = c(x_i, y_j) in cache-sized tiles as they stream a row or a column, so memory is
// O((n + m) d) instead of the 24 n m bytes of the dense path (C in both layouts and the
// scaling-domain kernel). At n = m = 10^5 that is a few MB instead of 240 GB.
//
// The iteration is the dense one of sinkhorn.hpp, entry for entry: the same kernels sum the same
// terms in the same order per row and per column, so the potentials agree with the dense
// solver's to rounding (tested to 1e-12). It costs one cost evaluation per entry and half-step
// more than the dense log-domain path, which pays memory bandwidth instead, and it has no
// scaling-domain fast path (that needs the kernel stored).
//
// Distributed runs: with a dist::Communicator of K ranks, rank q computes the row half-step for
// its block of rows and the column half-step for its block of columns, and the blocks' log-sums
// are gathered to every rank (n + m doubles per iteration). Every row's and every column's sum is
// computed exactly as in a one-rank run, and the errors, the dual and the potentials are then
// formed from the gathered vectors in index order on every rank, so the result is bit-identical
// for any K (and any thread count). Each rank holds both clouds (O((n + m) d)), never a cost block.
// Design note: the issue sketched the column update as a reduction over row blocks; a reduction
// of partial sums in rank order changes the rounding with K, while owning whole columns does not,
// at the same communication volume (m doubles per column half-step).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/ot/problem.hpp"
#include "descent/ot/result.hpp"
#include "descent/ot/sinkhorn.hpp"

namespace descent::dist {
class Communicator;
}

namespace descent::ot {

/// Two weighted point clouds and a ground cost, validated once (the rules of Problem: weights
/// finite, >= 0, masses equal to kMassTolerance, then normalised; coordinates finite; the same
/// dimension d for both clouds). The cost matrix is never formed.
class CloudProblem {
 public:
  /// X is n x d, Y is m x d, one point per row; empty weights mean uniform.
  CloudProblem(Eigen::MatrixXd X, Eigen::MatrixXd Y, GroundCost cost, Eigen::VectorXd wx = {},
               Eigen::VectorXd wy = {});
  /// A user cost c(x, y) >= 0 (called once per entry and half-step: keep it cheap). A negative
  /// or non-finite value met during a run is a descent::Error naming the pair.
  CloudProblem(Eigen::MatrixXd X, Eigen::MatrixXd Y, CostFunction cost, Eigen::VectorXd wx = {},
               Eigen::VectorXd wy = {});

  const Eigen::VectorXd& a() const noexcept { return a_; }
  const Eigen::VectorXd& b() const noexcept { return b_; }
  const Eigen::MatrixXd& source() const noexcept { return X_; }
  const Eigen::MatrixXd& target() const noexcept { return Y_; }
  Eigen::Index rows() const noexcept { return a_.size(); }
  Eigen::Index cols() const noexcept { return b_.size(); }
  Eigen::Index dim() const noexcept { return X_.cols(); }
  /// Total mass of `a` as given, before normalisation.
  double mass() const noexcept { return mass_; }
  bool has_zero_weight() const noexcept;
  /// Every cost is multiplied by this (1 unless scaled_cost was used).
  double cost_scale() const noexcept { return scale_; }
  /// True for a built-in ground cost, false for a callable.
  bool builtin_cost() const noexcept { return !function_; }
  GroundCost ground_cost() const noexcept { return cost_; }

  /// The same problem with every cost multiplied by `factor` > 0.
  CloudProblem scaled_cost(double factor) const;
  /// max_ij C_ij, exactly: one pass over all n m entries (split over `threads`; 0 = all).
  double max_cost(int threads = 1) const;
  /// A cheap upper bound on max C from the clouds' bounding box (built-in costs; for a callable,
  /// max_cost()). Used to start epsilon scaling without a pass over the entries.
  double cost_bound() const;

  /// C_ij.
  double cost(Eigen::Index i, Eigen::Index j) const;
  /// out[t] = C_{i, j0 + t} for t < count (a tile of row i).
  void row_tile(Eigen::Index i, Eigen::Index j0, std::size_t count, double* out) const;
  /// out[t] = C_{i0 + t, j} for t < count (a tile of column j).
  void col_tile(Eigen::Index j, Eigen::Index i0, std::size_t count, double* out) const;
  /// The dense Problem (n x m cost): for tests and small clouds.
  Problem dense() const;

 private:
  void validate();

  Eigen::MatrixXd X_, Y_;  // column-major: each coordinate is contiguous over points
  GroundCost cost_ = GroundCost::sqeuclidean;
  CostFunction function_;
  // Row-major copies for the callable (each point a contiguous span); empty otherwise.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> x_rows_, y_rows_;
  Eigen::VectorXd a_, b_;
  double mass_ = 1.0;
  double scale_ = 1.0;
};

/// Log-domain Sinkhorn on a CloudProblem (options and stopping rule as for a Problem). The plan
/// is not formed unless options.plan.format asks for it (automatic means none here, since the
/// point of this path is not to store n x m numbers); transport_cost and marginal_error are
/// computed by one more streaming pass. `comm` (optional) spreads the work over MPI ranks as
/// described above; every rank gets the same Result. A plan with more than one rank is an Error.
Result sinkhorn(const CloudProblem& problem, const SinkhornOptions& options = {},
                Callbacks callbacks = {}, dist::Communicator* comm = nullptr);

/// Epsilon scaling on a CloudProblem. eta_start = 0 means min(eta, 10 / cost_bound()).
Result sinkhorn_epsilon_scaling(const CloudProblem& problem,
                                const EpsilonScalingOptions& options = {}, Callbacks callbacks = {},
                                dist::Communicator* comm = nullptr);

/// Bytes the dense path needs for an n x m problem (C in two layouts and the scaling-domain
/// kernel K: 24 n m), and the matrix-free path's working memory (clouds, weights, potentials and
/// per-thread tiles), for choosing a path.
std::size_t dense_bytes(std::size_t n, std::size_t m) noexcept;
std::size_t matrix_free_bytes(std::size_t n, std::size_t m, std::size_t d, int threads) noexcept;

}  // namespace descent::ot
