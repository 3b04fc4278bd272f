#include "descent/linalg/cg.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "descent/core/krylov.hpp"
#include "descent/core/options.hpp"
#include "descent/core/run.hpp"

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

// The CSR matrix as a Krylov-core operator: the product and pᵀAp in one pass.
struct CsrOperator {
  CsrView view;
  double apply_dot(const double* p, double* q) const noexcept {
    // Locals, not members: the stores to q must not make the compiler reload the CSR arrays.
    const int n = view.n;
    const int* const outer = view.outer;
    const int* const inner = view.inner;
    const double* const values = view.values;
    double pq = 0.0;
    for (int i = 0; i < n; ++i) {
      double t = 0.0;
      for (int k = outer[i]; k < outer[i + 1]; ++k) t += values[k] * p[inner[k]];
      q[i] = t;
      pq += p[i] * t;
    }
    return pq;
  }
  double residual(const double* b, const double* x, double* r) const noexcept {
    return linalg::residual(view, b, x, r);
  }
};

struct VirtualPreconditioner {
  const Preconditioner* m;
  double apply_dot(const double* r, double* z) const noexcept { return m->apply_dot(r, z); }
};

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

  Run run(m ? std::string("pcg-") + std::string(m->name()) : "cg", static_cast<std::size_t>(n),
          options.max_iterations, {options.record_history, 1}, callbacks);
  const double bnorm = b.norm();
  const auto relative = [bnorm](double rnorm) { return bnorm > 0 ? rnorm / bnorm : rnorm; };
  auto finish = [&](Status status, std::string message, double rnorm) {
    run.end(status, std::move(message));
    run.summary().counters["relative_residual"] = relative(rnorm);
    return run.finish(std::numeric_limits<double>::quiet_NaN(), rnorm);
  };
  Summary& s = run.summary();
  if (bnorm == 0.0 && options.tolerance_mode != ToleranceMode::absolute) {
    // The exact solution; a relative test against 0 could never pass otherwise.
    s.counters["initial_residual"] = (a * x).norm();
    s.counters["rhs_norm"] = 0.0;
    s.counters["threshold"] = 0.0;
    x.setZero();
    return finish(Status::converged, "b = 0: x = 0", 0.0);
  }

  CsrOperator op{};
  op.view.n = static_cast<int>(n);
  op.view.outer = a.outerIndexPtr();
  op.view.inner = a.innerIndexPtr();
  op.view.values = a.valuePtr();

  krylov::CgControl control;
  control.threshold = options.tolerance;
  if (options.tolerance_mode == ToleranceMode::relative_rhs) control.threshold *= bnorm;
  control.relative_to_initial = options.tolerance_mode == ToleranceMode::relative_initial;
  control.max_iterations = options.max_iterations;
  control.verify_residual = options.verify_residual;

  auto observe = [&](std::size_t k, double rnorm, double alpha) {
    const Metric extras[] = {{"relative_residual", relative(rnorm)}};
    IterationInfo info;
    info.iteration = k;
    info.gradient_norm = rnorm;
    info.step_size = alpha;
    info.extras = extras;
    info.x = std::span<const double>(x.data(), static_cast<std::size_t>(x.size()));  // updated
    if (k > 0) return run.record(info);
    run.start(info);
    return false;
  };
  krylov::CgWorkspace work;
  krylov::CgOutcome out;
  if (m) {
    VirtualPreconditioner pm{m};
    out = krylov::conjugate_gradient(op, pm, b.data(), x.data(), n, control, observe, work);
  } else {
    krylov::Identity none;
    out = krylov::conjugate_gradient(op, none, b.data(), x.data(), n, control, observe, work);
  }
  s.iterations = out.iterations;
  s.counters["initial_residual"] = out.initial_residual;
  s.counters["rhs_norm"] = bnorm;
  s.counters["threshold"] = out.threshold;
  return finish(out.status, std::move(out.message), out.residual);
}

std::vector<double> residual_history(const Summary& summary) {
  std::vector<double> out;
  out.reserve(summary.history.size());
  for (const auto& row : summary.history) out.push_back(row.gradient_norm);
  return out;
}

}  // namespace descent::linalg
