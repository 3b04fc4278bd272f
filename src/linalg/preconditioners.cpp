#include "descent/linalg/preconditioners.hpp"

#include <cmath>
#include <string>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/linalg/sweeps.hpp"

namespace descent::linalg {

// ---------------------------------------------------------------------------------- identity
void IdentityPreconditioner::setup(const SparseMatrix& a) {
  require_square(a, "matrix");
  n_ = a.rows();
}

void IdentityPreconditioner::apply(const double* r, double* z) const noexcept {
  for (Eigen::Index i = 0; i < n_; ++i) z[i] = r[i];
}

// ---------------------------------------------------------------------------------- Jacobi
void JacobiPreconditioner::setup(const SparseMatrix& a) {
  const std::vector<int> diag = diagonal_positions(a);
  inv_diagonal_.resize(a.rows());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    inv_diagonal_[i] = 1.0 / a.valuePtr()[diag[static_cast<std::size_t>(i)]];
}

void JacobiPreconditioner::apply(const double* r, double* z) const noexcept {
  const double* d = inv_diagonal_.data();
  for (Eigen::Index i = 0; i < inv_diagonal_.size(); ++i) z[i] = d[i] * r[i];
}

double JacobiPreconditioner::apply_dot(const double* r, double* z) const noexcept {
  const double* d = inv_diagonal_.data();
  double s = 0.0;
  for (Eigen::Index i = 0; i < inv_diagonal_.size(); ++i) {
    z[i] = d[i] * r[i];
    s += r[i] * z[i];
  }
  return s;
}

// ---------------------------------------------------------------------------------- SSOR
void SsorPreconditioner::set_omega(double omega) {
  check::require(omega > 0.0 && omega < 2.0, "omega",
                 "must lie in (0, 2) for SSOR to be positive definite, got " + check::show(omega));
  if (omega == omega_) return;
  omega_ = omega;
  if (view_.n > 0) ssor_scale(view_, omega_, scaled_.data());
}

void SsorPreconditioner::setup(const SparseMatrix& a) {
  diagonal_positions(a);  // validate before copying
  a_ = a;
  bind(a_);
}

void SsorPreconditioner::bind(const SparseMatrix& a) {
  diagonal_ = diagonal_positions(a);
  view_ = make_view(a, diagonal_);
  scaled_.resize(static_cast<std::size_t>(a.nonZeros()));
  ssor_scale(view_, omega_, scaled_.data());
}

void SsorPreconditioner::bind(const SparseMatrix& a, double omega) {
  check::require(omega > 0.0 && omega < 2.0, "omega",
                 "must lie in (0, 2) for SSOR to be positive definite, got " + check::show(omega));
  omega_ = omega;
  bind(a);
}

void SsorPreconditioner::apply(const double* r, double* z) const noexcept {
  ssor_apply(view_, scaled_.data(), omega_, r, z);
}

double SsorPreconditioner::apply_dot(const double* r, double* z) const noexcept {
  return ssor_apply(view_, scaled_.data(), omega_, r, z);
}

// ---------------------------------------------------------------------------------- IC(0)
namespace {

// Factors the lower triangle of A + shift * diag(A) in place of `values` (pattern of `lower`).
// Returns false on a non-positive pivot.
bool factor_ic0(const SparseMatrix& lower_pattern, const double* a_values, double shift,
                double* l_values, std::vector<double>& work, std::vector<int>& mark) {
  const int n = static_cast<int>(lower_pattern.rows());
  const int* outer = lower_pattern.outerIndexPtr();
  const int* inner = lower_pattern.innerIndexPtr();
  for (int i = 0; i < n; ++i) {
    const int begin = outer[i], diag = outer[i + 1] - 1;  // the diagonal is last in the row
    for (int k = begin; k <= diag; ++k) {
      mark[static_cast<std::size_t>(inner[k])] = i;
      work[static_cast<std::size_t>(inner[k])] = 0.0;
    }
    double sum_squares = 0.0;
    for (int p = begin; p < diag; ++p) {
      const int k = inner[p];
      // s = sum_{j<k} L_ij L_kj over the shared pattern (row k of L is complete).
      double s = 0.0;
      for (int q = outer[k]; q < outer[k + 1] - 1; ++q) {
        const int j = inner[q];
        if (mark[static_cast<std::size_t>(j)] == i)
          s += work[static_cast<std::size_t>(j)] * l_values[q];
      }
      const double lik = (a_values[p] - s) / l_values[outer[k + 1] - 1];
      work[static_cast<std::size_t>(k)] = lik;
      l_values[p] = lik;
      sum_squares += lik * lik;
    }
    const double pivot = a_values[diag] * (1.0 + shift) - sum_squares;
    if (!(pivot > 0.0) || !std::isfinite(pivot)) return false;
    l_values[diag] = std::sqrt(pivot);
  }
  return true;
}

}  // namespace

void IncompleteCholesky::setup(const SparseMatrix& a) {
  diagonal_positions(a);  // square, compressed, positive diagonal
  if (!is_symmetric(a, 1e-10)) throw Error("incomplete Cholesky needs a symmetric matrix");
  lower_ = a.triangularView<Eigen::Lower>();
  lower_.makeCompressed();
  const std::vector<double> a_values(lower_.valuePtr(), lower_.valuePtr() + lower_.nonZeros());
  std::vector<double> work(static_cast<std::size_t>(a.rows()), 0.0);
  std::vector<int> mark(static_cast<std::size_t>(a.rows()), -1);
  shift_ = 0.0;
  for (int attempt = 0;; ++attempt) {
    std::fill(mark.begin(), mark.end(), -1);
    if (factor_ic0(lower_, a_values.data(), shift_, lower_.valuePtr(), work, mark)) break;
    if (attempt >= options_.max_shifts)
      throw Error("incomplete Cholesky broke down even with diagonal shift " + check::show(shift_) +
                  " (is the matrix positive definite?)");
    shift_ = attempt == 0 ? options_.initial_shift : 2.0 * shift_;
  }
  upper_ = lower_.transpose();
  upper_.makeCompressed();
}

void IncompleteCholesky::apply(const double* r, double* z) const noexcept {
  const int n = static_cast<int>(lower_.rows());
  {  // L y = r; y stored in z. The diagonal is the last entry of each row.
    const int* outer = lower_.outerIndexPtr();
    const int* inner = lower_.innerIndexPtr();
    const double* v = lower_.valuePtr();
    for (int i = 0; i < n; ++i) {
      double s = r[i];
      const int diag = outer[i + 1] - 1;
      for (int k = outer[i]; k < diag; ++k) s -= v[k] * z[inner[k]];
      z[i] = s / v[diag];
    }
  }
  {  // L^T z = y, backward; the diagonal is the first entry of each row of L^T.
    const int* outer = upper_.outerIndexPtr();
    const int* inner = upper_.innerIndexPtr();
    const double* v = upper_.valuePtr();
    for (int i = n - 1; i >= 0; --i) {
      double s = z[i];
      const int diag = outer[i];
      for (int k = diag + 1; k < outer[i + 1]; ++k) s -= v[k] * z[inner[k]];
      z[i] = s / v[diag];
    }
  }
}

}  // namespace descent::linalg
