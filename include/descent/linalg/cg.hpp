// Conjugate gradients, plain or preconditioned: the one CG kernel of descent.
//
// M. R. Hestenes and E. Stiefel, "Methods of Conjugate Gradients for Solving Linear Systems",
// J. Res. Nat. Bur. Standards 49(6), 1952; preconditioned form as in Y. Saad, "Iterative Methods
// for Sparse Linear Systems", 2nd ed., SIAM 2003, Algorithm 9.1.
//
// Per iteration: one sparse product, one preconditioner application, two dot products and three
// vector updates, fused into three passes over the vectors; no allocation inside the loop.
// Warm starts: x holds the initial guess on entry. The iteration count is what the paper's
// experiments charge (MATLAB pcg's `iter`).
#pragma once

#include <cstddef>
#include <vector>

#include "descent/core/callbacks.hpp"
#include "descent/core/settings.hpp"
#include "descent/core/status.hpp"
#include "descent/linalg/csr.hpp"
#include "descent/linalg/preconditioners.hpp"

namespace descent::linalg {

/// What the residual norm is compared with.
enum class ToleranceMode {
  relative_rhs,      ///< ||r_k|| <= tol * ||b||   (MATLAB pcg, scipy cg)
  relative_initial,  ///< ||r_k|| <= tol * ||r_0|| (the paper's SOR rule, Algorithm 1)
  absolute,          ///< ||r_k|| <= tol
};
std::string_view to_string(ToleranceMode mode) noexcept;
/// "rhs", "initial" or "absolute"; throws descent::Error otherwise.
ToleranceMode tolerance_mode_from_string(std::string_view name);

/// The stopping-rule keys of every linalg solver (tolerance, tolerance_mode), by name.
template <class Fields>
void tolerance_fields(Fields& f, double& tolerance, ToleranceMode& mode) {
  f("tolerance", tolerance, "stop when the residual norm meets this");
  f.choice("tolerance_mode", mode,
           {{"rhs", ToleranceMode::relative_rhs},
            {"initial", ToleranceMode::relative_initial},
            {"absolute", ToleranceMode::absolute}},
           "tolerance relative to ||b||, to ||r_0||, or absolute");
}

struct CgOptions {
  double tolerance = 1e-8;  ///< default 1e-8, the paper's epsilon
  ToleranceMode tolerance_mode = ToleranceMode::relative_rhs;  ///< default: as MATLAB pcg
  std::size_t max_iterations = 10000;                          ///< default 10,000, the paper's cap
  /// Keep ||r_k|| for every iteration in Summary::history (gradient_norm column, plus the
  /// relative residual as extra "relative_residual"). Default off.
  bool record_history = false;
  /// On convergence, recompute b - A x and keep iterating if the recursive residual lied
  /// (round-off drift), as MATLAB's pcg does. Default on (costs one product at the end).
  bool verify_residual = true;

  void validate() const;
  /// The fields by name (descent/core/settings.hpp).
  template <class Fields>
  void fields(Fields& f) {
    tolerance_fields(f, tolerance, tolerance_mode);
    run_fields(f, max_iterations, record_history);
    f("verify_residual", verify_residual, "recompute b - A x before declaring convergence");
  }
};

/// Solves A x = b for symmetric positive definite A from the initial guess in x (updated in
/// place). M = nullptr means no preconditioner. The Summary has status converged,
/// max_iterations, diverged (non-finite residual), failed (p^T A p <= 0 or r^T z <= 0: A or M is
/// not positive definite) or stopped (a callback), gradient_norm = final ||r||, and counters
/// "initial_residual", "rhs_norm", "relative_residual" (||r||/||b||), "threshold".
/// Throws descent::Error for mismatched sizes or a preconditioner of the wrong size.
Summary conjugate_gradient(const SparseMatrix& a, const Vector& b, Vector& x,
                           const Preconditioner* m = nullptr, const CgOptions& options = {},
                           Callbacks callbacks = {});

/// The residual norms of a run recorded with record_history (empty otherwise).
std::vector<double> residual_history(const Summary& summary);

}  // namespace descent::linalg
