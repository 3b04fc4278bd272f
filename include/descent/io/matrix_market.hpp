// Matrix Market exchange files: "%%MatrixMarket matrix coordinate|array
// real|integer|pattern general|symmetric|skew-symmetric".
#pragma once

#include <Eigen/Dense>
#include <Eigen/SparseCore>
#include <cstddef>
#include <string>

namespace descent::io {

/// Dense results larger than this many entries are refused (2^27 doubles = 1 GiB: a 3-line
/// coordinate file may claim them all, so the bound keeps a stranger's file below 1 GiB).
inline constexpr std::size_t kMaxDenseMatrixMarketEntries = std::size_t{1} << 27;

/// Reads a coordinate or array file as a sparse matrix. Symmetric (skew-symmetric) files are
/// expanded to both triangles; pattern entries are 1. Duplicate coordinates are summed.
/// Throws descent::InputError with the real line number (comments counted) for a missing or
/// wrong banner, complex/hermitian fields, a bad size line, too few (truncated) or too many
/// entries, 1-based indices out of range, non-numeric or nan/inf values, upper-triangle entries
/// or non-square sizes in symmetric files, and declared sizes that the rest of the file could
/// not possibly hold (checked before reserving memory).
Eigen::SparseMatrix<double> read_matrix_market_sparse(const std::string& path);
/// Reads an array or coordinate file as a dense matrix; more than
/// kMaxDenseMatrixMarketEntries entries -> InputError.
Eigen::MatrixXd read_matrix_market_dense(const std::string& path);

/// Writes "coordinate real general", or with `symmetric` "coordinate real symmetric" holding the
/// lower triangle. With `symmetric`, `a` must be square (descent::Error) and either store only
/// its lower triangle or be exactly symmetric (descent::Error otherwise). Atomic, %.17g.
void write_matrix_market(const std::string& path, const Eigen::SparseMatrix<double>& a,
                         bool symmetric = false);
/// Writes "array real general", column-major as the format prescribes. Atomic, %.17g.
void write_matrix_market(const std::string& path, const Eigen::MatrixXd& a);

}  // namespace descent::io
