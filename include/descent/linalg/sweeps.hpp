// SOR / SSOR triangular sweeps on CSR, written on raw pointers without allocation.
//
// Split A = D + L + U (D diagonal, L strictly lower, U strictly upper). These are the kernels of
// the SOR iteration, the SSOR iteration and the SSOR preconditioner:
//   forward:   solve (D/omega + L) y = r        (one pass over the lower triangle and D)
//   backward:  solve (D/omega + U) y = r        (one pass over the upper triangle and D)
//   ssor:      z = omega (2 - omega) (D + omega U)^{-1} D (D + omega L)^{-1} r,
// i.e. z = M^{-1} r for the SSOR preconditioner M = (D + omega L) D^{-1} (D + omega U) /
// (omega (2 - omega)) = (omega / (2 - omega)) W D^{-1} W^T with W = D/omega + L, in one forward
// and one backward pass (about the flops of one matrix-vector product).
#pragma once

#include "descent/linalg/csr.hpp"

namespace descent::linalg {

/// Solves (D/omega + L) y = r by forward substitution: y_i = (r_i - sum_{j<i} a_ij y_j) /
/// (a_ii / omega). The division by a_ii / omega matches MATLAB's `(D/omega + L) \ r` exactly.
void forward_substitution(const CsrView& a, double omega, const double* r, double* y) noexcept;

/// Solves (D/omega + U) y = r by backward substitution.
void backward_substitution(const CsrView& a, double omega, const double* r, double* y) noexcept;

/// One in-place forward SOR sweep (Gauss-Seidel order), x_i <- x_i + omega (b_i - sum_j a_ij x_j)
/// / a_ii for i = 0..n-1, with `inv_diagonal` holding 1 / a_ii: the classic "SOR sweep" (PETSc's
/// MatSOR with SOR_FORWARD_SWEEP). One pass over the whole matrix.
void sor_sweep_forward(const CsrView& a, const double* inv_diagonal, double omega, const double* b,
                       double* x) noexcept;
/// The same sweep for i = n-1..0.
void sor_sweep_backward(const CsrView& a, const double* inv_diagonal, double omega, const double* b,
                        double* x) noexcept;

/// Fills `scaled` (A's nnz entries, same layout as its values) for ssor_apply: omega a_ij / a_ii
/// off the diagonal and 1 / a_ii in each diagonal slot.
void ssor_scale(const CsrView& a, double omega, double* scaled) noexcept;

/// z = M_ssor(omega)^{-1} r (see above) with `scaled` from ssor_scale(a, omega, ...); returns
/// r^T z (accumulated in the backward pass, for PCG). z may not alias r. Scaling the rows first
/// leaves one multiply-subtract per row on the sweeps' dependency chain (through the neighbour
/// solved last), instead of three operations.
double ssor_apply(const CsrView& a, const double* scaled, double omega, const double* r,
                  double* z) noexcept;

}  // namespace descent::linalg
