#include "descent/linalg/csr.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "descent/core/error.hpp"

namespace descent::linalg {

void require_square(const SparseMatrix& a, std::string_view what) {
  if (a.rows() != a.cols())
    throw Error(std::string(what) + " must be square, got " + std::to_string(a.rows()) + " x " +
                std::to_string(a.cols()));
  if (a.rows() == 0) throw Error(std::string(what) + " is empty");
  if (!a.isCompressed()) throw Error(std::string(what) + " must be compressed (makeCompressed)");
}

std::vector<int> diagonal_positions(const SparseMatrix& a, std::string_view what) {
  require_square(a, what);
  const int n = static_cast<int>(a.rows());
  const int* outer = a.outerIndexPtr();
  const int* inner = a.innerIndexPtr();
  const double* values = a.valuePtr();
  std::vector<int> diag(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const int* begin = inner + outer[i];
    const int* end = inner + outer[i + 1];
    const int* it = std::lower_bound(begin, end, i);
    if (it == end || *it != i)
      throw Error(std::string(what) + ": row " + std::to_string(i + 1) +
                  " has no diagonal entry (SOR, SSOR and Jacobi need a_ii > 0)");
    const auto pos = static_cast<int>(it - inner);
    if (!(values[pos] > 0.0))
      throw Error(std::string(what) + ": diagonal entry a(" + std::to_string(i + 1) + "," +
                  std::to_string(i + 1) + ") = " + std::to_string(values[pos]) +
                  " is not positive (the matrix is not symmetric positive definite)");
    diag[static_cast<std::size_t>(i)] = pos;
  }
  return diag;
}

CsrView make_view(const SparseMatrix& a, std::span<const int> diagonal) {
  CsrView v;
  v.n = static_cast<int>(a.rows());
  v.outer = a.outerIndexPtr();
  v.inner = a.innerIndexPtr();
  v.values = a.valuePtr();
  v.diagonal = diagonal.data();
  return v;
}

bool is_symmetric(const SparseMatrix& a, double tolerance) {
  if (a.rows() != a.cols()) return false;
  const SparseMatrix t = a.transpose();
  const SparseMatrix diff = a - t;
  double largest = 0.0;
  for (int k = 0; k < a.nonZeros(); ++k) largest = std::max(largest, std::abs(a.valuePtr()[k]));
  for (int k = 0; k < diff.nonZeros(); ++k)
    if (std::abs(diff.valuePtr()[k]) > tolerance * largest) return false;
  return true;
}

void multiply(const CsrView& a, const double* x, double* y) noexcept {
  const int* outer = a.outer;
  const int* inner = a.inner;
  const double* values = a.values;
  for (int i = 0; i < a.n; ++i) {
    double s = 0.0;
    for (int k = outer[i]; k < outer[i + 1]; ++k) s += values[k] * x[inner[k]];
    y[i] = s;
  }
}

double residual(const CsrView& a, const double* b, const double* x, double* r) noexcept {
  const int* outer = a.outer;
  const int* inner = a.inner;
  const double* values = a.values;
  double norm2 = 0.0;
  for (int i = 0; i < a.n; ++i) {
    double s = 0.0;
    for (int k = outer[i]; k < outer[i + 1]; ++k) s += values[k] * x[inner[k]];
    const double ri = b[i] - s;
    r[i] = ri;
    norm2 += ri * ri;
  }
  return norm2;
}

}  // namespace descent::linalg
