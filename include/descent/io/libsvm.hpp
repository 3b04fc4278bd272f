// LIBSVM / svmlight sparse text files: "label idx:val idx:val ... [# comment]".
#pragma once

#include <Eigen/Dense>
#include <Eigen/SparseCore>
#include <cstddef>
#include <cstdint>
#include <string>

namespace descent::io {

struct SvmlightData {
  Eigen::SparseMatrix<double, Eigen::RowMajor> features;  ///< one row per sample
  Eigen::VectorXd labels;
};

/// Largest feature index accepted (indices are 1-based and stored as int).
inline constexpr std::int64_t kMaxLibsvmIndex = std::int64_t{1} << 31;

/// Reads a LIBSVM file. `n_features` = 0 infers the column count from the largest index.
/// Indices are 1-based and strictly increasing within a line; "qid:N" tokens are skipped;
/// blank and comment-only lines are skipped. Throws descent::InputError (file, line, field
/// "label", "index" or "value") for a non-numeric label, a token without ':', an index < 1,
/// non-increasing indices, an index above n_features (when given) or above 2^31, and nan/inf.
SvmlightData read_libsvm(const std::string& path, std::size_t n_features = 0);

/// Writes x (rows = samples) and y atomically with %.17g; stored entries are all written.
/// Throws descent::Error if x.rows() != y.size().
void write_libsvm(const std::string& path, const Eigen::SparseMatrix<double, Eigen::RowMajor>& x,
                  const Eigen::VectorXd& y);

}  // namespace descent::io
