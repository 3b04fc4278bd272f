// SOR and SSOR as stationary iterations (Algorithm 1 of Learning to Relax).
//
// D. M. Young, "Iterative methods for solving partial difference equations of elliptic type",
// Trans. AMS 76, 1954 (SOR); M. Khodak, E. Chow, M.-F. Balcan and A. Talwalkar, "Learning to
// Relax: Setting Solver Parameters Across a Sequence of Linear System Instances", ICLR 2024,
// Algorithm 1, whose iteration count is the bandits' cost.
//
// With A = D + L + L^T and W_omega = D/omega + L, each iteration is
//   x <- x + W^{-1} r,  r <- b - A x,  stop when ||r|| <= tol * reference,
// exactly as Algorithm 1 and the paper's sor.m: the triangular solve uses r (one pass over the
// lower triangle) and the residual is recomputed from scratch (one product), so counts match a
// direct port bit for bit. SSOR replaces W by the symmetric splitting
// (omega / (2 - omega)) W D^{-1} W^T: one forward and one backward sweep per iteration.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "descent/core/callbacks.hpp"
#include "descent/core/settings.hpp"
#include "descent/core/status.hpp"
#include "descent/linalg/cg.hpp"
#include "descent/linalg/csr.hpp"

namespace descent::linalg {

struct SorOptions {
  double omega = 1.0;       ///< relaxation weight in (0, 2); 1 = Gauss-Seidel (default)
  bool symmetric = false;   ///< SSOR instead of SOR (default off)
  double tolerance = 1e-8;  ///< default 1e-8, the paper's epsilon
  /// Default relative to ||r_0|| as in Algorithm 1 (with x_0 = 0 that is ||b||).
  ToleranceMode tolerance_mode = ToleranceMode::relative_initial;
  std::size_t max_iterations = 10000;  ///< default 10,000, the cap of the paper's code
  /// Stop as diverged once ||r|| exceeds this factor times max(||r_0||, ||b||) (default 1e30).
  double divergence_factor = 1e30;
  bool record_history = false;  ///< ||r_k|| per iteration in Summary::history (default off)

  void validate() const;
  /// The fields by name (descent/core/settings.hpp); omega and symmetric are chosen by the
  /// registry's method name and omega setting (linalg/solvers.hpp).
  template <class Fields>
  void fields(Fields& f) {
    tolerance_fields(f, tolerance, tolerance_mode);
    f("divergence_factor", divergence_factor, "diverged once ||r|| exceeds this times the start");
    run_fields(f, max_iterations, record_history);
  }
};

/// Runs SOR (or SSOR) on A x = b from the initial guess in x (updated in place). A needs a
/// positive diagonal; it need not be symmetric for SOR. Summary counters as in
/// conjugate_gradient. Throws descent::Error for mismatched sizes or a bad diagonal.
Summary sor(const SparseMatrix& a, const Vector& b, Vector& x, const SorOptions& options = {},
            Callbacks callbacks = {});

/// The outcome of one SorSolver::solve (a light Summary for inner loops).
struct SorResult {
  Status status = Status::failed;
  std::size_t iterations = 0;  ///< iterations run (max_iterations if capped)
  double initial_residual = 0.0;
  double residual = 0.0;  ///< final ||b - A x||
  /// The cost the paper charges: iterations if converged, else max_iterations.
  std::size_t cost(const SorOptions& o) const noexcept {
    return status == Status::converged ? iterations : o.max_iterations;
  }
};

/// A reusable SOR/SSOR solver for many right-hand sides or many omegas on one matrix: the
/// diagonal search runs once and solves do not allocate. `a` must outlive the solver.
class SorSolver {
 public:
  explicit SorSolver(const SparseMatrix& a);
  /// Iterates from x (updated in place). Callbacks and history are sor()'s business.
  SorResult solve(const Vector& b, Vector& x, const SorOptions& options);

  /// SOR (not SSOR) from x0 for every omega in `omegas` at once: the results equal those of
  /// solve() with each omega bit for bit (each omega is an independent lane running the same
  /// scalar operations in the same order), but the lanes share the matrix traffic and vectorise,
  /// which makes a cost table over a grid of omegas about 3x cheaper. options.omega and
  /// options.symmetric are ignored (descent::Error if symmetric is set).
  std::vector<SorResult> solve_grid(const Vector& b, const Vector& x0,
                                    std::span<const double> omegas, const SorOptions& options);

 private:
  const SparseMatrix* a_;
  std::vector<int> diagonal_;
  Vector r_, d_;
  std::vector<double> scaled_;
  std::vector<double> lane_x_, lane_r_, lane_d_, lane_q_, lane_acc_;
};

}  // namespace descent::linalg
