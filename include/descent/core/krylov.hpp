// The Krylov core of descent: one (preconditioned) conjugate-gradient loop and one Lanczos
// tridiagonalisation, templated on the operator so that a CSR matrix, a matrix-free Hessian and
// ot's gauge-fixed Newton system all run the same arithmetic.
//
// M. R. Hestenes and E. Stiefel, "Methods of Conjugate Gradients for Solving Linear Systems",
// J. Res. Nat. Bur. Standards 49(6), 1952 (preconditioned form: Y. Saad, "Iterative Methods for
// Sparse Linear Systems", 2nd ed., SIAM 2003, Algorithm 9.1). C. Lanczos, "An iteration method for
// the solution of the eigenvalue problem of linear differential and integral operators", J. Res.
// Nat. Bur. Standards 45, 1950.
//
// Front ends: linalg::conjugate_gradient (CSR, Summary, callbacks), implicit::solve (matrix-free
// adjoint systems), ot's sparse Newton step (block PCG), curvature::lanczos (Ritz pairs, SLQ) and
// linalg::jacobi_spectral_radius (extreme eigenvalues).
//
// CG operator concept (`Op`):
//   double apply_dot(const double* p, double* q)  // q = A p, returns pᵀq (fused where it pays)
//   optional: double residual(const double* b, const double* x, double* r)  // r = b - A x, ||r||²
// Wrap a plain product with krylov::product(n, f). Preconditioner concept (`Precond`):
//   double apply_dot(const double* r, double* z)  // z = M⁻¹ r, returns rᵀz
// or krylov::Identity{} (no preconditioner: z is r itself, no copy).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "descent/core/options.hpp"
#include "descent/core/status.hpp"

namespace descent::krylov {

/// No preconditioner.
struct Identity {};

/// A plain product f(p, q): q = A p, as a CG operator (the dot product is a second pass).
template <class F>
struct Product {
  Eigen::Index n;
  F f;
  double apply_dot(const double* p, double* q) {
    f(p, q);
    double s = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) s += p[i] * q[i];
    return s;
  }
};
template <class F>
Product<std::decay_t<F>> product(Eigen::Index n, F&& f) {
  return {n, std::forward<F>(f)};
}

namespace detail {

// x += α p, r -= α q and returns ||r||² in one pass. Out of line on purpose: inlined into the
// CG loop, GCC 12 kept the sum in memory (a load and a store per entry) and CG ran 1.5x slower.
[[gnu::noinline]] inline double step_and_norm(double* x, double* r, const double* p,
                                              const double* q, double alpha,
                                              Eigen::Index n) noexcept {
  double rr = 0.0;
  for (Eigen::Index i = 0; i < n; ++i) {
    x[i] += alpha * p[i];
    r[i] -= alpha * q[i];
    rr += r[i] * r[i];
  }
  return rr;
}

}  // namespace detail

struct CgControl {
  double threshold = 0.0;            ///< stop when ||r|| <= threshold (absolute)
  bool relative_to_initial = false;  ///< threshold is multiplied by ||r_0|| first
  std::size_t max_iterations = 0;
  /// On convergence recompute b - A x and continue if the recursive residual drifted.
  bool verify_residual = true;
  /// x is zero on entry: r_0 = b without a product.
  bool zero_start = false;
};

struct CgOutcome {
  Status status = Status::max_iterations;
  std::string message;
  std::size_t iterations = 0;
  double initial_residual = 0.0;  ///< ||r_0||
  double residual = 0.0;          ///< ||r|| at the end (the true one after verification)
  double threshold = 0.0;         ///< the absolute threshold applied
};

/// Reusable vectors (no allocation inside the loop; resized on entry).
struct CgWorkspace {
  Eigen::VectorXd r, z, p, q;
};

/// Solves A x = b from the guess in x (n entries, updated in place). `observe(k, ||r_k||, α_k)`
/// is called with k = 0 for the start and after every iteration; returning true stops the run
/// (status stopped, message empty: the caller knows why). Statuses: converged, max_iterations,
/// diverged (non-finite residual or curvature), failed (pᵀAp <= 0 or rᵀM⁻¹r <= 0), stopped.
template <class Op, class Precond, class Observer>
CgOutcome conjugate_gradient(Op& a, Precond& m, const double* b, double* x, Eigen::Index n,
                             const CgControl& control, Observer&& observe, CgWorkspace& w) {
  constexpr bool preconditioned = !std::is_same_v<std::decay_t<Precond>, Identity>;
  w.r.resize(n);
  w.p.resize(n);
  w.q.resize(n);
  if constexpr (preconditioned) w.z.resize(n);
  double* const rp = w.r.data();
  double* const zp = preconditioned ? w.z.data() : rp;
  double* const pp = w.p.data();
  double* const qp = w.q.data();

  auto true_residual = [&]() -> double {
    if constexpr (requires { a.residual(b, x, rp); }) {
      return a.residual(b, x, rp);
    } else {
      a.apply_dot(x, qp);
      double s = 0.0;
      for (Eigen::Index i = 0; i < n; ++i) {
        rp[i] = b[i] - qp[i];
        s += rp[i] * rp[i];
      }
      return s;
    }
  };

  CgOutcome out;
  double rr = 0.0;
  if (control.zero_start) {
    for (Eigen::Index i = 0; i < n; ++i) {
      rp[i] = b[i];
      rr += b[i] * b[i];
    }
  } else {
    rr = true_residual();
  }
  const double r0 = std::sqrt(rr);
  const double threshold = control.relative_to_initial ? control.threshold * r0 : control.threshold;
  out.initial_residual = r0;
  out.threshold = threshold;
  // rr is passed, not captured: a by-reference capture would keep it (and the update loop's
  // accumulator) in memory, which cost a third of the CSR path's speed.
  auto finish = [&out](Status status, std::string message, double rr_end) {
    out.status = status;
    out.message = std::move(message);
    out.residual = std::sqrt(rr_end);
    return out;
  };
  if (observe(std::size_t{0}, r0, 0.0)) return finish(Status::stopped, "", rr);
  // Finiteness first: an overflowing ||b|| makes a relative threshold infinite as well.
  if (!std::isfinite(r0) || std::isnan(threshold))
    return finish(Status::diverged, "the initial residual is not finite", rr);
  if (r0 <= threshold)
    return finish(Status::converged, "the initial guess meets the tolerance", rr);

  // p = z = M⁻¹ r and rᵀz.
  auto restart = [&]() -> double {
    double rz = 0.0;
    if constexpr (preconditioned) {
      rz = m.apply_dot(rp, zp);
      for (Eigen::Index i = 0; i < n; ++i) pp[i] = zp[i];
    } else {
      for (Eigen::Index i = 0; i < n; ++i) {
        pp[i] = rp[i];
        rz += rp[i] * rp[i];
      }
    }
    return rz;
  };
  double rz = restart();

  for (std::size_t k = 1; k <= control.max_iterations; ++k) {
    if (!(rz > 0.0)) {
      out.iterations = k - 1;
      return finish(Status::failed,
                    "r^T M^{-1} r = " + check::show(rz) +
                        " <= 0: the preconditioner is not positive definite",
                    rr);
    }
    const double pq = a.apply_dot(pp, qp);
    // pᵀAp = inf passed "> 0" and gave α = 0 forever (a run to max_iterations): check it first.
    if (!std::isfinite(pq)) {
      out.iterations = k - 1;
      return finish(Status::diverged, "p^T A p is not finite", rr);
    }
    if (!(pq > 0.0)) {
      out.iterations = k - 1;
      return finish(Status::failed,
                    "p^T A p = " + check::show(pq) + " <= 0: A is not positive definite", rr);
    }
    const double alpha = rz / pq;
    rr = detail::step_and_norm(x, rp, pp, qp, alpha, n);
    out.iterations = k;
    const double rnorm = std::sqrt(rr);
    if (!std::isfinite(rnorm)) return finish(Status::diverged, "the residual is not finite", rr);
    if (observe(k, rnorm, alpha)) return finish(Status::stopped, "", rr);
    if (rnorm <= threshold) {
      if (!control.verify_residual)
        return finish(Status::converged, "residual below tolerance", rr);
      // The recursive residual can drift from b - A x; trust only the true one.
      rr = true_residual();
      if (std::sqrt(rr) <= threshold)
        return finish(Status::converged, "residual below tolerance", rr);
      rz = restart();
      continue;
    }
    // z = M⁻¹ r and rᵀz in one go; without a preconditioner z = r and rᵀz = ||r||².
    double rz_new = rr;
    if constexpr (preconditioned) rz_new = m.apply_dot(rp, zp);
    const double beta = rz_new / rz;
    rz = rz_new;
    for (Eigen::Index i = 0; i < n; ++i) pp[i] = zp[i] + beta * pp[i];
  }
  return finish(Status::max_iterations,
                "reached max_iterations = " + std::to_string(control.max_iterations), rr);
}

struct LanczosControl {
  std::size_t steps = 20;  ///< at most this many products (capped at the dimension)
  /// Re-orthogonalise every new vector against the whole basis, twice (classical Gram-Schmidt,
  /// "twice is enough"): O(m² n), keeps Ritz values free of ghost copies. Off, only the last two
  /// vectors are kept, which is enough for the extreme Ritz values.
  bool reorthogonalize = true;
  /// Keep the basis Q_m (needed for Ritz vectors; implied by reorthogonalize).
  bool keep_basis = false;
  /// Invariant subspace when β_k <= breakdown_tolerance · max(|α|, |β|) so far.
  double breakdown_tolerance = 1e-12;
};

/// T_m = Q_mᵀ A Q_m as its diagonal α (m) and off-diagonal β (m − 1).
struct Tridiagonal {
  std::vector<double> alpha, beta;
  double last_beta = 0.0;  ///< β_m, the residual scale of the Ritz pairs
  Eigen::MatrixXd basis;   ///< n x m when kept
  bool finite = true;      ///< false: a product was not finite (the run stopped there)
  std::size_t steps() const noexcept { return alpha.size(); }
};

/// Lanczos from the unit vector q. `apply(q, w)` sets w = A q (Eigen vectors of size n).
/// `stop(T, β_k, last)` is called after every step with the tridiagonal so far (β_k not yet
/// appended); returning true ends the run there (a convergence test). `last` is true when the
/// step budget is spent or the subspace is invariant, and the run ends whatever stop returns.
template <class Apply, class Stop>
Tridiagonal lanczos(Apply&& apply, Eigen::VectorXd q, std::size_t steps,
                    const LanczosControl& control, Stop&& stop) {
  const Eigen::Index n = q.size();
  const auto m = static_cast<Eigen::Index>(std::min<std::size_t>(steps, std::size_t(n)));
  const bool keep = control.reorthogonalize || control.keep_basis;
  Tridiagonal t;
  if (keep) t.basis.resize(n, m);
  Eigen::VectorXd w(n), q_prev = Eigen::VectorXd::Zero(n);
  double scale = 0.0;
  for (Eigen::Index k = 0; k < m; ++k) {
    if (keep) t.basis.col(k) = q;
    apply(q, w);
    if (!w.allFinite()) {
      t.alpha.push_back(std::nan(""));
      t.finite = false;
      return t;
    }
    const double ak = q.dot(w);
    t.alpha.push_back(ak);
    w -= ak * q;
    if (k > 0) {
      if (keep)
        w -= t.beta.back() * t.basis.col(k - 1);
      else
        w -= t.beta.back() * q_prev;
    }
    if (control.reorthogonalize) {
      for (int pass = 0; pass < 2; ++pass) {
        const auto qk = t.basis.leftCols(k + 1);
        w -= qk * (qk.transpose() * w);
      }
    }
    const double bk = w.norm();
    t.last_beta = bk;
    scale = std::max(scale, std::abs(ak));
    const bool last = k + 1 == m || bk <= control.breakdown_tolerance * std::max(scale, 1e-300);
    if (stop(static_cast<const Tridiagonal&>(t), bk, last) || last) break;
    t.beta.push_back(bk);
    scale = std::max(scale, bk);
    if (!keep) q_prev = q;
    q = w / bk;
  }
  if (keep) t.basis.conservativeResize(n, static_cast<Eigen::Index>(t.alpha.size()));
  return t;
}

/// No early stop.
struct RunAllSteps {
  bool operator()(const Tridiagonal&, double, bool) const noexcept { return false; }
};

}  // namespace descent::krylov
