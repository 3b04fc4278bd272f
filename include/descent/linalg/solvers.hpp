// The registry of descent::linalg's solvers for A x = b: every method by name, with its options
// read from key=value settings (defaults from CgOptions and SorOptions). `descent solve` and the
// contract test run through it.
//
//   cg          conjugate gradients (Hestenes & Stiefel 1952)
//   pcg-jacobi  CG with the diagonal preconditioner
//   pcg-ic      CG with incomplete Cholesky IC(0) (Meijerink & van der Vorst 1977)
//   ssor-cg     CG with the SSOR(omega) preconditioner (Khodak et al., ICLR 2024, Section 4)
//   sor, ssor   (symmetric) successive over-relaxation (Young 1971; Khodak et al. Algorithm 1)
//
// omega (sor, ssor, ssor-cg) is a number in (0, 2) or "optimal": Young's omega* from the Jacobi
// spectral radius (linalg/spectral.hpp). Summary counters add "omega" (the value used) and,
// for pcg-ic, "ic_shift"; the CG variants "setup_seconds" (building the preconditioner).
#pragma once

#include <functional>
#include <string_view>

#include "descent/core/callbacks.hpp"
#include "descent/core/method_registry.hpp"
#include "descent/core/settings.hpp"
#include "descent/linalg/csr.hpp"

namespace descent::linalg {

/// Solves A x = b from the guess in x (updated in place).
using Solver = std::function<Summary(const SparseMatrix& a, const Vector& b, Vector& x,
                                     const Settings&, Callbacks)>;

const MethodRegistry<Solver>& solvers();

/// Whether `method` needs a symmetric positive definite A (every CG variant).
bool needs_symmetric(std::string_view method);

/// "optimal" (or "auto"): Young's omega* for A; otherwise a number in (0, 2). Throws
/// descent::InvalidOption("omega") otherwise.
double resolve_omega(std::string_view text, const SparseMatrix& a);

}  // namespace descent::linalg
