#include "descent/linalg/sor.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "descent/core/options.hpp"
#include "descent/core/run.hpp"
#include "descent/linalg/sweeps.hpp"

namespace descent::linalg {

void SorOptions::validate() const {
  check::require(omega > 0.0 && omega < 2.0, "omega",
                 "must lie in (0, 2) (SOR diverges outside), got " + check::show(omega));
  check::non_negative("tolerance", tolerance);
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
  check::require(divergence_factor > 1.0, "divergence_factor", "must be > 1");
}

namespace {

// The iteration shared by sor() and SorSolver. `observe(k, ||r_k||)` returns true to stop.
template <class Observe>
SorResult iterate(const CsrView& view, std::vector<double>& scaled, const Vector& b, Vector& x,
                  Vector& r, Vector& d, const SorOptions& o, Observe&& observe) {
  SorResult out;
  const double bnorm = b.norm();
  double rr = residual(view, b.data(), x.data(), r.data());
  out.initial_residual = std::sqrt(rr);
  out.residual = out.initial_residual;
  double threshold = o.tolerance;
  if (o.tolerance_mode == ToleranceMode::relative_rhs) threshold *= bnorm;
  if (o.tolerance_mode == ToleranceMode::relative_initial) threshold *= out.initial_residual;
  if (out.initial_residual <= threshold ||
      (out.initial_residual == 0.0 && o.tolerance_mode != ToleranceMode::absolute)) {
    out.status = Status::converged;
    return out;
  }
  const double blowup = o.divergence_factor * std::max(out.initial_residual, bnorm);
  if (o.symmetric) {
    scaled.resize(static_cast<std::size_t>(view.outer[view.n]));
    ssor_scale(view, o.omega, scaled.data());
  }
  double* const xp = x.data();
  double* const dp = d.data();
  const Eigen::Index n = x.size();
  for (std::size_t k = 1; k <= o.max_iterations; ++k) {
    // d = W^{-1} r (SOR) or the SSOR correction, then x += d, r = b - A x.
    if (o.symmetric)
      ssor_apply(view, scaled.data(), o.omega, r.data(), dp);
    else
      forward_substitution(view, o.omega, r.data(), dp);
    for (Eigen::Index i = 0; i < n; ++i) xp[i] += dp[i];
    rr = residual(view, b.data(), xp, r.data());
    const double rnorm = std::sqrt(rr);
    out.iterations = k;
    out.residual = rnorm;
    if (!std::isfinite(rnorm) || rnorm > blowup) {
      out.status = Status::diverged;
      return out;
    }
    if (observe(k, rnorm)) {
      out.status = Status::stopped;
      return out;
    }
    if (rnorm <= threshold) {
      out.status = Status::converged;
      return out;
    }
  }
  out.status = Status::max_iterations;
  return out;
}

constexpr std::size_t kLaneBlock = 4;

inline int diag_at(const CsrView& v, std::size_t i) {
  return v.diagonal[i];
}

// One SOR iteration for kLaneBlock lanes (entry i of lane l at [i * stride + l]): d = W^{-1} r,
// x += d, r = b - A x, norm2 = ||r||^2 per lane, with exactly the scalar path's operations.
void sor_lane_block(const CsrView& v, const double* b, const double* q, double* X, double* R,
                    double* D, std::size_t stride, double* norm2) {
  constexpr std::size_t B = kLaneBlock;
  const int* outer = v.outer;
  const int* inner = v.inner;
  const double* values = v.values;
  const int* diag = v.diagonal;
  const int n = v.n;
  for (int i = 0; i < n; ++i) {
    const std::size_t row = static_cast<std::size_t>(i) * stride;
    double acc[B];
    for (std::size_t l = 0; l < B; ++l) acc[l] = R[row + l];
    for (int p = outer[i]; p < diag[i]; ++p) {
      const double a = values[p];
      const double* dj = D + static_cast<std::size_t>(inner[p]) * stride;
      for (std::size_t l = 0; l < B; ++l) acc[l] -= a * dj[l];
    }
    // q holds a_ii / omega_l, the scalar path's divisor, computed once per solve.
    for (std::size_t l = 0; l < B; ++l) {
      const double d = acc[l] / q[row + l];
      D[row + l] = d;
      X[row + l] += d;
    }
  }
  double nrm[B] = {};
  for (int i = 0; i < n; ++i) {
    double acc[B] = {};
    for (int p = outer[i]; p < outer[i + 1]; ++p) {
      const double a = values[p];
      const double* xj = X + static_cast<std::size_t>(inner[p]) * stride;
      for (std::size_t l = 0; l < B; ++l) acc[l] += a * xj[l];
    }
    const std::size_t row = static_cast<std::size_t>(i) * stride;
    for (std::size_t l = 0; l < B; ++l) {
      const double r = b[i] - acc[l];
      R[row + l] = r;
      nrm[l] += r * r;
    }
  }
  for (std::size_t l = 0; l < B; ++l) norm2[l] = nrm[l];
}

void check_sizes(const SparseMatrix& a, const Vector& b, const Vector& x) {
  if (b.size() != a.rows() || x.size() != a.rows())
    throw Error("sor: A is " + std::to_string(a.rows()) + " x " + std::to_string(a.cols()) +
                " but b has " + std::to_string(b.size()) + " and x " + std::to_string(x.size()) +
                " entries");
}

}  // namespace

Summary sor(const SparseMatrix& a, const Vector& b, Vector& x, const SorOptions& options,
            Callbacks callbacks) {
  options.validate();
  const std::vector<int> diag = diagonal_positions(a);
  check_sizes(a, b, x);
  const CsrView view = make_view(a, diag);
  Vector r(a.rows()), d(a.rows());
  std::vector<double> scaled;

  Run run(options.symmetric ? "ssor" : "sor", static_cast<std::size_t>(a.rows()),
          options.max_iterations, {options.record_history, 1}, callbacks);
  const double bnorm = b.norm();
  auto observe = [&](std::size_t k, double rnorm) {
    const Metric extras[] = {{"relative_residual", bnorm > 0 ? rnorm / bnorm : rnorm}};
    IterationInfo info;
    info.iteration = k;
    info.gradient_norm = rnorm;
    info.step_size = options.omega;
    info.extras = extras;
    info.x = std::span<const double>(x.data(), static_cast<std::size_t>(x.size()));  // updated
    if (k > 0) return run.record(info);
    run.start(info);
    return false;
  };
  const SorResult res = iterate(view, scaled, b, x, r, d, options, observe);
  Summary& s = run.summary();
  s.iterations = res.iterations;
  s.counters["initial_residual"] = res.initial_residual;
  s.counters["rhs_norm"] = bnorm;
  s.counters["relative_residual"] = bnorm > 0 ? res.residual / bnorm : res.residual;
  s.counters["omega"] = options.omega;
  switch (res.status) {
    case Status::converged:
      run.end(res.status, "residual below tolerance");
      break;
    case Status::diverged:
      run.end(res.status,
              "the residual blew up (omega outside the convergent range, or A not SPD?)");
      break;
    case Status::max_iterations:
      run.end(res.status, "reached max_iterations = " + std::to_string(options.max_iterations));
      break;
    default:  // stopped: the callback's reason is recorded
      break;
  }
  return run.finish(std::numeric_limits<double>::quiet_NaN(), res.residual);
}

SorSolver::SorSolver(const SparseMatrix& a)
    : a_(&a), diagonal_(diagonal_positions(a)), r_(a.rows()), d_(a.rows()) {}

SorResult SorSolver::solve(const Vector& b, Vector& x, const SorOptions& options) {
  options.validate();
  check_sizes(*a_, b, x);
  const CsrView view = make_view(*a_, diagonal_);
  return iterate(view, scaled_, b, x, r_, d_, options, [](std::size_t, double) { return false; });
}

std::vector<SorResult> SorSolver::solve_grid(const Vector& b, const Vector& x0,
                                             std::span<const double> omegas,
                                             const SorOptions& options) {
  if (options.symmetric) throw Error("SorSolver::solve_grid: SOR only (symmetric is set)");
  for (double w : omegas) {
    SorOptions o = options;
    o.omega = w;
    o.validate();
  }
  check_sizes(*a_, b, x0);
  const CsrView v = make_view(*a_, diagonal_);
  const int n = v.n;
  const std::size_t lanes = omegas.size();
  std::vector<SorResult> out(lanes);
  if (lanes == 0) return out;

  // Shared start: every lane has the same initial residual and threshold.
  const double bnorm = b.norm();
  Vector x = x0;
  const double r0 = std::sqrt(residual(v, b.data(), x.data(), r_.data()));
  double threshold = options.tolerance;
  if (options.tolerance_mode == ToleranceMode::relative_rhs) threshold *= bnorm;
  if (options.tolerance_mode == ToleranceMode::relative_initial) threshold *= r0;
  for (auto& res : out) res.initial_residual = res.residual = r0;
  if (r0 <= threshold || (r0 == 0.0 && options.tolerance_mode != ToleranceMode::absolute)) {
    for (auto& res : out) res.status = Status::converged;
    return out;
  }
  const double blowup = options.divergence_factor * std::max(r0, bnorm);

  // Lane-interleaved storage: entry i of lane l at [i * L + l], L = active lanes (compacted as
  // lanes finish, so finished omegas cost nothing).
  std::size_t active = lanes;
  std::vector<std::size_t> id(lanes);
  std::vector<double> omega(omegas.begin(), omegas.end());
  for (std::size_t l = 0; l < lanes; ++l) id[l] = l;
  const auto nn = static_cast<std::size_t>(n);
  const std::size_t stride = (lanes + kLaneBlock - 1) / kLaneBlock * kLaneBlock;
  omega.resize(stride, omega.back());  // padding lanes repeat a valid omega
  lane_x_.assign(nn * stride, 0.0);
  lane_r_.assign(nn * stride, 0.0);
  lane_d_.assign(nn * stride, 0.0);
  lane_acc_.assign(stride, 0.0);
  lane_q_.assign(nn * stride, 0.0);
  for (std::size_t i = 0; i < nn; ++i)
    for (std::size_t l = 0; l < stride; ++l) {
      lane_q_[i * stride + l] = v.values[diag_at(v, i)] / omega[l];
      lane_x_[i * stride + l] = x[static_cast<Eigen::Index>(i)];
      lane_r_[i * stride + l] = r_[static_cast<Eigen::Index>(i)];
    }

  for (std::size_t k = 1; k <= options.max_iterations && active > 0; ++k) {
    double* norm2 = lane_acc_.data();
    // Blocks of kLaneBlock lanes with fixed-size accumulators (fully unrolled, vectorised). A
    // block may run past the active lanes into retired slots: those hold stale but harmless
    // data, and their results are never read.
    for (std::size_t l0 = 0; l0 < active; l0 += kLaneBlock)
      sor_lane_block(v, b.data(), lane_q_.data() + l0, lane_x_.data() + l0, lane_r_.data() + l0,
                     lane_d_.data() + l0, stride, norm2 + l0);
    double* X = lane_x_.data();
    double* R = lane_r_.data();
    const std::size_t L = active;
    // Retire finished lanes (from the back, so swaps never skip one).
    for (std::size_t l = L; l-- > 0;) {
      const double rnorm = std::sqrt(norm2[l]);
      SorResult& res = out[id[l]];
      res.iterations = k;
      res.residual = rnorm;
      Status status = Status::failed;
      bool done = true;
      if (!std::isfinite(rnorm) || rnorm > blowup)
        status = Status::diverged;
      else if (rnorm <= threshold)
        status = Status::converged;
      else
        done = false;
      if (!done) continue;
      res.status = status;
      const std::size_t last = active - 1;
      if (l != last) {
        for (std::size_t i = 0; i < nn; ++i) {
          X[i * stride + l] = X[i * stride + last];
          R[i * stride + l] = R[i * stride + last];
          lane_q_[i * stride + l] = lane_q_[i * stride + last];
        }
        id[l] = id[last];
        omega[l] = omega[last];
        norm2[l] = norm2[last];
      }
      --active;
    }
  }
  for (std::size_t l = 0; l < active; ++l) out[id[l]].status = Status::max_iterations;
  return out;
}

}  // namespace descent::linalg
