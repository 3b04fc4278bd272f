// Preconditioners for (P)CG: identity, Jacobi, SSOR(omega) and incomplete Cholesky IC(0).
//
// Each is usable two ways:
//  - with descent's own kernel, linalg::conjugate_gradient(A, b, x, &M, ...), through the
//    virtual apply(r, z) (z = M^{-1} r);
//  - as an Eigen preconditioner, e.g.
//      Eigen::ConjugateGradient<Eigen::SparseMatrix<double>, Eigen::Lower | Eigen::Upper,
//                               descent::linalg::SsorPreconditioner> cg;
//      cg.preconditioner().set_omega(1.5);
//      cg.compute(A);  x = cg.solve(b);
//    (Eigen default-constructs the preconditioner and calls compute(A) with the full matrix).
//
// References: SSOR as a preconditioner, O. Axelsson, "Iterative Solution Methods", Cambridge
// University Press, 1994, Section 7.4 (and Khodak et al., ICLR 2024, for its tuning); IC(0),
// J. A. Meijerink and H. A. van der Vorst, "An iterative solution method for linear systems of
// which the coefficient matrix is a symmetric M-matrix", Math. Comp. 31(137), 1977, with the
// diagonal shift of T. A. Manteuffel, "An incomplete factorization technique for positive definite
// linear systems", Math. Comp. 34(150), 1980, when a pivot breaks down.
#pragma once

#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <string_view>
#include <vector>

#include "descent/linalg/csr.hpp"

namespace descent::linalg {

/// z = M^{-1} r for a fixed matrix; apply() must not allocate.
class Preconditioner {
 public:
  virtual ~Preconditioner() = default;
  virtual std::string_view name() const noexcept = 0;
  /// Size of the matrix it was computed for (0 before setup).
  virtual Eigen::Index size() const noexcept = 0;
  /// z = M^{-1} r; r and z have size() entries and must not alias.
  virtual void apply(const double* r, double* z) const noexcept = 0;
  /// Recomputes M for a new matrix (throws descent::Error for unusable input).
  virtual void setup(const SparseMatrix& a) = 0;
  /// z = M^{-1} r and returns r^T z. The default applies then takes the dot product;
  /// preconditioners override it to fuse the dot into their last pass (one fewer sweep over
  /// memory per CG iteration).
  virtual double apply_dot(const double* r, double* z) const noexcept {
    apply(r, z);
    double s = 0.0;
    for (Eigen::Index i = 0; i < size(); ++i) s += r[i] * z[i];
    return s;
  }
};

/// The Eigen preconditioner interface (compute/solve/info) on top of setup/apply (CRTP).
template <class Derived>
class EigenPreconditionerAdapter {
 public:
  using StorageIndex = int;
  enum { ColsAtCompileTime = Eigen::Dynamic, MaxColsAtCompileTime = Eigen::Dynamic };

  Eigen::Index rows() const noexcept { return self().size(); }
  Eigen::Index cols() const noexcept { return self().size(); }

  template <class MatType>
  Derived& analyzePattern(const MatType&) {
    return self();
  }
  template <class MatType>
  Derived& factorize(const MatType& mat) {
    SparseMatrix csr(mat);
    csr.makeCompressed();
    self().setup(csr);
    return self();
  }
  template <class MatType>
  Derived& compute(const MatType& mat) {
    return factorize(mat);
  }
  template <class Rhs>
  const Eigen::Solve<Derived, Rhs> solve(const Eigen::MatrixBase<Rhs>& b) const {
    return Eigen::Solve<Derived, Rhs>(self(), b.derived());
  }
  /// Eigen's internal entry point.
  template <class Rhs, class Dest>
  void _solve_impl(const Rhs& b, Dest& x) const {
    const Vector rhs = b;
    Vector out(rhs.size());
    self().apply(rhs.data(), out.data());
    x = out;
  }
  Eigen::ComputationInfo info() const { return Eigen::Success; }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
  Derived& self() { return static_cast<Derived&>(*this); }
};

/// M = I (plain CG).
class IdentityPreconditioner final : public Preconditioner,
                                     public EigenPreconditionerAdapter<IdentityPreconditioner> {
 public:
  IdentityPreconditioner() = default;
  explicit IdentityPreconditioner(const SparseMatrix& a) { setup(a); }
  std::string_view name() const noexcept override { return "none"; }
  Eigen::Index size() const noexcept override { return n_; }
  void apply(const double* r, double* z) const noexcept override;
  void setup(const SparseMatrix& a) override;

 private:
  Eigen::Index n_ = 0;
};

/// M = D (diagonal scaling). Needs a positive diagonal.
class JacobiPreconditioner final : public Preconditioner,
                                   public EigenPreconditionerAdapter<JacobiPreconditioner> {
 public:
  JacobiPreconditioner() = default;
  explicit JacobiPreconditioner(const SparseMatrix& a) { setup(a); }
  std::string_view name() const noexcept override { return "jacobi"; }
  Eigen::Index size() const noexcept override { return inv_diagonal_.size(); }
  void apply(const double* r, double* z) const noexcept override;
  double apply_dot(const double* r, double* z) const noexcept override;
  void setup(const SparseMatrix& a) override;

 private:
  Vector inv_diagonal_;
};

/// M = (D + omega L) D^{-1} (D + omega U) / (omega (2 - omega)), omega in (0, 2) (default 1:
/// symmetric Gauss-Seidel). Applied by one forward and one backward sweep over the matrix given
/// to setup() (copied) or bind() (referenced).
class SsorPreconditioner final : public Preconditioner,
                                 public EigenPreconditionerAdapter<SsorPreconditioner> {
 public:
  SsorPreconditioner() = default;
  explicit SsorPreconditioner(double omega) { set_omega(omega); }
  SsorPreconditioner(const SparseMatrix& a, double omega) {
    set_omega(omega);
    setup(a);
  }
  std::string_view name() const noexcept override { return "ssor"; }
  Eigen::Index size() const noexcept override { return view_.n; }
  void apply(const double* r, double* z) const noexcept override;
  double apply_dot(const double* r, double* z) const noexcept override;
  /// Copies `a` (safe when the caller's matrix goes away, as with Eigen's solvers).
  void setup(const SparseMatrix& a) override;
  /// Like setup() but keeps a pointer to `a` instead of a copy: `a` must stay alive and keep its
  /// values until the next setup()/bind(). Saves a copy per system in a sequence of solves.
  void bind(const SparseMatrix& a);
  /// bind(a) with a new omega, scaling once (use this when the previously bound matrix may be
  /// gone: set_omega() would rescale it).
  void bind(const SparseMatrix& a, double omega);
  /// Changes omega (rescales the stored row-scaled values, O(nnz), if a matrix is bound: that
  /// matrix must still be alive).
  /// Throws descent::InvalidOption unless 0 < omega < 2.
  void set_omega(double omega);
  double omega() const noexcept { return omega_; }

 private:
  double omega_ = 1.0;
  SparseMatrix a_;
  std::vector<int> diagonal_;
  std::vector<double> scaled_;  // omega a_ij / a_ii, 1 / a_ii on the diagonal (ssor_scale)
  CsrView view_;
};

struct IncompleteCholeskyOptions {
  /// First diagonal shift tried after a breakdown (non-positive pivot), relative to the diagonal:
  /// factor A + shift * diag(A); doubled until the factorisation succeeds. Default 1e-3.
  double initial_shift = 1e-3;
  int max_shifts = 30;  ///< give up (descent::Error) after this many doublings (default 30)
};

/// IC(0): L L^T ~ A with L on A's lower sparsity pattern. Needs a symmetric matrix with a
/// positive diagonal; for M-matrices (Laplacians) no shift is ever needed.
class IncompleteCholesky final : public Preconditioner,
                                 public EigenPreconditionerAdapter<IncompleteCholesky> {
 public:
  IncompleteCholesky() = default;
  explicit IncompleteCholesky(const SparseMatrix& a, IncompleteCholeskyOptions o = {})
      : options_(o) {
    setup(a);
  }
  std::string_view name() const noexcept override { return "ic0"; }
  Eigen::Index size() const noexcept override { return lower_.rows(); }
  void apply(const double* r, double* z) const noexcept override;
  void setup(const SparseMatrix& a) override;
  /// The diagonal shift that was needed (0 if none).
  double shift() const noexcept { return shift_; }
  const SparseMatrix& factor() const noexcept { return lower_; }

 private:
  IncompleteCholeskyOptions options_;
  SparseMatrix lower_;  // L, CSR, diagonal last in each row
  SparseMatrix upper_;  // L^T, CSR, diagonal first in each row
  double shift_ = 0.0;
};

}  // namespace descent::linalg
