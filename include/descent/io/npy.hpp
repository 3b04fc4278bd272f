// NumPy .npy files (format versions 1.0, 2.0 and 3.0), C order.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace descent::io {

struct NpyArray {
  std::vector<std::size_t> shape;  ///< empty for a 0-d (scalar) array
  std::string dtype;               ///< as in the file: "<f8", "<f4", "<i8", "<i4" or "|u1"
  std::vector<double> data;        ///< converted to double, C (row-major) order
};

/// Reads dtypes <f8 <f4 <i8 <i4 |u1 (little-endian, C order). Throws descent::InputError (line
/// 0, byte offset in the message) for a bad magic string or header dictionary, unsupported or
/// big-endian dtypes, fortran_order True, and a payload whose size does not match the shape
/// (checked before allocating, so absurd shapes fail fast).
NpyArray read_npy(const std::string& path);
/// 0-d -> 1x1, 1-D -> n x 1 column, 2-D -> rows x cols; more dimensions -> InputError.
Eigen::MatrixXd read_npy_matrix(const std::string& path);

/// True iff every element is finite (npy, a binary format, may legitimately hold nan/inf).
bool all_finite(const NpyArray& a) noexcept;

/// Writes a 2-D <f8 C-order array, atomically.
void write_npy(const std::string& path, const Eigen::MatrixXd& m);
/// Writes `data` with `shape` (product must equal data.size(), else descent::Error), atomically.
void write_npy(const std::string& path, std::span<const double> data,
               const std::vector<std::size_t>& shape);
void write_npy_f32(const std::string& path, std::span<const float> data,
                   const std::vector<std::size_t>& shape);
void write_npy_i64(const std::string& path, std::span<const std::int64_t> data,
                   const std::vector<std::size_t>& shape);

}  // namespace descent::io
