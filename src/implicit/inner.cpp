// Newton-CG and (accelerated) fixed-point iteration for the inner problems.
#include "descent/implicit/inner.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/core/run.hpp"

namespace descent::implicit {

void NewtonOptions::validate() const {
  check::positive("tolerance", tolerance);
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
  check::at_least("history_stride", static_cast<long long>(history_stride), 1);
}

void FixedPointOptions::validate() const {
  check::positive("tolerance", tolerance);
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
  check::at_least("history_stride", static_cast<long long>(history_stride), 1);
}

namespace {
IterationInfo row(std::size_t k, double objective, double gradient_norm) {
  IterationInfo info;
  info.iteration = k;
  info.objective = objective;
  info.gradient_norm = gradient_norm;
  return info;
}
}  // namespace

Summary solve_newton_cg(const SmoothObjective& f, Vec& x, const Vec& theta, const NewtonOptions& o,
                        Callbacks callbacks) {
  o.validate();
  f.validate();
  if (!f.value) throw Error("solve_newton_cg: the objective has no value (needed by line search)");
  if (x.size() != f.dim_x) throw Error("solve_newton_cg: x has the wrong size");
  Run run("newton-cg", std::size_t(x.size()), o.max_iterations,
          {o.record_history, o.history_stride}, callbacks);
  double fx = f.value(x, theta);
  double gnorm = 0.0;
  // Iterate k's gradient is computed at the top: its row, the stop tests, then the step.
  for (std::size_t k = 0;; ++k) {
    const Vec g = f.grad(x, theta);
    gnorm = g.norm();
    if (k == 0)
      run.start(fx, gnorm);
    else if (run.record(row(k, fx, gnorm)))
      break;
    if (!std::isfinite(fx) || !g.allFinite()) {
      run.end(Status::diverged, "non-finite objective or gradient");
      break;
    }
    if (gnorm <= o.tolerance) {
      run.end(Status::converged, "||grad f|| <= tolerance");
      break;
    }
    if (k == o.max_iterations) break;
    LinearSolveOptions lo;
    lo.solver = SolverKind::cg;
    lo.check_symmetry = false;
    lo.tolerance = std::min(0.1, std::sqrt(gnorm)) * 1e-2;
    const LinearOperator h =
        make_operator(f.dim_x, [&](const Vec& v) { return f.hvp(x, theta, v); });
    const LinearSolveResult d = solve(h, -g, lo);
    Vec dir = d.x;
    if (!dir.allFinite() || dir.dot(g) >= 0) dir = -g;  // fall back to steepest descent
    double step = 1.0, fn = f.value(x + dir, theta);
    while (!(fn <= fx + 1e-4 * step * g.dot(dir)) && step > 1e-12) {
      step *= 0.5;
      fn = f.value(x + step * dir, theta);
    }
    if (step <= 1e-12) {
      // At round-off level the Armijo test can fail although x is optimal.
      run.end(gnorm < 1e3 * o.tolerance ? Status::converged : Status::stalled,
              "line search failed");
      break;
    }
    x += step * dir;
    fx = fn;
  }
  return run.finish(fx, gnorm);
}

Summary solve_fixed_point(const Optimality& f, Vec& x, const Vec& theta, const FixedPointOptions& o,
                          Callbacks callbacks) {
  o.validate();
  if (!f.value) throw Error("solve_fixed_point: F is not set");
  if (x.size() != f.dim_x) throw Error("solve_fixed_point: x has the wrong size");
  Run run(o.accelerate ? "fista" : "fixed-point", std::size_t(x.size()), o.max_iterations,
          {o.record_history, o.history_stride}, callbacks);
  Vec y = x, x_prev = x;
  double t = 1.0, prev_res = INFINITY;
  for (std::size_t k = 0; k < o.max_iterations; ++k) {
    const Vec fy = f.value(y, theta);
    const Vec x_new = y + fy;
    if (!x_new.allFinite()) {
      run.end(Status::diverged, "non-finite iterate");
      break;
    }
    x_prev = x;
    x = x_new;
    // ||F(y)|| is the residual at the extrapolated point; check the true one at x when small.
    const double res_y = fy.norm();
    double res = res_y;
    bool converged = false;
    if (res_y <= o.tolerance || (o.accelerate && res_y <= 100 * o.tolerance)) {
      res = f.value(x, theta).norm();
      converged = res <= o.tolerance;
    }
    if (run.record(row(k + 1, std::numeric_limits<double>::quiet_NaN(), res))) break;
    if (converged) {
      run.end(Status::converged, "||F(x, theta)|| <= tolerance");
      break;
    }
    if (o.accelerate) {
      if (res_y > prev_res) {  // adaptive restart
        t = 1.0;
        y = x;
      } else {
        const double t_new = 0.5 * (1 + std::sqrt(1 + 4 * t * t));
        y = x + ((t - 1) / t_new) * (x - x_prev);
        t = t_new;
      }
    } else {
      y = x;
    }
    prev_res = res_y;
  }
  const double res = f.value(x, theta).norm();
  if (!run.ended() && res <= o.tolerance)
    run.end(Status::converged, "||F(x, theta)|| <= tolerance");
  return run.finish(std::numeric_limits<double>::quiet_NaN(), res);
}

const MethodRegistry<InnerRunner>& inner_solvers() {
  static const MethodRegistry<InnerRunner> registry = [] {
    MethodRegistry<InnerRunner> r("implicit");
    const auto objective = [](const InnerProblem& p, const char* method) -> const SmoothObjective& {
      if (!p.objective) throw Error(std::string(method) + " needs the inner objective");
      return *p.objective;
    };
    const auto residual = [](const InnerProblem& p, const char* method) -> const Optimality& {
      if (!p.residual) throw Error(std::string(method) + " needs the residual map F");
      return *p.residual;
    };
    r.add(
        {"newton-cg", "", "", "Newton with matrix-free CG and Armijo backtracking (inner solver)"},
        option_docs<NewtonOptions>,
        [objective](const InnerProblem& p, Vec& x, const Vec& theta, const Settings& s,
                    Callbacks cb) {
          return solve_newton_cg(objective(p, "newton-cg"), x, theta,
                                 options_from<NewtonOptions>(s, "newton-cg"), std::move(cb));
        });
    // The two fixed-point entries differ only in `accelerate` (and so in their defaults).
    for (const bool accelerate : {false, true}) {
      FixedPointOptions base;
      base.accelerate = accelerate;
      const char* name = accelerate ? "fista" : "fixed-point";
      r.add({name, "", accelerate ? "Beck, Teboulle 2009; O'Donoghue, Candes 2015 (restart)" : "",
             accelerate ? "Accelerated fixed-point iteration with adaptive restart (inner solver)"
                        : "x <- x + F(x, theta) (inner solver)"},
            option_docs_of(base),
            [residual, base, name](const InnerProblem& p, Vec& x, const Vec& theta,
                                   const Settings& s, Callbacks cb) {
              return solve_fixed_point(residual(p, name), x, theta, options_from(s, name, base),
                                       std::move(cb));
            });
    }
    return r;
  }();
  return registry;
}

}  // namespace descent::implicit

namespace descent::implicit {
namespace {
std::vector<Eigen::Index> support_of(const Vec& w) {
  std::vector<Eigen::Index> s;
  for (Eigen::Index i = 0; i < w.size(); ++i)
    if (w[i] != 0.0) s.push_back(i);
  return s;
}
Mat columns(const Mat& x, const std::vector<Eigen::Index>& s) {
  Mat r(x.rows(), static_cast<Eigen::Index>(s.size()));
  for (std::size_t j = 0; j < s.size(); ++j) r.col(static_cast<Eigen::Index>(j)) = x.col(s[j]);
  return r;
}
}  // namespace

Vec lasso_refit_on_support(const Mat& x, const Vec& y, double lambda, const Vec& w) {
  const auto s = support_of(w);
  if (s.empty()) return w;
  const auto n = static_cast<double>(x.rows());
  const Mat xs = columns(x, s);
  Vec sg(static_cast<Eigen::Index>(s.size()));
  for (std::size_t j = 0; j < s.size(); ++j)
    sg[static_cast<Eigen::Index>(j)] = w[s[j]] > 0 ? 1 : -1;
  const Vec ws = (xs.transpose() * xs / n).ldlt().solve(xs.transpose() * y / n - lambda * sg);
  Vec r = Vec::Zero(w.size());
  for (std::size_t j = 0; j < s.size(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    if (ws[jj] * sg[jj] <= 0) return w;  // a sign flipped: not the same support
    r[s[j]] = ws[jj];
  }
  // Optimality off the support: |x_jᵀ(y − Xw)/n| <= λ.
  const Vec corr = x.transpose() * (y - x * r) / n;
  if (corr.cwiseAbs().maxCoeff() > lambda * (1 + 1e-9)) return w;
  return r;
}

Vec lasso_support_jacobian(const Mat& x, const Vec& w) {
  const auto s = support_of(w);
  Vec j = Vec::Zero(w.size());
  if (s.empty()) return j;
  const auto n = static_cast<double>(x.rows());
  const Mat xs = columns(x, s);
  Vec sg(static_cast<Eigen::Index>(s.size()));
  for (std::size_t k = 0; k < s.size(); ++k)
    sg[static_cast<Eigen::Index>(k)] = w[s[k]] > 0 ? 1 : -1;
  const Vec js = -(xs.transpose() * xs / n).ldlt().solve(sg);
  for (std::size_t k = 0; k < s.size(); ++k) j[s[k]] = js[static_cast<Eigen::Index>(k)];
  return j;
}

double least_squares_lipschitz(const Mat& x) {
  const Mat g = x.rows() <= x.cols() ? Mat(x * x.transpose()) : Mat(x.transpose() * x);
  return Eigen::SelfAdjointEigenSolver<Mat>(g, Eigen::EigenvaluesOnly).eigenvalues().maxCoeff() /
         static_cast<double>(x.rows());
}

}  // namespace descent::implicit
