#include "descent/newton/cubic_newton.hpp"

#include <cmath>
#include <limits>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/newton/norm.hpp"
#include "descent/newton/regularized_solver.hpp"
#include "driver.hpp"

namespace descent::newton {

void CubicNewtonOptions::validate() const {
  CommonOptions::validate();
  check::positive("m0", m0);
  check::positive("m_min", m_min);
  check::at_least("max_trials", static_cast<long long>(max_trials), 1);
  check::at_least("subproblem_iterations", static_cast<long long>(subproblem_iterations), 1);
  check::positive("subproblem_tolerance", subproblem_tolerance);
}

namespace {

CubicStep solve_model(const Eigen::VectorXd& g, const Eigen::MatrixXd& hess, double m,
                      const Norm& metric, RegularizedSolver& solver, std::size_t max_iterations,
                      double tolerance) {
  CubicStep out;
  const Eigen::Index n = g.size();
  out.h = Eigen::VectorXd::Zero(n);
  const double gnorm = metric.dual_norm(g);
  if (gnorm == 0.0) {
    out.converged = true;
    return out;
  }
  const double c = 0.5 * m;  // H + c r B
  const std::size_t before = solver.solves();
  double lo = 0.0, hi = std::numeric_limits<double>::infinity();
  // A natural scale: with H = 0 the root is r = sqrt(||g||_* / c).
  double r = std::sqrt(gnorm / c);
  Eigen::VectorXd h(n);
  bool have = false;
  for (std::size_t it = 0; it < max_iterations; ++it) {
    double sens = 0.0;
    if (!solver.solve_with_sensitivity(hess, c * r, g, h, sens)) {
      lo = r;  // H + c r B is not positive definite: the root lies to the right
      r = std::isfinite(hi) ? 0.5 * (lo + hi) : 2.0 * r;
      continue;
    }
    const double hn = std::sqrt(metric.norm_squared(h));
    out.h = h;
    have = true;
    const double phi = r - hn;
    if (std::abs(phi) <= tolerance * (1.0 + r)) {
      out.converged = true;
      break;
    }
    (phi < 0 ? lo : hi) = r;
    const double dphi = hn > 0 ? 1.0 + c * sens / hn : 1.0;
    double next = r - phi / dphi;
    if (!(next > lo && next < hi)) next = std::isfinite(hi) ? 0.5 * (lo + hi) : 2.0 * r;
    r = next;
  }
  out.factorizations = solver.solves() - before;
  if (have) {
    const double hn = std::sqrt(metric.norm_squared(out.h));
    out.model_value = g.dot(out.h) + 0.5 * out.h.dot(hess * out.h) + m / 6.0 * hn * hn * hn;
  }
  return out;
}

}  // namespace

CubicStep solve_cubic_model(const Eigen::VectorXd& g, const Eigen::MatrixXd& hessian, double m,
                            const Eigen::MatrixXd& metric, std::size_t max_iterations,
                            double tolerance) {
  if (hessian.rows() != g.size() || hessian.cols() != g.size())
    throw Error("solve_cubic_model: H must be n x n with n = g.size()");
  check::positive("m", m);
  const Norm b(metric, g.size());
  RegularizedSolver solver(b, LinearSolver::cholesky);
  return solve_model(g, hessian, m, b, solver, max_iterations, tolerance);
}

Summary minimize_cubic_newton(const problems::Oracle& f, Eigen::VectorXd& x,
                              const HessianSource& hessian, const CubicNewtonOptions& options,
                              Callbacks callbacks) {
  options.validate();
  if (x.size() != f.dimension())
    throw Error("minimize_cubic_newton: x has " + std::to_string(x.size()) +
                " entries but the function has dimension " + std::to_string(f.dimension()));
  const Norm metric(options.metric, x.size());
  RegularizedSolver solver(metric, LinearSolver::cholesky);
  detail::Driver run("cubic", options, x.size(), callbacks);
  Summary& s = run.summary;

  Eigen::VectorXd g(x.size()), x_new(x.size());
  Eigen::MatrixXd hess;
  double fx = f.value_and_gradient(x, g);
  s.function_evaluations = s.gradient_evaluations = 1;
  double gnorm = metric.dual_norm(g);
  double m = options.m0;
  std::size_t hessians = 0, trials_total = 0, sub_failures = 0;
  Curvature curv;
  run.start(fx, gnorm);

  for (std::size_t k = 0; !run.stop_before(k, fx, gnorm); ++k) {
    hessian.evaluate(x, curv);
    curv.to_dense(hess);
    ++hessians;
    bool accepted = false;
    double f_new = fx, m_used = m;
    std::size_t trials = 0;
    CubicStep step;
    for (std::size_t i = 0; i < options.max_trials; ++i) {
      ++trials;
      m_used = m;
      step = solve_model(g, hess, m, metric, solver, options.subproblem_iterations,
                         options.subproblem_tolerance);
      if (!step.converged) ++sub_failures;
      x_new = x + step.h;
      f_new = f.value(x_new);
      ++s.function_evaluations;
      if (f_new <= fx + step.model_value) {
        m = std::max(0.5 * m, options.m_min);
        accepted = true;
        break;
      }
      m *= 2.0;
    }
    trials_total += trials;
    if (!accepted && options.acceptance == Acceptance::strict) {
      run.end_with(Status::stalled, "no trial of the adaptive M search was accepted in " +
                                        std::to_string(options.max_trials) +
                                        " trials at iteration " + std::to_string(k + 1));
      break;
    }
    const double length = std::sqrt(metric.norm_squared(step.h));
    x.swap(x_new);
    fx = f_new;
    f.gradient(x, g);
    ++s.gradient_evaluations;
    gnorm = metric.dual_norm(g);
    if (run.completed(k + 1, fx, gnorm, length, x,
                      {{"m", m_used},
                       {"trials", double(trials)},
                       {"linear_solves", double(solver.solves())}}))
      break;
  }
  s.counters["hessian_evaluations"] = double(hessians);
  s.counters["linear_solves"] = double(solver.solves());
  s.counters["cholesky_failures"] = double(solver.failures());
  s.counters["trials"] = double(trials_total);
  s.counters["subproblem_failures"] = double(sub_failures);
  s.counters["final_m"] = m;
  return run.finish(fx, gnorm);
}

}  // namespace descent::newton
