#include "descent/linalg/cg.hpp"

#include <cmath>
#include <string>

#include "descent/core/options.hpp"
#include "descent/core/timer.hpp"

namespace descent::linalg {

std::string_view to_string(ToleranceMode mode) noexcept {
  switch (mode) {
    case ToleranceMode::relative_rhs:
      return "rhs";
    case ToleranceMode::relative_initial:
      return "initial";
    case ToleranceMode::absolute:
      return "absolute";
  }
  return "?";
}

ToleranceMode tolerance_mode_from_string(std::string_view name) {
  if (name == "rhs" || name == "relative") return ToleranceMode::relative_rhs;
  if (name == "initial") return ToleranceMode::relative_initial;
  if (name == "absolute") return ToleranceMode::absolute;
  throw Error("unknown tolerance mode '" + std::string(name) +
              "' (expected rhs, initial or absolute)");
}

void CgOptions::validate() const {
  check::non_negative("tolerance", tolerance);
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
}

namespace {

void record(Summary& s, std::size_t k, double rnorm, double bnorm, double seconds) {
  HistoryRow row;
  row.iteration = k;
  row.gradient_norm = rnorm;
  row.seconds = seconds;
  row.extras.emplace_back("relative_residual", bnorm > 0 ? rnorm / bnorm : rnorm);
  s.history.push_back(std::move(row));
}

}  // namespace

Summary conjugate_gradient(const SparseMatrix& a, const Vector& b, Vector& x,
                           const Preconditioner* m, const CgOptions& options, Callbacks callbacks) {
  options.validate();
  require_square(a, "matrix");
  const Eigen::Index n = a.rows();
  if (b.size() != n || x.size() != n)
    throw Error("conjugate_gradient: A is " + std::to_string(n) + " x " + std::to_string(n) +
                " but b has " + std::to_string(b.size()) + " and x " + std::to_string(x.size()) +
                " entries");
  if (m && m->size() != n)
    throw Error("conjugate_gradient: the preconditioner was set up for size " +
                std::to_string(m->size()) + ", not " + std::to_string(n));

  Summary s;
  s.method = m ? std::string("pcg-") + std::string(m->name()) : "cg";
  Stopwatch clock;
  const bool have_callbacks = !callbacks.empty();
  if (have_callbacks)
    callbacks.begin({s.method, static_cast<std::size_t>(n), options.max_iterations});

  // Raw CSR view: no diagonal needed for the product.
  CsrView view;
  view.n = static_cast<int>(n);
  view.outer = a.outerIndexPtr();
  view.inner = a.innerIndexPtr();
  view.values = a.valuePtr();

  Vector r(n), z(n), p(n), q(n);
  double* const xp = x.data();
  double* const rp = r.data();
  double* const zp = z.data();
  double* const pp = p.data();
  double* const qp = q.data();

  const double bnorm = b.norm();
  double rr = residual(view, b.data(), xp, rp);
  const double r0 = std::sqrt(rr);
  double threshold = options.tolerance;
  if (options.tolerance_mode == ToleranceMode::relative_rhs) threshold *= bnorm;
  if (options.tolerance_mode == ToleranceMode::relative_initial) threshold *= r0;
  s.counters["initial_residual"] = r0;
  s.counters["rhs_norm"] = bnorm;
  s.counters["threshold"] = threshold;

  auto finish = [&](Status status, std::string message) {
    s.status = status;
    s.message = std::move(message);
    s.gradient_norm = std::sqrt(rr);
    s.counters["relative_residual"] = bnorm > 0 ? s.gradient_norm / bnorm : s.gradient_norm;
    s.seconds = clock.seconds();
    if (have_callbacks) callbacks.end(s);
    return s;
  };

  if (bnorm == 0.0 && options.tolerance_mode != ToleranceMode::absolute) {
    x.setZero();  // the exact solution; a relative test against 0 could never pass otherwise
    rr = 0.0;
    return finish(Status::converged, "b = 0: x = 0");
  }
  if (options.record_history) record(s, 0, r0, bnorm, 0.0);
  if (r0 <= threshold) return finish(Status::converged, "the initial guess meets the tolerance");
  if (!std::isfinite(r0)) return finish(Status::diverged, "the initial residual is not finite");

  auto precondition = [&] {
    if (m)
      m->apply(rp, zp);
    else
      for (Eigen::Index i = 0; i < n; ++i) zp[i] = rp[i];
  };
  precondition();
  double rz = 0.0;
  for (Eigen::Index i = 0; i < n; ++i) {
    pp[i] = zp[i];
    rz += rp[i] * zp[i];
  }

  s.status = Status::max_iterations;
  for (std::size_t k = 1; k <= options.max_iterations; ++k) {
    if (!(rz > 0.0)) {
      s.iterations = k - 1;
      return finish(Status::failed, "r^T M^{-1} r = " + check::show(rz) +
                                        " <= 0: the preconditioner is not positive definite");
    }
    // q = A p and p^T q in one pass.
    double pq = 0.0;
    {
      const int* outer = view.outer;
      const int* inner = view.inner;
      const double* values = view.values;
      for (int i = 0; i < view.n; ++i) {
        double t = 0.0;
        for (int kk = outer[i]; kk < outer[i + 1]; ++kk) t += values[kk] * pp[inner[kk]];
        qp[i] = t;
        pq += pp[i] * t;
      }
    }
    if (!(pq > 0.0)) {
      s.iterations = k - 1;
      if (!std::isfinite(pq)) return finish(Status::diverged, "p^T A p is not finite");
      return finish(Status::failed,
                    "p^T A p = " + check::show(pq) + " <= 0: A is not positive definite");
    }
    const double alpha = rz / pq;
    double rr_new = 0.0;  // a local: `rr` is captured by reference, so it would live in memory
    for (Eigen::Index i = 0; i < n; ++i) {
      xp[i] += alpha * pp[i];
      rp[i] -= alpha * qp[i];
      rr_new += rp[i] * rp[i];
    }
    rr = rr_new;
    s.iterations = k;
    const double rnorm = std::sqrt(rr);
    if (options.record_history) record(s, k, rnorm, bnorm, clock.seconds());
    if (!std::isfinite(rnorm)) return finish(Status::diverged, "the residual is not finite");
    if (have_callbacks) {
      IterationInfo info;
      info.iteration = k;
      info.gradient_norm = rnorm;
      info.step_size = alpha;
      info.seconds = clock.seconds();
      const Metric extras[] = {{"relative_residual", bnorm > 0 ? rnorm / bnorm : rnorm}};
      info.extras = extras;
      if (callbacks.iteration(info)) return finish(Status::stopped, callbacks.stop_reason());
    }
    if (rnorm <= threshold) {
      if (!options.verify_residual) return finish(Status::converged, "residual below tolerance");
      // The recursive residual can drift from b - A x; trust only the true one.
      rr = residual(view, b.data(), xp, rp);
      if (std::sqrt(rr) <= threshold) return finish(Status::converged, "residual below tolerance");
      precondition();  // restart the recursion from the true residual
      rz = 0.0;
      for (Eigen::Index i = 0; i < n; ++i) {
        pp[i] = zp[i];
        rz += rp[i] * zp[i];
      }
      continue;
    }
    // z = M^{-1} r and r^T z in one go; without a preconditioner z = r and r^T z = ||r||^2.
    const double rz_new = m ? m->apply_dot(rp, zp) : rr;
    const double beta = rz_new / rz;
    rz = rz_new;
    const double* zsrc = m ? zp : rp;
    for (Eigen::Index i = 0; i < n; ++i) pp[i] = zsrc[i] + beta * pp[i];
  }
  return finish(Status::max_iterations,
                "reached max_iterations = " + std::to_string(options.max_iterations));
}

std::vector<double> residual_history(const Summary& summary) {
  std::vector<double> out;
  out.reserve(summary.history.size());
  for (const auto& row : summary.history) out.push_back(row.gradient_norm);
  return out;
}

}  // namespace descent::linalg
