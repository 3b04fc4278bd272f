// Sparse matrix types and checks shared by the linear solvers.
//
// Every solver in descent::linalg works on a compressed row-major (CSR) Eigen matrix with
// sorted column indices, so that the SOR/SSOR triangular sweeps can run row by row on raw
// pointers. Any Eigen sparse matrix converts with to_csr().
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

namespace descent::linalg {

using SparseMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor, int>;
using Vector = Eigen::VectorXd;

/// A compressed CSR copy (sorted columns, explicit zeros kept).
template <class Derived>
SparseMatrix to_csr(const Eigen::SparseMatrixBase<Derived>& a) {
  SparseMatrix out = a.derived();
  out.makeCompressed();
  return out;
}

/// Raw CSR arrays plus the position of each row's diagonal entry; what the kernels run on.
struct CsrView {
  int n = 0;
  const int* outer = nullptr;  ///< n + 1 row starts
  const int* inner = nullptr;  ///< column indices, sorted within each row
  const double* values = nullptr;
  const int* diagonal = nullptr;  ///< index into inner/values of entry (i, i)
};

/// Throws descent::Error (naming `what`) unless A is square, compressed and non-empty.
void require_square(const SparseMatrix& a, std::string_view what);

/// Positions of the diagonal entries. Throws descent::Error naming the first row whose diagonal
/// entry is missing or not positive (SOR, SSOR and Jacobi divide by it), or if A is not square
/// and compressed.
std::vector<int> diagonal_positions(const SparseMatrix& a, std::string_view what = "matrix");

/// A view of `a` with the given diagonal positions (both must outlive the view).
CsrView make_view(const SparseMatrix& a, std::span<const int> diagonal);

/// True if |a_ij - a_ji| <= tolerance * max|a| for every stored pair (missing entries are 0).
bool is_symmetric(const SparseMatrix& a, double tolerance = 1e-12);

/// y = A x (raw CSR product, no allocation).
void multiply(const CsrView& a, const double* x, double* y) noexcept;

/// r = b - A x; returns ||r||_2^2.
double residual(const CsrView& a, const double* b, const double* x, double* r) noexcept;

}  // namespace descent::linalg
