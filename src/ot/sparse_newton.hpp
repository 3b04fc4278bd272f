// The sparse Newton system of SNS (private to descent_ot): top-k sparsification of the plan and
// a preconditioned CG on the gauge-fixed Hessian.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

namespace descent::ot::detail {

/// Kept entries of an n x m plan, CSR (rows in order, columns ascending within a row).
struct SparseRows {
  std::vector<std::size_t> start;  ///< n + 1 offsets
  std::vector<std::uint32_t> col;
  std::vector<double> val;
  std::size_t nnz() const noexcept { return val.size(); }
};

/// Reusable buffers for top_k (a 2^14-bucket histogram and the candidate list).
struct TopKScratch {
  std::vector<std::uint32_t> histogram;
  std::vector<std::pair<double, std::uint64_t>> candidates;  // (ranking value, flat index)
};

/// Keeps the `keep` entries of the row-major n x m matrix P (entries >= 0) that are largest by
/// P_ij * row_scale_i * col_scale_j (null scales mean 1). O(n m): a histogram over the leading
/// 14 bits of each ranking value (exponent and 3 mantissa bits) finds a threshold bucket, only
/// entries at or above it are gathered, and nth_element settles the bucket (ties by position,
/// so the choice is deterministic). The stored values are the unscaled P_ij.
void top_k(const double* P, std::size_t n, std::size_t m, std::size_t keep, const double* row_scale,
           const double* col_scale, SparseRows& out, TopKScratch& scratch);

struct CgOutcome {
  std::size_t iterations = 0;
  double relative_residual = 0.0;
  bool converged = false;
};

/// Solves [[diag(d1), S], [S^T, diag(d2)]] z = g on the subspace z_{n + gauge} = 0 (the
/// (1, -1) null vector of the full Hessian is removed by fixing one column potential), by CG
/// with a Jacobi preconditioner when `jacobi`. z is overwritten; stops at
/// |r|_2 <= tolerance |g|_2 (g's gauge entry dropped) or after max_iterations.
CgOutcome solve_newton_system(const SparseRows& S, const Eigen::VectorXd& d1,
                              const Eigen::VectorXd& d2, const Eigen::VectorXd& g,
                              std::size_t gauge, bool jacobi, double tolerance,
                              std::size_t max_iterations, Eigen::VectorXd& z);

}  // namespace descent::ot::detail
